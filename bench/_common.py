"""Shared set-up of the benchmark scripts: a throw-away database and a migrated app."""
from __future__ import annotations

import os
import tempfile
import time
from contextlib import contextmanager

import sqlalchemy as sa


def database_url(name: str) -> str:
    """DATABASE_URL if set (a MariaDB database is dropped and created afresh), else a new SQLite file."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='erp-bench-')}/{name}.sqlite"
    if url.startswith("mysql"):
        server, _, rest = url.rpartition("/")
        database = rest.split("?")[0]
        engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{database}`"))
            conn.execute(sa.text(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4"))
        engine.dispose()
    os.environ.setdefault("ERP_INSTANCE_DIR", tempfile.mkdtemp(prefix="erp-bench-instance-"))
    return url


def migrated_app(url: str, **settings):
    """The application on ``url`` with the schema and reference data in place."""
    from erp.migrating import upgrade

    from erp import create_app
    from erp.audit.services import acting_as
    from erp.cli import run_setup

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ERP_LOG_LEVEL": "WARNING", **settings})
    with app.app_context(), acting_as(None, "bench"):
        upgrade()
        run_setup()
    return app


@contextmanager
def timed(label: str, results: dict):
    start = time.perf_counter()
    yield
    results[label] = time.perf_counter() - start
    print(f"{label:<34} {results[label]:8.2f} s", flush=True)
