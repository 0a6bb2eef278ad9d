"""The contract of the JSON APIs: an OpenAPI 3.1 document served at ``/api/openapi.json``.

Nothing in it is written twice. A JSON view declares its contract beside its access rule with
:func:`documented` — a summary, the pydantic model of its body, the pydantic model (or plain
error) of each answer, and the security schemes that admit a caller; every port blueprint
(:mod:`erp.ports.service`) is expanded into one operation per operation of its Protocol, whose
body and result schemas are those of the very pydantic models the ports codec validates with.
The document walks the app's URL map, so a plugin's routes appear with the plugin.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, current_app, jsonify
from pydantic import BaseModel, ConfigDict, TypeAdapter

from erp.auth.access import public

ATTR = "_erp_openapi"
PORT_ATTR = "_erp_port_operations"
REF = "#/components/schemas/{model}"


class ApiError(BaseModel):
    """Every refusal of a JSON API: what went wrong, for programs and for people."""

    model_config = ConfigDict(title="Error")

    error: str
    message: str
    status: int
    # Per argument or field (ports, forms) or per item (batches).
    errors: dict[str, list[str]] | list[str] | None = None


@dataclass(frozen=True)
class Answer:
    description: str
    model: Any = ApiError  # a pydantic model or type; None: no JSON body
    media_type: str = "application/json"


@dataclass(frozen=True)
class Doc:
    summary: str
    request: type[BaseModel] | None = None
    responses: dict[int, Answer] = field(default_factory=dict)
    security: tuple[str, ...] = ()
    tag: str = ""
    description: str = ""


_SCHEMES: dict[str, dict] = {}


def security_scheme(name: str, description: str, scheme: str = "bearer") -> str:
    """Declare an HTTP authentication scheme (a bearer token by default); returns ``name``."""
    _SCHEMES[name] = {"type": "http", "scheme": scheme, "description": description}
    return name


SERVICE_TOKEN = security_scheme("serviceToken", "A short-lived token signed with ERP_SERVICE_KEY for one port operation and "
                                                "this body (erp.ports.tokens): other services of the installation only.")
METRICS_TOKEN = security_scheme("metricsToken", "ERP_METRICS_TOKEN; without it only the addresses of ERP_METRICS_ALLOW.")


def documented(summary: str, *, request: type[BaseModel] | None = None, responses: dict[int, Answer | str] | None = None,
               security: tuple[str, ...] = (), tag: str = "", description: str = ""):
    """Record a JSON view's contract on it (see the module's docstring). ``responses`` maps a
    status to an :class:`Answer`, or to a description alone for an :class:`ApiError` answer."""
    answers = {status: answer if isinstance(answer, Answer) else Answer(answer) for status, answer in (responses or {}).items()}

    def decorator(view):
        setattr(view, ATTR, Doc(summary, request, answers, tuple(security), tag, description))
        return view

    return decorator


def doc_of(view) -> Doc | None:
    return getattr(view, ATTR, None)


class _Schemas:
    """The components/schemas of the document, filled from pydantic models and type adapters."""

    def __init__(self):
        self.components: dict[str, dict] = {}

    def _merge(self, schema: dict) -> dict:
        for name, definition in schema.pop("$defs", {}).items():
            known = self.components.setdefault(name, definition)
            if known != definition:
                raise RuntimeError(f"Two different schemas are named {name!r} in the API document")
        return schema

    def of(self, model) -> dict:
        if isinstance(model, type) and issubclass(model, BaseModel):
            schema = model.model_json_schema(ref_template=REF)
            name = schema.get("title") or model.__name__
            self._merge(schema)
            self.components.setdefault(name, schema)
            if self.components[name] != schema:
                raise RuntimeError(f"Two different schemas are named {name!r} in the API document")
            return {"$ref": REF.format(model=name)}
        adapter = model if isinstance(model, TypeAdapter) else TypeAdapter(model)
        return self._merge(adapter.json_schema(ref_template=REF))


# Answers any JSON API may give whatever it declares: the body limits (erp.web.body_limits) and
# the rate limits (erp.web.limits) stand in front of every view.
COMMON_ANSWERS = {
    413: Answer("The body is larger than this API accepts (the message gives the limit); nothing changed."),
    429: Answer("Too many requests from this address or for this target; try again later."),
}


def _path(rule) -> tuple[str, list[dict]]:
    """The OpenAPI form of a Werkzeug rule (``/a/<int:x>`` → ``/a/{x}``) and its path parameters."""
    path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)
    return path, [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in rule._converters]


def _operation(schemas: _Schemas, doc: Doc, operation_id: str, parameters: list[dict]) -> dict:
    operation: dict[str, Any] = {"operationId": operation_id, "summary": doc.summary, "responses": {}}
    if doc.description:
        operation["description"] = doc.description
    if doc.tag:
        operation["tags"] = [doc.tag]
    if parameters:
        operation["parameters"] = parameters
    if doc.request is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": schemas.of(doc.request)}}}
    for status, answer in sorted({**COMMON_ANSWERS, **doc.responses}.items()):
        response: dict[str, Any] = {"description": answer.description}
        if answer.model is not None:
            schema = schemas.of(answer.model) if answer.media_type == "application/json" else {"type": "string"}
            response["content"] = {answer.media_type: {"schema": schema}}
        operation["responses"][str(status)] = response
    operation["security"] = [{name: []} for name in doc.security] if doc.security else []
    return operation


PORT_ANSWERS = {
    400: "The body is not JSON or does not fit the operation's signature (errors per argument).",
    401: "No service token.",
    403: "A bad, expired or other operation's token, or this service accepts no service calls.",
    422: "The plugin refused the call (its message and field errors); nothing changed.",
}


def _port_operations(schemas: _Schemas, plugin: str, prefix: str, operations: dict) -> dict[str, dict]:
    paths = {}
    for name, op in sorted(operations.items()):
        result = schemas.of(op.result)
        answers = {200: Answer("The operation's result.", None), **{s: Answer(t) for s, t in PORT_ANSWERS.items()}}
        doc = Doc(op.doc.splitlines()[0] if op.doc else name, op.arguments, answers, (SERVICE_TOKEN,), f"{plugin} port",
                  op.doc)
        operation = _operation(schemas, doc, f"{plugin}_port_{name}", [])
        operation["responses"]["200"]["content"] = {"application/json": {"schema": {
            "type": "object", "properties": {"result": result}, "required": ["result"], "additionalProperties": False}}}
        paths[f"{prefix}/{name}"] = {"post": operation}
    return paths


def document() -> dict:
    """The OpenAPI 3.1 document of every JSON API of this app (needs an app context)."""
    app = current_app
    schemas = _Schemas()
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        ports = getattr(view, PORT_ATTR, None)
        if ports is not None:
            plugin, operations = ports
            paths.update(_port_operations(schemas, plugin, rule.rule.rsplit("/", 1)[0], operations))
            continue
        doc = doc_of(view)
        if doc is None:
            continue
        path, parameters = _path(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(
                schemas, doc, f"{rule.endpoint.replace('.', '_')}_{method.lower()}", parameters)
    schemas.of(ApiError)
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{app.config.get('ERP_ORGANISATION', 'Waterworks ERP')} API",
                 "version": _version(app),
                 "description": "The JSON APIs of Waterworks ERP: rates (quote, smart-meter readings, bank gateway "
                                "payments), every plugin's port, and the operations probes."},
        "paths": paths,
        "components": {"schemas": dict(sorted(schemas.components.items())), "securitySchemes": dict(sorted(_SCHEMES.items()))},
    }


def _version(app) -> str:
    versions = [f"{name} {loaded.manifest.version}" for name, loaded in sorted(app.extensions["erp"]["plugins"].items())]
    return ", ".join(versions) or "core"


bp = Blueprint("openapi", __name__, url_prefix="/api")


@bp.route("/openapi.json")
@public
@documented("This document", tag="operations", responses={200: Answer("The OpenAPI 3.1 document.", dict[str, Any])})
def openapi_json():
    cached = current_app.extensions.get("erp_openapi")
    if cached is None:  # the routes do not change once the app serves: build it once
        cached = current_app.extensions["erp_openapi"] = document()
    return jsonify(cached)
