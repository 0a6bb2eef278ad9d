"""The serving side of HTTP ports: a blueprint derived from a plugin's Protocol and api module.

``port_blueprint("rates", RatesPort, api)`` (used by ``plugins/rates/rest/``) serves every
operation of the Protocol as ``POST /api/rates/port/<operation>``: the body is the JSON object of
:func:`erp.ports.encode_call`, the answer ``{"result": <JSON of the return value>}``. Nothing is
written per operation: arguments and results are checked and converted from the signatures.

Only services of the same installation may call (access rule ``service_call``; no session, no CSRF
token): ``Authorization: Bearer <service token>`` (:mod:`erp.ports.tokens`). Answers, all JSON
``{"error", "message", "errors", "status"}`` except the result:

- 401 without a token; 403 with a bad, expired or other operation's token, or when this service
  has no ``ERP_SERVICE_KEY`` (it then accepts no service calls);
- 404 for an operation the Protocol does not have;
- 400 for a body that is not JSON or does not fit the signature (``errors`` per argument);
- 422 when the plugin refuses (``ServiceError``: its message and field errors), after a rollback.

The call runs as the user the token names (``audit.acting_as``), in the caller's language
(``X-ERP-Locale``), and the request id of the caller is kept, so logs and audit records of both
sides tell one story.
"""
from __future__ import annotations

from contextlib import nullcontext

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import force_locale

from erp.audit.services import acting_as
from erp.auth.access import service_call
from erp.common.errors import ServiceError
from erp.config import LANGUAGES
from erp.extensions import csrf, db
from erp.openapi import PORT_ATTR
from erp.ports import BadCall, check_arguments, operations_of
from erp.ports.client import LOCALE_HEADER
from erp.ports.tokens import TokenRefused, verify


def _error(status: int, error: str, message: str, errors: dict | None = None):
    return jsonify(error=error, message=message, errors=errors or {}, status=status), status


def port_blueprint(plugin: str, protocol: type, api_module) -> Blueprint:
    """A blueprint serving each operation of ``protocol`` by the function of that name in
    ``api_module``. Raises TypeError at import when the module lacks one of them."""
    operations = operations_of(plugin, protocol)
    missing = [name for name in operations if not callable(getattr(api_module, name, None))]
    if missing:
        raise TypeError(f"{api_module.__name__} does not implement {', '.join(missing)} of {protocol.__name__}")
    bp = Blueprint(f"{plugin}_port", __name__, url_prefix=f"/api/{plugin}/port")
    csrf.exempt(bp)  # service-to-service JSON: authenticated by the token, no browser session

    @bp.post("/<operation>")
    @service_call
    def call(operation: str):
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.startswith("Bearer ") else ""
        if not token:
            return _error(401, "unauthorized", "send a service token as 'Authorization: Bearer <token>'")
        key = current_app.config.get("ERP_SERVICE_KEY", "")
        if not key:
            return _error(403, "forbidden", "this service accepts no service calls (ERP_SERVICE_KEY is not set)")
        try:
            claims = verify(key, token, f"{plugin}.{operation}", int(current_app.config.get("ERP_SERVICE_TOKEN_MAX_AGE", 60)),
                            request.get_data(cache=True))
        except TokenRefused as refused:
            return _error(403, "forbidden", str(refused))
        op = operations.get(operation)
        if op is None:
            return _error(404, "not found", f"the port of {plugin} has no operation {operation!r}")
        if claims.request_id:
            g.request_id = claims.request_id
        try:
            kwargs = check_arguments(op, request.get_data(cache=True))
        except BadCall as bad:
            return _error(400, "bad request", bad.message, bad.errors)
        locale = request.headers.get(LOCALE_HEADER, "")
        with force_locale(locale) if locale in LANGUAGES else nullcontext(), acting_as(claims.user_id, claims.user):
            try:
                result = getattr(api_module, operation)(**kwargs)
            except ServiceError as refusal:
                db.session.rollback()
                return _error(422, "refused", str(refusal.message),
                              {str(k): [str(m) for m in v] for k, v in refusal.errors.items()})
        current_app.logger.info("port call %s.%s from %s for %s", plugin, operation, claims.service, claims.user)
        return jsonify(result=op.result.dump_python(result, mode="json", warnings=False))

    # The API document lists each operation with the codec's own schemas (erp.openapi).
    setattr(call, PORT_ATTR, (plugin, operations))
    return bp
