"""Error pages in the user's language; JSON bodies for API requests."""
from __future__ import annotations

import sqlalchemy as sa
from flask import g, jsonify, render_template, request, session
from flask.json.provider import DefaultJSONProvider
from flask_babel import force_locale, gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from erp.auth.access import wants_json
from erp.config import LANGUAGES


def _messages():
    return {
        400: (_("Bad request"), _("The request could not be understood. Check what you entered and try again.")),
        401: (_("Login required"), _("Log in to continue.")),
        403: (_("Access denied"), _("You do not have permission to open this page. Ask your administrator if you need it.")),
        404: (_("Page not found"), _("The page you asked for does not exist or has moved.")),
        405: (_("Not allowed"), _("This action is not allowed here.")),
        413: (_("File too large"), _("The uploaded file is larger than allowed.")),
        429: (_("Too many requests"), _("Too many requests in a short time. Wait a moment and try again.")),
        500: (_("Server error"), _("Something went wrong on our side. The error was logged; please try again later.")),
        503: (_("Service unavailable"), _("The database cannot be reached at the moment, so nothing was saved. Try again in a moment.")),
    }


def _render(code: int, detail: str | None = None):
    title, text = _messages().get(code, (_("Error"), ""))
    if wants_json():
        return jsonify({"error": title, "message": detail or text, "status": code}), code
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deeply for the parser is bad JSON (a 400 from
    ``request.get_json``, None with ``silent=True``) instead of a RecursionError and a 500."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("the JSON body is nested too deeply") from None


def init_app(app) -> None:
    app.json = BoundedJSONProvider(app)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(400, _("The form expired or did not come from this site (security token missing or invalid). Reload the page and submit again."))

    @app.errorhandler(413)
    def too_large(error):
        size = g.get("erp_max_body") or app.config.get("MAX_CONTENT_LENGTH") or 0
        shown = f"{size // (1024 * 1024):,} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1):,} KB"
        if wants_json():
            return _render(413, _("The request body is larger than this address accepts (at most %(size)s).", size=shown))
        return _render(413, _("The uploaded file is larger than allowed (at most %(size)s).", size=shown))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _render(error.code or 500)

    @app.errorhandler(sa.exc.OperationalError)
    @app.errorhandler(sa.exc.InterfaceError)
    def database_unavailable(error: sa.exc.DBAPIError):
        """The database went away (a restart, a failover) or gave up on the transaction (a lock
        wait, a deadlock): the work was rolled back, and asking again shortly is the remedy — a
        503 that load balancers and clients understand, not a server error. The answer needs no
        database: the language comes from the session or the deployment, never from the user."""
        from erp.extensions import db

        try:
            db.session.rollback()
        except sa.exc.DBAPIError:
            db.session.close()
        app.logger.warning("database unavailable: %s", getattr(error, "orig", error))
        chosen = session.get("lang")
        locale = chosen if chosen in LANGUAGES else app.config.get("ERP_LOCALE", "ko")
        with force_locale(locale):
            title, text = _messages()[503]
            if wants_json():
                response = jsonify({"error": title, "message": text, "status": 503})
            else:
                # Straight from the Jinja environment: render_template's context processors
                # would load the logged-in user from the database.
                page = app.jinja_env.get_template("errors/unavailable.html")
                response = page.render(code=503, title=title, text=text, locale=locale, request=request)
        return response, 503, {"Retry-After": "5"}

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        from erp.extensions import db

        db.session.rollback()
        app.logger.exception("unhandled error")
        return _render(InternalServerError.code)
