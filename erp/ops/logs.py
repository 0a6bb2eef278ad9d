"""Logs to stdout as JSON lines, each carrying the request id of the request it belongs to."""
from __future__ import annotations

import logging
import sys
import time
import uuid

from flask import g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id", "")
            record.path = request.path
            record.method = request.method
        else:
            record.request_id = getattr(record, "request_id", "")
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
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        # Accept a sane id from the gateway so one request can be followed across services.
        g.request_id = incoming if 0 < len(incoming) <= 64 and incoming.replace("-", "").isalnum() else uuid.uuid4().hex
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
