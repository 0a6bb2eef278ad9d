"""Liveness and readiness for load balancers and Kubernetes probes."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from erp import migrating
from erp.auth.access import public
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
