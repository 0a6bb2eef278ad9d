"""The home page after login and the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from erp.audit.models import AuditEntry
from erp.auth.access import login_only, public
from erp.config import LANGUAGES
from erp.extensions import db

bp = Blueprint("web", __name__)


@bp.route("/")
@login_only
def home():
    ext = current_app.extensions["erp"]
    plugins = [loaded.manifest for loaded in ext["plugins"].values()]
    recent = []
    if current_user.can("core.audit"):
        recent = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(8)).scalars().all()
    mine = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.actor_id == current_user.id).order_by(AuditEntry.seq.desc()).limit(5)
    ).scalars().all()
    return render_template("home.html", plugins=plugins, recent=recent, mine=mine)


@bp.route("/lang/<code>", methods=["POST"])
@public
def set_language(code: str):
    if code in LANGUAGES:
        session["lang"] = code
    target = request.form.get("next") or request.referrer or url_for("web.home")
    parts = urlsplit(target)
    # Back to the page the switch was pressed on, never to another site.
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    if not path.startswith("/") or path.startswith("//"):
        path = url_for("web.home")
    return redirect(path)
