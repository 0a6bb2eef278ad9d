"""The home page after login and the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session
from flask_login import current_user

from erp.audit import services as audit
from erp.auth.access import login_only, public
from erp.config import LANGUAGES
from erp.web.paging import same_site_path

bp = Blueprint("web", __name__)


@bp.route("/")
@login_only
def home():
    ext = current_app.extensions["erp"]
    plugins = [manifest for manifest, _menu in ext["menus"]]  # loaded here or served by another service
    recent = audit.recent(8) if current_user.can("core.audit") else []
    mine = audit.recent(5, actor_id=current_user.id)
    return render_template("home.html", plugins=plugins, recent=recent, mine=mine)


@bp.route("/lang/<code>", methods=["POST"])
@public
def set_language(code: str):
    if code in LANGUAGES:
        session["lang"] = code
    target = request.form.get("next") or request.referrer
    if target and urlsplit(target).netloc == request.host:  # the referrer is a full URL of this site
        parts = urlsplit(target)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    return redirect(same_site_path(target))
