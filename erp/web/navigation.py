"""The navigation, built from the core's and the loaded plugins' menu entries, filtered by what
the logged-in user may open."""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from erp.audit.services import action_label, summary_text
from erp.auth.roles import role_description, role_label
from erp.common.clock import utcnow
from erp.config import LANGUAGES


def menu_sections() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    ext = current_app.extensions["erp"]
    sections = []
    for manifest, items in ext["menus"]:
        links = [(item.label, url_for(item.endpoint)) for item in items if current_user.can(item.permission)]
        if links:
            sections.append({"name": manifest.name, "label": manifest.label or manifest.summary, "links": links})
    admin = [(item.label, url_for(item.endpoint)) for item in ext["core_menu"] if current_user.can(item.permission)]
    if admin:
        from flask_babel import gettext as _

        sections.append({"name": "admin", "label": _("Administration"), "links": admin})
    return sections


def public_links() -> list[tuple[str, str]]:
    """The citizens' pages the plugins offer (loaded here or served by another service)."""
    ext = current_app.extensions["erp"]
    return [(item.label, url_for(item.endpoint)) for manifest, _menu in ext["menus"] for item in manifest.public_menu]


def init_app(app) -> None:
    @app.context_processor
    def inject():
        return {
            "menu_sections": menu_sections,
            "public_links": public_links,
            "languages": LANGUAGES,
            "org_name": current_app.config["ERP_ORG_NAME"],
            "role_label": role_label,
            "role_description": role_description,
            "csrf_token_value": generate_csrf,
            "now_utc": utcnow,
            "get_locale": get_locale,
            "action_label": action_label,
            "audit_summary": summary_text,
        }
