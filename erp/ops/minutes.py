"""Per-minute figures every replica shares: each process counts its requests in memory and adds
them, at most once a minute, to one row per instance, endpoint and minute in the database
(``core_ops_minute``); the operations page sums the rows of every instance, with no Prometheus.

A request only updates a few integers in memory under a lock; the database sees one statement per
flush (an upsert that *adds* to the row, so processes of one instance, or a flush that is repeated
after an error, never overwrite each other). Flushes run on a timer thread started in each
process (after gunicorn forks) and when the process exits. Once a minute the flush also samples
the gauges the threshold prediction follows (``core_ops_sample``): the peak share of the
connection pool in use, the outbox backlog and the free disk of the attachment store.
"""
from __future__ import annotations

import atexit
import logging
import os
import shutil
import threading
import time
from bisect import bisect_left
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from erp.extensions import db
from erp.ops.models import BOUNDS, BUCKET_COLUMNS, COUNTER_COLUMNS, OpsMinute, OpsSample

log = logging.getLogger(__name__)

_REQUESTS, _ERRORS, _CLIENT_ERRORS, _DURATION, _SATISFIED, _TOLERATING = range(6)
_FIRST_BUCKET = 6


def minute_of(epoch_minute: int) -> datetime:
    return datetime.fromtimestamp(epoch_minute * 60, timezone.utc).replace(tzinfo=None)


class Recorder:
    """One application's per-minute counts in this process (``app.extensions["erp_ops"]``)."""

    def __init__(self, app):
        self.app = app
        self.instance = app.config["ERP_INSTANCE"][:100]
        self.t = float(app.config["ERP_APDEX_T"])
        self.interval = float(app.config["ERP_OPS_FLUSH_SECONDS"])
        self.timer = self.interval > 0 and not app.testing
        self._lock = threading.Lock()
        self._rows: dict[tuple[int, str], list[int]] = {}
        self._pid = 0
        self._stopped = threading.Event()
        self.pool_in_use = 0
        self.pool_peak = 0
        self.pool_capacity = 0

    # --- the request path: a few integer additions ---------------------------------------------

    def record(self, endpoint: str, status: int, seconds: float) -> None:
        if self._pid != os.getpid():
            self._started()
        key = (int(time.time() // 60), endpoint)
        bucket = bisect_left(BOUNDS, seconds)  # the first bound >= seconds, as Prometheus' "le"
        with self._lock:
            row = self._rows.get(key)
            if row is None:
                row = self._rows[key] = [0] * len(COUNTER_COLUMNS)
            row[_REQUESTS] += 1
            if status >= 500:
                row[_ERRORS] += 1
            elif status >= 400:
                row[_CLIENT_ERRORS] += 1
            row[_DURATION] += int(seconds * 1000 + 0.5)
            if seconds <= self.t:
                row[_SATISFIED] += 1
            elif seconds <= 4 * self.t:
                row[_TOLERATING] += 1
            if bucket < len(BOUNDS):
                row[_FIRST_BUCKET + bucket] += 1

    def pool_checkout(self) -> None:
        self.pool_in_use += 1
        if self.pool_in_use > self.pool_peak:
            self.pool_peak = self.pool_in_use

    def pool_checkin(self) -> None:
        self.pool_in_use = max(0, self.pool_in_use - 1)

    # --- flushing -------------------------------------------------------------------------------

    def _started(self) -> None:
        """First request of this process (gunicorn forks after the app is loaded): start its timer."""
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._rows.clear()  # counts inherited from the parent process are the parent's
        if self.timer:  # a server's process (tests flush by hand, on databases they then remove)
            atexit.register(self.flush, samples=False)
            threading.Thread(target=self._run, name="erp-ops-flush", daemon=True).start()

    def _run(self) -> None:
        while not self._stopped.wait(self.interval):
            self.flush()

    def take(self) -> list[dict]:
        """The counted rows, removed from memory."""
        with self._lock:
            rows, self._rows = self._rows, {}
        return [{"minute": minute_of(m), "instance": self.instance, "endpoint": endpoint[:200],
                 **dict(zip(COUNTER_COLUMNS, counts, strict=True))} for (m, endpoint), counts in rows.items()]

    def _put_back(self, rows: list[dict]) -> None:
        with self._lock:
            for row in rows:
                key = (int(row["minute"].replace(tzinfo=timezone.utc).timestamp() // 60), row["endpoint"])
                mine = self._rows.setdefault(key, [0] * len(COUNTER_COLUMNS))
                for i, column in enumerate(COUNTER_COLUMNS):
                    mine[i] += row[column]

    def samples(self) -> list[dict]:
        """The gauges of this minute (needs an app context)."""
        from erp.ops import figures

        minute = minute_of(int(time.time() // 60))
        values: dict[str, float] = {}
        if self.pool_capacity:
            values["db_pool"] = self.pool_peak / self.pool_capacity
        self.pool_peak = self.pool_in_use
        try:
            values["outbox_backlog"] = float(sum(state.pending for state in figures.outboxes()))
        finally:
            db.session.remove()
        storage = self.app.config["ERP_STORAGE_DIR"]
        if os.path.isdir(storage):
            values["disk_free"] = float(shutil.disk_usage(storage).free)
        return [{"minute": minute, "instance": self.instance, "name": name, "value": value} for name, value in values.items()]

    def flush(self, *, samples: bool = True) -> int:
        """Add this process's counts to the database (and sample the gauges); returns the rows
        written. On a database error the counts are kept for the next flush."""
        rows = self.take()
        try:
            with self.app.app_context():
                sampled = self.samples() if samples else []
                if rows or sampled:
                    with db.engine.begin() as connection:
                        if rows:
                            upsert(connection, OpsMinute.__table__, ("minute", "instance", "endpoint"), rows,
                                   {c: lambda old, new: old + new for c in COUNTER_COLUMNS})
                        if sampled:
                            upsert(connection, OpsSample.__table__, ("minute", "instance", "name"), sampled,
                                   {"value": _greatest})
        except Exception as error:  # never lose the counts, never break the process for figures
            log.warning("per-minute figures not written (kept for the next flush): %s", error)
            self._put_back(rows)
            return 0
        return len(rows)


def _greatest(old, new):
    # Several processes of one instance sample the same minute: keep the highest (the busiest pool).
    return sa.func.greatest(old, new) if db.engine.dialect.name in ("mysql", "mariadb") else sa.func.max(old, new)


def upsert(connection, table: sa.Table, keys: tuple[str, ...], rows: list[dict], combine: dict) -> None:
    """INSERT ``rows``; a row whose ``keys`` exist gets ``combine[column](old, new)`` instead."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert

        statement = insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=list(keys), set_={c: f(table.c[c], statement.excluded[c]) for c, f in combine.items()})
    elif dialect in ("mysql", "mariadb"):
        from sqlalchemy.dialects.mysql import insert

        statement = insert(table)
        statement = statement.on_duplicate_key_update({c: f(table.c[c], statement.inserted[c]) for c, f in combine.items()})
    else:
        raise RuntimeError(f"per-minute figures need SQLite or MariaDB/MySQL, not {dialect}")
    connection.execute(statement, rows)


def cleanup(keep_days: int, now: datetime | None = None) -> int:
    """Delete per-minute rows and samples older than ``keep_days``; returns the rows deleted."""
    from erp.common.clock import utcnow

    before = (now or utcnow()) - timedelta(days=keep_days)
    deleted = db.session.execute(sa.delete(OpsMinute).where(OpsMinute.minute < before)).rowcount
    deleted += db.session.execute(sa.delete(OpsSample).where(OpsSample.minute < before)).rowcount
    return int(deleted)


__all__ = ["BUCKET_COLUMNS", "Recorder", "cleanup", "upsert"]
