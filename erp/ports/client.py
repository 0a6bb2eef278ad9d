"""The HTTP adapter: a plugin's port served by another process (``ERP_PORTS=rates=http://rates:8000``).

:class:`HttpPort` has the same operations, with the same signatures, as the in-process port; each
call is ``POST <target>/api/<plugin>/port/<operation>`` with the JSON of :func:`erp.ports.encode_call`,
answered by the plugin's port blueprint (:mod:`erp.ports.service`).

- Every call carries a fresh service token (:mod:`erp.ports.tokens`) naming this service
  (``ERP_SERVICE_NAME``), the acting user and the request id; the request id also goes as
  ``X-Request-ID`` and the caller's language as ``X-ERP-Locale``, so refusals read as they would
  in process.
- urllib3 with one pool of connections per process (created after gunicorn forks, never shared
  with the master), a timeout of ``ERP_PORT_TIMEOUT`` seconds for connecting and for each read.
  urllib3 rather than ``requests`` on top of it: a call between two services of one installation
  needs none of a browser-like session's cookies, proxies from the environment or hooks, which
  cost a quarter of a millisecond a call — a tenth of a whole call on loopback.
- Retries (urllib3 ``Retry``: ``ERP_PORT_RETRIES`` times, short backoff, on connection errors,
  timeouts and 502/503/504) only for calls the Protocol marks idempotent; any other call is sent
  once, and if its fate is unknown the caller gets :class:`~erp.ports.PortError`.
- The callee's refusal (422) is raised here as the ``ServiceError`` it raised there, with its
  message and field errors; arguments it could not accept (400) as :class:`~erp.ports.BadCall`;
  a refused token (401/403), an unknown operation, a server error or no answer as ``PortError``.
"""
from __future__ import annotations

import json
import os
import threading

import urllib3
from flask import current_app
from urllib3.util.retry import Retry

from erp.common.errors import ServiceError
from erp.ports import BadCall, Operation, PortError, decode_result, encode_call
from erp.ops.logs import current_request_id
from erp.ports.tokens import Claims, body_digest, check_key, issue

LOCALE_HEADER = "X-ERP-Locale"
RETRY_STATUSES = (502, 503, 504)

_pools: dict[int, urllib3.PoolManager] = {}
_lock = threading.Lock()


def _pool() -> urllib3.PoolManager:
    """This process's connection pool (one per process: a forked worker makes its own)."""
    pid = os.getpid()
    with _lock:
        pool = _pools.get(pid)
        if pool is None:
            pool = _pools[pid] = urllib3.PoolManager(num_pools=8, maxsize=16)
    return pool


def _retry(retries: int) -> Retry:
    """The retry policy of a call allowed ``retries`` retries (0: sent once, its answer as it is)."""
    if not retries:
        return Retry(total=0, read=False, redirect=False, raise_on_status=False)
    # Any method: these are the operations the Protocol marks idempotent. A Retry-After header is
    # not obeyed, so a call stays bounded by the timeout and the backoff.
    return Retry(total=retries, connect=retries, read=retries, status=retries, other=0, redirect=False,
                 allowed_methods=None, status_forcelist=RETRY_STATUSES, backoff_factor=0.1,
                 respect_retry_after_header=False, raise_on_status=True)


class HttpPort:
    """A plugin's port reached over HTTP; built by :func:`erp.ports.get` in an app context."""

    def __init__(self, plugin: str, target: str, operations: dict[str, Operation]):
        config = current_app.config
        check_key(config.get("ERP_SERVICE_KEY", ""), f"ERP_PORTS routes {plugin!r} to {target!r}")
        self._plugin, self._base = plugin, target.rstrip("/")
        self._key = config["ERP_SERVICE_KEY"]
        self._service = config.get("ERP_SERVICE_NAME") or "erp"
        self._timeout = float(config.get("ERP_PORT_TIMEOUT", 10))
        self._retries = int(config.get("ERP_PORT_RETRIES", 2))
        for name, op in operations.items():
            setattr(self, name, self._method(op))

    def __repr__(self) -> str:
        return f"<HTTP port of {self._plugin} at {self._base}>"

    def _method(self, op: Operation):
        def call(*args, **kwargs):
            return self._call(op, op.bind(args, kwargs))

        call.__name__ = call.__qualname__ = op.name
        call.__doc__ = op.doc
        call.__signature__ = op.signature
        return call

    def _call(self, op: Operation, kwargs: dict):
        from erp.audit.services import current_actor

        body = json.dumps(encode_call(self._plugin, op.name, kwargs), ensure_ascii=False).encode("utf-8")
        user_id, user = current_actor()
        request_id = current_request_id()
        token = issue(self._key, Claims(self._service, user_id, user, request_id, f"{self._plugin}.{op.name}", body_digest(body)))
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", LOCALE_HEADER: _locale()}
        if request_id:
            headers["X-Request-ID"] = request_id
        url = f"{self._base}/api/{self._plugin}/port/{op.name}"
        retries = self._retries if op.is_idempotent(kwargs) else 0
        try:
            response = _pool().request("POST", url, body=body, headers=headers, retries=_retry(retries),
                                       timeout=urllib3.Timeout(connect=self._timeout, read=self._timeout))
        except urllib3.exceptions.HTTPError as error:
            current_app.logger.warning("port call %s.%s failed: %s", self._plugin, op.name, error)
            raise PortError(f"The {self._plugin} service at {self._base} did not answer ({type(error).__name__})") from error
        return self._answer(op, response.status, response.data)

    def _answer(self, op: Operation, status: int, content: bytes):
        try:
            data = json.loads(content)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise PortError(f"The {self._plugin} service answered {status} without a JSON body")
        message = str(data.get("message") or "")
        if status == 200 and "result" in data:
            try:
                return decode_result(self._plugin, op.name, data["result"])
            except BadCall as error:  # the other side runs another version of the interface
                raise PortError(error.message) from None
        if status in (400, 422):
            errors = data.get("errors") if isinstance(data.get("errors"), dict) else {}
            errors = {str(k): [str(m) for m in v] for k, v in errors.items() if isinstance(v, list)}
            raise (BadCall if status == 400 else ServiceError)(message, errors)
        if status in (401, 403):
            raise PortError(f"The {self._plugin} service refused this service's call: {message}")
        raise PortError(f"The {self._plugin} service answered {status}: {message}")


def _locale() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale) if locale else ""
