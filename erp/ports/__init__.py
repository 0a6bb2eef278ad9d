"""How a plugin obtains another plugin's public interface.

``ports.get("accounting")`` returns an object with the operations of the accounting plugin's
port: the ``typing.Protocol`` its manifest names (``Manifest.port =
"plugins.accounting.port:AccountingPort"``), whose methods are typed with ``data.py`` classes,
``date``, ``int``, ``str``, ``bool``, ``list[...]``, ``tuple[...]`` and ``X | None``. Callers never
know how it is reached:

- in process (the default): an object whose attributes are the plugin's ``api`` functions named by
  the Protocol — and nothing else, so a caller cannot reach the plugin's classes through the port
  object; request objects come from the plugin's ``data.py``;
- over HTTP, when ``ERP_PORTS`` routes the plugin to ``http://…`` or ``https://…``
  (:mod:`erp.ports.client`): the same operations, each a JSON call of the plugin's ``rest/`` port
  blueprint (:mod:`erp.ports.service`), signed with a short-lived service token
  (:mod:`erp.ports.tokens`).

A plugin whose manifest names no Protocol keeps the old behaviour: its ``api`` module in process,
and no HTTP adapter.

The JSON form of a call is derived from the Protocol's signatures by pydantic (strict: a JSON
``true`` is no integer, dates are ``YYYY-MM-DD``, unknown arguments are refused):
:func:`encode_call` and :func:`decode_call` turn keyword arguments into a JSON object and back,
:func:`encode_result` and :func:`decode_result` do the same for the return value. An outbox can
store ``encode_call`` output and replay it later through ``decode_call``. These four look the
Protocol up through the app's manifests, so they need an app context; :func:`operations_of` does
not.

Operations marked :func:`idempotent` may be sent again when a first attempt's fate is unknown
(a timeout, a dropped connection, a 502/503/504); ``idempotent(key="reference")`` marks a write
that is idempotent only when the named argument is given (an empty reference makes a new bill
each time). Unmarked operations are sent once.

Errors: :class:`PortError` — the plugin cannot be reached (not installed, not loaded, the other
service is down or refused our token); :class:`BadCall` (a ``ServiceError``) — the arguments do not
fit the operation; a refusal of the callee is the ``ServiceError`` it raised, with its message and
field errors, whichever adapter carried it.
"""
from __future__ import annotations

import functools
import importlib
import inspect
import json
import typing
from dataclasses import dataclass
from typing import Any, Callable

from flask import current_app
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, create_model

from erp.common.errors import ServiceError

__all__ = ["PortError", "BadCall", "idempotent", "Operation", "operations", "protocol_of", "encode_call", "decode_call",
           "encode_result", "decode_result", "operations_of", "check_arguments", "register_adapter", "check_routes", "get"]

HTTP_SCHEMES = ("http", "https")
_MARK = "__erp_port_idempotent__"


class PortError(LookupError):
    """The requested plugin is not loaded here, its port target cannot be served, or the service
    behind it cannot be reached (callers treat it as "the other service is unavailable")."""


class BadCall(ServiceError):
    """The arguments (or a result) do not fit the operation's signature: ``errors`` names each
    argument at fault."""


def idempotent(func: Callable | None = None, *, key: str = ""):
    """Mark a Protocol operation as safe to send again. With ``key`` (an argument name, or a
    dotted path into it such as ``"request.idempotency_key"``) only calls that give that value
    are; without, every call is (reads)."""

    def mark(f: Callable) -> Callable:
        setattr(f, _MARK, key or True)
        return f

    return mark(func) if func is not None else mark


@dataclass(frozen=True)
class Operation:
    """One operation of a plugin's port, derived from its Protocol method."""

    plugin: str
    name: str
    signature: inspect.Signature  # without ``self``
    arguments: type[BaseModel]  # strict model of the JSON arguments
    adapters: dict[str, TypeAdapter]  # argument name -> its type, for encoding
    result: TypeAdapter
    idempotent: bool | str  # False, True, or the argument path that makes a call idempotent
    doc: str

    def is_idempotent(self, kwargs: dict) -> bool:
        """Whether this call (with these arguments) may be sent again."""
        if self.idempotent is True or not self.idempotent:
            return bool(self.idempotent)
        name, *path = self.idempotent.split(".")
        value = kwargs.get(name)
        for attr in path:
            value = getattr(value, attr, None)
        return bool(value.strip() if isinstance(value, str) else value)

    def bind(self, args: tuple, kwargs: dict) -> dict:
        """Positional and keyword arguments as keyword arguments (TypeError when they do not fit)."""
        bound = self.signature.bind(*args, **kwargs)
        return dict(bound.arguments)


@functools.cache
def operations_of(plugin: str, protocol: type) -> dict[str, Operation]:
    """The operations of the Protocol class ``protocol`` (its public methods), by name."""
    result = {}
    for name, member in vars(protocol).items():
        if name.startswith("_") or not inspect.isfunction(member):
            continue
        hints = typing.get_type_hints(member)
        signature = inspect.signature(member)
        params = [p for p in signature.parameters.values() if p.name != "self"]
        fields = {p.name: (hints[p.name], ... if p.default is inspect.Parameter.empty else p.default) for p in params}
        model = create_model(f"{plugin}.{name}", __config__=ConfigDict(strict=True, extra="forbid"), **fields)
        result[name] = Operation(
            plugin=plugin, name=name, signature=signature.replace(parameters=params), arguments=model,
            adapters={p.name: TypeAdapter(hints[p.name]) for p in params},
            result=TypeAdapter(hints.get("return", type(None))), idempotent=getattr(member, _MARK, False),
            doc=inspect.getdoc(member) or "")
    return result


def _manifest(plugin: str):
    manifest = current_app.extensions["erp"]["manifests"].get(plugin)
    if manifest is None:
        raise PortError(f"Plugin {plugin!r} is not installed; ports are available for: "
                        f"{', '.join(sorted(current_app.extensions['erp']['manifests'])) or 'none'}")
    return manifest


def protocol_of(plugin: str) -> type | None:
    """The Protocol class the plugin's manifest names, or None when it names none."""
    manifest = _manifest(plugin)
    if not manifest.port:
        return None
    from erp.plugins import resolve

    return resolve(manifest.port)


def operations(plugin: str) -> dict[str, Operation]:
    """The operations of ``plugin``'s port, by name (PortError when it declares no Protocol)."""
    protocol = protocol_of(plugin)
    if protocol is None:
        raise PortError(f"Plugin {plugin!r} declares no port interface (Manifest.port)")
    return operations_of(plugin, protocol)


def operation(plugin: str, name: str) -> Operation:
    """One operation of ``plugin``'s port (PortError when there is no such operation)."""
    found = operations(plugin).get(name)
    if found is None:
        raise PortError(f"The port of {plugin!r} has no operation {name!r}")
    return found


def _bad_call(op: Operation, error: ValidationError) -> BadCall:
    errors: dict[str, list[str]] = {}
    for item in error.errors(include_url=False):
        loc = [str(part) for part in item["loc"]]
        errors.setdefault(loc[0] if loc else "", []).append(f"{'.'.join(loc) or 'body'}: {item['msg']}")
    first = next(iter(errors.values()))[0]
    return BadCall(f"Bad arguments for {op.plugin}.{op.name}: {first}", errors)


def check_arguments(op: Operation, data: Any) -> dict:
    """Validate JSON arguments (a dict, or JSON text/bytes) and return them typed."""
    try:
        text = data if isinstance(data, (str, bytes, bytearray)) else json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError) as error:
        raise BadCall(f"Bad arguments for {op.plugin}.{op.name}: not JSON ({error})") from None
    try:
        parsed = op.arguments.model_validate_json(text, strict=True)
    except ValidationError as error:
        raise _bad_call(op, error) from None
    return {name: getattr(parsed, name) for name in type(parsed).model_fields}


def encode_call(plugin: str, operation_name: str, kwargs: dict) -> dict:
    """The JSON object (a dict of JSON values) of a call of ``plugin.operation_name`` with these
    keyword arguments. Raises :class:`BadCall` when they do not fit the signature — checked by
    decoding the result again, so what this returns always decodes."""
    op = operation(plugin, operation_name)
    try:
        op.signature.bind(**kwargs)
    except TypeError as error:
        raise BadCall(f"Bad arguments for {plugin}.{operation_name}: {error}", {"": [str(error)]}) from None
    data = {name: op.adapters[name].dump_python(value, mode="json", warnings=False) for name, value in kwargs.items()}
    check_arguments(op, data)
    return data


def decode_call(plugin: str, operation_name: str, data) -> dict:
    """The keyword arguments (``data.py`` objects, dates …) of a call encoded by
    :func:`encode_call`; ``data`` is the dict or its JSON text. Raises :class:`BadCall`."""
    return check_arguments(operation(plugin, operation_name), data)


def encode_result(plugin: str, operation_name: str, value) -> Any:
    """The JSON value of an operation's result."""
    return operation(plugin, operation_name).result.dump_python(value, mode="json", warnings=False)


def decode_result(plugin: str, operation_name: str, data) -> Any:
    """An operation's result from its JSON value (BadCall when it does not fit the return type)."""
    op = operation(plugin, operation_name)
    try:
        return op.result.validate_json(json.dumps(data, ensure_ascii=False), strict=True)
    except ValidationError as error:
        raise BadCall(f"The result of {plugin}.{operation_name} does not fit its type: {error.errors(include_url=False)[0]['msg']}") from None


# --- adapters -------------------------------------------------------------------------------

# scheme -> factory(manifest, target) -> port object
_ADAPTERS: dict[str, Callable[[Any, str], Any]] = {}


def register_adapter(scheme: str, factory: Callable[[Any, str], Any]) -> None:
    """Make ``ERP_PORTS`` targets starting with ``scheme:`` resolve through ``factory``."""
    _ADAPTERS[scheme] = factory


class InProcessPort:
    """A plugin's port in this process: exactly the Protocol's operations, each the ``api``
    module's function of that name (so a service called through it joins the caller's
    transaction)."""

    def __init__(self, plugin: str, api_module, names):
        self._plugin = plugin
        for name in names:
            setattr(self, name, getattr(api_module, name))

    def __repr__(self) -> str:
        return f"<in-process port of {self._plugin}>"


def _in_process(manifest, target: str):
    module = importlib.import_module(manifest.api)
    if not manifest.port:
        return module
    return InProcessPort(manifest.name, module, operations(manifest.name))


def _http(manifest, target: str):
    from erp.ports.client import HttpPort

    return HttpPort(manifest.name, target, operations(manifest.name))


register_adapter("inprocess", _in_process)
for _scheme in HTTP_SCHEMES:
    register_adapter(_scheme, _http)


def check_routes(routes: dict[str, str], config: dict | None = None) -> None:
    """Stop start-up when ``ERP_PORTS`` routes a plugin to a target no adapter serves, or routes
    one over HTTP without the service key that signs the calls."""
    for name, target in routes.items():
        scheme = target.split(":", 1)[0]
        if scheme not in _ADAPTERS:
            raise PortError(f"ERP_PORTS routes {name!r} to {target!r}, but no adapter serves {scheme!r} targets")
        if scheme in HTTP_SCHEMES:
            from erp.ports.tokens import check_key

            check_key((config or {}).get("ERP_SERVICE_KEY", ""), f"ERP_PORTS routes {name!r} to {target!r}")


def get(name: str):
    """Return the public interface of plugin ``name``.

    Raises :class:`PortError` when the plugin is neither loaded in this process nor routed
    elsewhere by ``ERP_PORTS``.
    """
    ext = current_app.extensions["erp"]
    cache = ext.setdefault("ports", {})
    if name in cache:
        return cache[name]
    target = current_app.config.get("ERP_PORTS", {}).get(name, "inprocess")
    scheme = target.split(":", 1)[0]
    manifest = _manifest(name)
    if scheme == "inprocess" and name not in ext["plugins"]:
        raise PortError(f"Plugin {name!r} is not loaded in this process (see ERP_PLUGINS) and ERP_PORTS does not route it")
    factory = _ADAPTERS.get(scheme)
    if factory is None:
        raise PortError(f"No port adapter for {target!r} (plugin {name!r}); known: {', '.join(sorted(_ADAPTERS))}")
    cache[name] = factory(manifest, target)
    return cache[name]
