"""Which language a page is shown in: the switch in the header, else the deployment default."""
from __future__ import annotations

from flask import current_app, has_request_context, session
from flask_login import current_user

from erp.config import LANGUAGES


def select_locale() -> str:
    if not has_request_context():  # CLI commands speak the deployment's language
        return current_app.config.get("ERP_LOCALE", "ko")
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in LANGUAGES:
        return current_user.locale
    return current_app.config.get("ERP_LOCALE", "ko")
