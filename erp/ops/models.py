"""The core's operations tables: per-minute request figures of every instance, and per-minute
samples of the gauges the threshold prediction follows (erp.ops.minutes)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from erp.extensions import db

# Upper bounds (seconds) of the latency buckets, the same for /metrics' histogram and the
# per-minute rows, so both give the same percentiles. A row's bucket columns are not cumulative:
# ``b_500ms`` counts requests that took more than 250 ms and at most 500 ms; requests over the
# last bound are ``requests`` minus the sum of the buckets.
BOUNDS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
BUCKET_COLUMNS: tuple[str, ...] = tuple(f"b_{round(b * 1000)}ms" for b in BOUNDS)
# Additive columns: a flush adds them to the row of its instance, endpoint and minute.
COUNTER_COLUMNS: tuple[str, ...] = ("requests", "errors", "client_errors", "duration_ms_sum",
                                    "apdex_satisfied", "apdex_tolerating", *BUCKET_COLUMNS)


class OpsMinute(db.Model):
    """One instance's requests to one endpoint (the route rule) in one minute (UTC).

    ``apdex_satisfied`` / ``apdex_tolerating`` count requests within T and 4T of the APDEX
    T in force when they were served (ERP_APDEX_T), so the score of any period — a day, a
    month of an SLA report — is (Σ satisfied + Σ tolerating / 2) / Σ requests over its rows."""

    __tablename__ = "core_ops_minute"
    __audit__ = False  # operational figures, written by the processes themselves every minute
    __table_args__ = (sa.UniqueConstraint("minute", "instance", "endpoint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minute: Mapped[datetime] = mapped_column(index=True)
    instance: Mapped[str] = mapped_column(sa.String(100))
    endpoint: Mapped[str] = mapped_column(sa.String(200))
    requests: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)  # answered 5xx
    client_errors: Mapped[int] = mapped_column(default=0)  # answered 4xx
    duration_ms_sum: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    apdex_satisfied: Mapped[int] = mapped_column(default=0)
    apdex_tolerating: Mapped[int] = mapped_column(default=0)
    b_5ms: Mapped[int] = mapped_column(default=0)
    b_10ms: Mapped[int] = mapped_column(default=0)
    b_25ms: Mapped[int] = mapped_column(default=0)
    b_50ms: Mapped[int] = mapped_column(default=0)
    b_100ms: Mapped[int] = mapped_column(default=0)
    b_250ms: Mapped[int] = mapped_column(default=0)
    b_500ms: Mapped[int] = mapped_column(default=0)
    b_1000ms: Mapped[int] = mapped_column(default=0)
    b_2000ms: Mapped[int] = mapped_column(default=0)
    b_5000ms: Mapped[int] = mapped_column(default=0)
    b_10000ms: Mapped[int] = mapped_column(default=0)


class OpsSample(db.Model):
    """A gauge sampled once a minute by an instance: ``db_pool`` (the highest share of a process's
    connection pool in use during the minute), ``outbox_backlog`` (pending deliveries of every
    outbox), ``disk_free`` (bytes free in ERP_STORAGE_DIR)."""

    __tablename__ = "core_ops_sample"
    __audit__ = False
    __table_args__ = (sa.UniqueConstraint("minute", "instance", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minute: Mapped[datetime] = mapped_column(index=True)
    instance: Mapped[str] = mapped_column(sa.String(100))
    name: Mapped[str] = mapped_column(sa.String(40))
    value: Mapped[float] = mapped_column(sa.Float, default=0.0)


class OpsCheck(db.Model):
    """A service check from the user's point of view: a list of steps (JSON), each an HTTP request
    against ERP_CHECK_BASE_URL with what its answer must show — a single URL check is one step,
    a scenario (log in and open a page; compute a bill; look up a complaint) several. ``service``
    names the service the check speaks for in the SLA reports ("core" or a plugin's name)."""

    __tablename__ = "core_ops_check"
    __table_args__ = (sa.UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    service: Mapped[str] = mapped_column(sa.String(40), default="core")
    steps: Mapped[str] = mapped_column(sa.Text)
    interval_minutes: Mapped[int] = mapped_column(default=5)
    active: Mapped[bool] = mapped_column(default=True)
    last_run_at: Mapped[datetime | None] = mapped_column(default=None)


class OpsCheckResult(db.Model):
    """One run of a check: when (UTC), whether every step passed, the last status seen, the
    whole run's time and, on failure, what went wrong."""

    __tablename__ = "core_ops_check_result"
    __audit__ = False  # written by the checks themselves, every few minutes
    __table_args__ = (sa.Index("ix_core_ops_check_result_check_at", "check_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(sa.ForeignKey("core_ops_check.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(index=True)
    ok: Mapped[bool]
    status: Mapped[int | None] = mapped_column(default=None)
    duration_ms: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(sa.String(500), default="")
