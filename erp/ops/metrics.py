"""``/metrics`` in Prometheus' text format (prometheus-client), and the request hooks that count.

Counted by every process as it serves: requests per endpoint (the route rule, never the raw URL),
method and status; their latency histogram; requests in flight; connections of the database pool
in use; failed logins. Read from the database when scraped (``erp.ops.figures``): the job queue,
every outbox's backlog and the age of its oldest pending delivery, and the plugins' figures
(bill-run progress, complaints overdue now); and the threshold prediction (seconds until each
metric is predicted to cross its alert threshold, ``+Inf`` when it is not heading there).

Several gunicorn workers: prometheus-client's multiprocess mode, which the launcher turns on by
setting ``PROMETHEUS_MULTIPROC_DIR`` (deploy/gunicorn.conf.py creates and empties the directory
at start and marks dead workers in ``child_exit``); every worker's files are merged on a scrape,
whichever worker answers it. Without the variable (tests, ``flask run``) the process's own
registry is served.
"""
from __future__ import annotations

import hmac
import ipaddress
import os
import threading
import time

from flask import current_app, g, request
from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram,
                               disable_created_metrics, generate_latest)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import event

from erp.ops.models import BOUNDS

# The "_created" timestamps of every series double the text of a scrape and are not used here.
disable_created_metrics()

REQUESTS = Counter("erp_http_requests", "HTTP requests answered, by endpoint (route rule), method and status",
                   ("endpoint", "method", "status"))
LATENCY = Histogram("erp_http_request_duration_seconds", "Time to answer HTTP requests, by endpoint and method",
                    ("endpoint", "method"), buckets=BOUNDS)
IN_FLIGHT = Gauge("erp_http_requests_in_flight", "HTTP requests being answered now", multiprocess_mode="livesum")
POOL_IN_USE = Gauge("erp_db_pool_connections_in_use", "Database connections checked out of the pools now",
                    multiprocess_mode="livesum")
LOGIN_FAILURES = Counter("erp_login_failures", "Failed logins (wrong password, unknown user, locked account)")

UNMATCHED = "(no route)"


class _SampledInFlight:
    """The requests this process is answering, for the gauge under several workers. There a
    gauge lives in a memory-mapped file whose every write takes a lock and packs a record — twice
    a request, two fifths of what counting costs — so the count is kept here and written to the
    gauge once a second, when it changed (the scrape sees it at most a second late)."""

    def __init__(self):
        self.count = 0
        self._lock = threading.Lock()
        self._pid = 0

    def inc(self) -> None:
        with self._lock:
            self.count += 1
        if self._pid != os.getpid():  # the first request of this (forked) process
            self._pid = os.getpid()
            threading.Thread(target=self._publish, name="erp-in-flight", daemon=True).start()

    def dec(self) -> None:
        with self._lock:
            self.count -= 1

    def _publish(self) -> None:
        published = None
        while True:
            count = self.count
            if count != published:
                IN_FLIGHT.set(count)
                published = count
            time.sleep(1.0)


def enabled(app) -> bool:
    return bool(app.config.get("ERP_METRICS", True))


def init_app(app) -> None:
    """Count every request of ``app`` (ERP_METRICS=0 turns counting and /metrics off)."""
    from erp.ops.minutes import Recorder

    # Settings that would otherwise fail on the first scrape or page stop start-up instead.
    try:
        app.extensions["erp_metrics_allow"] = allowed_networks(app.config.get("ERP_METRICS_ALLOW", ""))
    except ValueError as error:
        raise RuntimeError(f"ERP_METRICS_ALLOW must list networks such as 127.0.0.1/32,10.0.0.0/8: {error}") from None
    if app.config.get("ERP_PREDICT_METHOD", "linear") not in ("linear", "holt"):
        raise RuntimeError(f"ERP_PREDICT_METHOD must be linear or holt, not {app.config['ERP_PREDICT_METHOD']!r}")
    if not enabled(app):
        return
    recorder = app.extensions["erp_ops"] = Recorder(app)
    children: dict = {}  # (endpoint, method, status) -> (counter child, histogram child)
    in_flight = _SampledInFlight() if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else IN_FLIGHT

    @app.before_request
    def started():
        g.ops_started = time.perf_counter()
        g.ops_in_flight = True
        in_flight.inc()

    @app.after_request
    def answered(response):
        started_at = g.pop("ops_started", None)
        if started_at is None:
            return response
        seconds = time.perf_counter() - started_at
        rule = request.url_rule
        endpoint = rule.rule if rule is not None else UNMATCHED
        key = (endpoint, request.method, response.status_code)
        pair = children.get(key)
        if pair is None:
            pair = children[key] = (REQUESTS.labels(endpoint, request.method, str(response.status_code)),
                                    LATENCY.labels(endpoint, request.method))
        pair[0].inc()
        pair[1].observe(seconds)
        recorder.record(endpoint, response.status_code, seconds)
        return response

    @app.teardown_request
    def finished(_error=None):
        if g.pop("ops_in_flight", False):  # counted in before_request (an earlier hook may have failed)
            in_flight.dec()

    with app.app_context():
        from erp.extensions import db

        for engine in {id(e): e for e in db.engines.values()}.values():
            pool = engine.pool
            size = getattr(pool, "size", None)
            if callable(size):
                recorder.pool_capacity += size() + max(0, getattr(pool, "_max_overflow", 0))
            event.listen(engine, "checkout", _checkout(recorder))
            event.listen(engine, "checkin", _checkin(recorder))


def _checkout(recorder):
    def on_checkout(*_args):
        POOL_IN_USE.inc()
        recorder.pool_checkout()

    return on_checkout


def _checkin(recorder):
    def on_checkin(*_args):
        POOL_IN_USE.dec()
        recorder.pool_checkin()

    return on_checkin


def login_failed() -> None:
    LOGIN_FAILURES.inc()


# --- the scrape ------------------------------------------------------------------------------------

class _DatabaseCollector:
    """Figures read from the database at scrape time, and the predictions."""

    def collect(self):
        from erp.ops import dashboard, figures

        families: dict[str, GaugeMetricFamily] = {}
        for figure in figures.collect():
            family = families.get(figure.name)
            if family is None:
                family = families[figure.name] = GaugeMetricFamily(figure.name, figure.help, labels=sorted(figure.labels))
            family.add_metric([figure.labels[k] for k in sorted(figure.labels)], figure.value)
        yield from families.values()
        seconds = GaugeMetricFamily("erp_prediction_seconds_to_threshold",
                                    "Seconds until a metric's trend crosses its alert threshold (+Inf: not heading there)",
                                    labels=["metric"])
        for prediction in dashboard.cached_predictions():
            seconds.add_metric([prediction.metric], float("inf") if prediction.seconds is None else prediction.seconds)
        yield seconds


class _ThisProcess:
    """The process's own registry, for a server without multiprocess mode."""

    def collect(self):
        yield from REGISTRY.collect()


def exposition() -> tuple[bytes, str]:
    """The text of a scrape and its content type."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(_DatabaseCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


def scrape_allowed() -> bool:
    """A scraper presents ``ERP_METRICS_TOKEN`` as a bearer token, or comes from an address of
    ``ERP_METRICS_ALLOW`` (networks, default loopback only)."""
    config = current_app.config
    token = config.get("ERP_METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in current_app.extensions.get("erp_metrics_allow", ()))


def allowed_networks(raw: str) -> list:
    networks = []
    for part in raw.split(","):
        part = part.strip()
        if part:
            networks.append(ipaddress.ip_network(part, strict=False))
    return networks
