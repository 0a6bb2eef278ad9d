"""Request size limits per endpoint: JSON APIs accept small bodies (ERP_MAX_JSON_KB), batch APIs
more (ERP_MAX_BATCH_MB, through :func:`max_body`), forms with uploads the most (ERP_MAX_UPLOAD_MB,
Flask's MAX_CONTENT_LENGTH). A larger body is refused with a 413 before anything reads it: a
clear page for browsers, JSON for APIs (erp.web.errors)."""
from __future__ import annotations

from flask import current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge


def max_body(setting: str):
    """Decorator (below ``@bp.route``): this view accepts bodies up to the size, in MB, of the
    setting ``setting`` instead of the default of its kind."""
    def decorate(view):
        view.erp_max_body_setting = setting
        return view
    return decorate


def allowed_size() -> int | None:
    """The most bytes this request's endpoint accepts (None: Flask's MAX_CONTENT_LENGTH)."""
    view = current_app.view_functions.get(request.endpoint or "")
    setting = getattr(view, "erp_max_body_setting", None)
    if setting:
        return int(current_app.config[setting]) * 1024 * 1024
    if request.path.startswith("/api/"):
        return int(current_app.config["ERP_MAX_JSON_KB"]) * 1024
    return None


def check() -> None:
    size = allowed_size()
    if size is None:
        return
    g.erp_max_body = size
    # A body sent without a length (chunked) is cut off at the same size when it is read.
    request.max_content_length = size
    if request.content_length is not None and request.content_length > size:
        raise RequestEntityTooLarge()


def init_app(app) -> None:
    # Before every hook that may read the body (CSRF protection, the rate limits' targets).
    app.before_request(check)
