"""The core's job table: the state of every queued job, kept in the application's database so
that a job survives the loss of its worker or of its queue message (see ``erp.jobs``)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from erp.common.clock import utcnow
from erp.extensions import db

ACTIVE = ("pending", "running")


class Job(db.Model):
    """One unit of long or periodic work: what to run (``kind`` and JSON ``args``), who asked
    for it, and how far it got. ``attempts`` counts the claims; the claim's number is the lease
    a worker's heartbeat and result must present, so a worker that was presumed dead cannot
    overwrite the state of the worker that took over."""

    __tablename__ = "core_job"
    __audit__ = False  # heartbeats and progress would flood the trail; the jobs' own writes are audited
    __table_args__ = (sa.Index("ix_core_job_status_heartbeat", "status", "heartbeat_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(80), index=True)
    # Jobs with the same key are not queued twice while one of them is pending or running.
    key: Mapped[str] = mapped_column(sa.String(120), default="", index=True)
    args: Mapped[str] = mapped_column(sa.Text, default="{}")
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    result: Mapped[str] = mapped_column(sa.String(300), default="")
    error: Mapped[str] = mapped_column(sa.String(500), default="")
    actor_id: Mapped[int | None] = mapped_column(default=None)
    actor: Mapped[str] = mapped_column(sa.String(80), default="")
    # The request that asked for the job: its log lines carry the same id (erp.ops.logs).
    request_id: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return min(99, self.progress_done * 100 // self.progress_total) if self.progress_total else 0

    def __str__(self) -> str:
        return f"job {self.id} {self.kind} {self.status}"
