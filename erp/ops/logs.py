"""Logs to stdout as JSON lines, each carrying the request id of the request it belongs to."""
from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from flask import g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
TRACEPARENT_HEADER = "traceparent"
# W3C Trace Context: version-traceid-parentid-flags; the trace id names the request end to end.
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")

# The request id of work done outside a request on its behalf (a job it queued).
_request_id: ContextVar[str] = ContextVar("erp_request_id", default="")


def current_request_id() -> str:
    """The id of the request this work belongs to: the request being served, or the request that
    queued the job being run; "" for work of nobody's request (a periodic job, a command)."""
    if has_request_context():
        return g.get("request_id", "")
    return _request_id.get()


@contextmanager
def request_id_of(request_id: str):
    """Run the block on behalf of request ``request_id``: its log lines and the port calls and
    jobs it makes carry that id."""
    token = _request_id.set(request_id or "")
    try:
        yield
    finally:
        _request_id.reset(token)


def incoming_request_id(headers) -> str:
    """The id a gateway or calling service sent (``X-Request-ID``, else a W3C ``traceparent``'s
    trace id), if sane; else a new one."""
    incoming = headers.get(REQUEST_ID_HEADER, "")
    if 0 < len(incoming) <= 64 and incoming.replace("-", "").isalnum():
        return incoming
    parent = headers.get(TRACEPARENT_HEADER)
    if parent:
        match = _TRACEPARENT.match(parent.strip())
        if match and match.group(1) != "0" * 32:
            return match.group(1)
    return uuid.uuid4().hex


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id", "")
            record.path = request.path
            record.method = request.method
        else:
            record.request_id = getattr(record, "request_id", "") or _request_id.get()
        return True


class StdoutHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is at the moment (gunicorn and test runners swap it)."""

    def __init__(self):
        super().__init__(sys.stdout)

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, value):
        pass


def json_formatter() -> JsonFormatter:
    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        json_ensure_ascii=False,
    )


def configure(app) -> None:
    """Send the app's logs (and the root logger's) to stdout as JSON lines."""
    # Every request writes an access line, so a record's cost counts. The JSON lines carry none
    # of the caller's file and line, thread or process: don't collect them (the logging HOWTO's
    # "Optimization" settings).
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    handler = StdoutHandler()
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_erp", False):
            root.removeHandler(existing)
    handler._erp = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(app.config.get("ERP_LOG_LEVEL", "INFO"))
    # Libraries' start-up chatter (alembic's plugin set-up, …) is not operations news.
    for noisy in ("alembic.runtime.plugins",):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    app.logger.handlers.clear()  # propagate to the root handler only
    app.logger.propagate = True

    access = logging.getLogger("erp.access")

    @app.before_request
    def assign_request_id():
        # Accept a sane id from the gateway so one request can be followed across services.
        g.request_id = incoming_request_id(request.headers)
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
        if request.endpoint not in ("ops.healthz", "ops.readyz", "static"):
            access.info(
                "request",
                extra={
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 1),
                    "endpoint": request.endpoint,
                },
            )
        return response
