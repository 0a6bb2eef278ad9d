"""Liveness and readiness for load balancers and Kubernetes probes."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from erp import migrating
from erp.auth.access import permission_required, public, scrape_only
from erp.extensions import db

bp = Blueprint("ops", __name__)


@bp.route("/healthz")
@public
def healthz():
    """The process is alive and serving requests."""
    return jsonify(status="ok")


@bp.route("/readyz")
@public
def readyz():
    """Ready for traffic: the database answers and every migration history (the core's and each
    loaded plugin's, each in its bind's database) is at its head — or beyond it, at revisions of a
    newer release (erp.migrating.newer): a pod of the previous release stays ready until the
    rolling update replaces it, instead of every such pod leaving the Service at once."""
    checks = {}
    ready = True
    try:
        # The request's own connection: a second one would wait on SQLite for the write lock the
        # request's transaction may hold.
        connection = db.session.connection()
        connection.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
        histories = {history.name: history for history in migrating.histories()}
        behind, ahead = [], []
        for name, (current, expected) in migrating.status().items():
            if current != expected:
                state = f"{name} at {', '.join(sorted(current)) or 'nothing'}, expected {', '.join(sorted(expected))}"
                (ahead if migrating.newer(histories[name], current) else behind).append(state)
        if behind:
            ready = False
            checks["migrations"] = "; ".join(behind)
        elif ahead:
            checks["migrations"] = "newer release: " + "; ".join(ahead)
        else:
            checks["migrations"] = "ok"
    except Exception as error:  # any failure to reach the database means: not ready
        current_app.logger.warning("readiness check failed: %s", error)
        ready = False
        checks.setdefault("database", f"unreachable: {type(error).__name__}")
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


@bp.route("/metrics")
@scrape_only
def metrics():
    """Prometheus' scrape (see erp.ops.metrics); 404 when counting is switched off."""
    from erp.ops import metrics as prometheus

    if not prometheus.enabled(current_app):
        abort(404)
    body, content_type = prometheus.exposition()
    db.session.remove()  # the figures were read in a transaction of their own
    return Response(body, content_type=content_type)


dashboard_bp = Blueprint("ops_dashboard", __name__, url_prefix="/ops")


@dashboard_bp.route("/")
@permission_required("core.ops")
def dashboard():
    """The operations page: traffic, response times, errors and APDEX of every instance, the
    busiest and slowest endpoints, the job queue, the outboxes and the threshold predictions."""
    from erp.ops import dashboard as figures

    period = request.args.get("period", "hour")
    if period not in figures.PERIODS:
        abort(404)
    data = figures.overview(period)
    chart = {
        "labels": [p.label for p in data.points],
        "tps": [round(p.tps, 3) for p in data.points],
        "instances": {name: [round(v, 3) for v in series] for name, series in data.instance_tps.items()},
        "mean_ms": [None if p.mean_ms is None else round(p.mean_ms, 1) for p in data.points],
        "p95_ms": [None if p.p95_ms is None else round(p.p95_ms, 1) for p in data.points],
        "error_rate": [None if p.error_rate is None else round(p.error_rate * 100, 2) for p in data.points],
        "apdex": [None if p.apdex is None else round(p.apdex, 3) for p in data.points],
    }
    return render_template("ops/dashboard.html", data=data, chart=chart, periods=figures.PERIODS, period=period,
                           apdex_t=current_app.config["ERP_APDEX_T"], metric_label=figures.metric_label,
                           value_text=figures.value_text, duration_text=figures.duration_text)
