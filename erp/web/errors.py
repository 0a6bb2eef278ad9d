"""Error pages in the user's language; JSON bodies for API requests."""
from __future__ import annotations

from flask import jsonify, render_template
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from erp.auth.access import wants_json


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

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _render(error.code or 500)

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        from erp.extensions import db

        db.session.rollback()
        app.logger.exception("unhandled error")
        return _render(InternalServerError.code)
