"""Liveness and readiness for load balancers and Kubernetes probes."""
from __future__ import annotations

from functools import lru_cache

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify

from erp.auth.access import public
from erp.config import ROOT
from erp.extensions import db

bp = Blueprint("ops", __name__)


@lru_cache(maxsize=1)
def migration_heads() -> frozenset[str]:
    """The head revisions of the migrations shipped with this code (read once per process)."""
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def _current_revisions(connection) -> frozenset[str]:
    """What ``alembic_version`` says (read directly: alembic's MigrationContext logs on every call)."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return frozenset()
    return frozenset(connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())


@bp.route("/healthz")
@public
def healthz():
    """The process is alive and serving requests."""
    return jsonify(status="ok")


@bp.route("/readyz")
@public
def readyz():
    """Ready for traffic: the database answers and its schema is at the migrations' head."""
    checks = {}
    ready = True
    try:
        # The request's own connection: a second one would wait on SQLite for the write lock the
        # request's transaction may hold.
        connection = db.session.connection()
        connection.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
        current = _current_revisions(connection)
        expected = migration_heads()
        if current == expected:
            checks["migrations"] = "ok"
        else:
            ready = False
            checks["migrations"] = f"at {', '.join(sorted(current)) or 'nothing'}, expected {', '.join(sorted(expected))}"
    except Exception as error:  # any failure to reach the database means: not ready
        current_app.logger.warning("readiness check failed: %s", error)
        ready = False
        checks.setdefault("database", f"unreachable: {type(error).__name__}")
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503
