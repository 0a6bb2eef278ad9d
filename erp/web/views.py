"""The home page after login and the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session
from flask_login import current_user

from erp.audit import services as audit
from erp.auth.access import login_only, public
from erp.config import LANGUAGES
from erp.web import home as home_panels
from erp.web.paging import same_site_path

bp = Blueprint("web", __name__)


@bp.route("/")
@login_only
def home():
    """What is waiting for the user and how things stand: the panels of the core and of the
    plugins that the user's permissions show (erp.web.home), then the user's recent activity."""
    mine = audit.recent(5, actor_id=current_user.id)
    return render_template("home.html", panels=home_panels.build(), mine=mine)


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
