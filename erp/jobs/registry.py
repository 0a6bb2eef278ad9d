"""What a plugin declares: its job kinds (``JobSet``), their periodic schedules, and what a
running job is handed (``JobContext``)."""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import sqlalchemy as sa
from flask import current_app

from erp.common.clock import utcnow
from erp.extensions import db
from erp.jobs.models import Job


@dataclass(frozen=True)
class PeriodicJob:
    """A job kind queued on a schedule: ``cron`` is "minute hour day month weekday" in the
    office's time zone (ERP_TIMEZONE), as a Kubernetes CronJob would say it."""

    kind: str
    cron: str

    def fields(self) -> dict[str, str]:
        parts = self.cron.split()
        if len(parts) != 5:
            raise ValueError(f"Schedule of {self.kind!r} must have five fields (minute hour day month weekday): {self.cron!r}")
        return dict(zip(("minute", "hour", "day", "month", "day_of_week"), parts, strict=True))


@dataclass
class JobSet:
    """A plugin's jobs: ``@jobs.job(kind)`` and ``@jobs.periodic(kind, cron)`` register handlers
    ``handler(job: JobContext, **args) -> str`` (the returned text is the job's result)."""

    handlers: dict[str, Callable] = field(default_factory=dict)
    schedules: list[PeriodicJob] = field(default_factory=list)

    def job(self, kind: str):
        def register(handler: Callable) -> Callable:
            if kind in self.handlers:
                raise ValueError(f"Job kind {kind!r} is declared twice")
            self.handlers[kind] = handler
            return handler

        return register

    def periodic(self, kind: str, cron: str):
        schedule = PeriodicJob(kind, cron)
        schedule.fields()  # a malformed schedule fails when the plugin loads, not at midnight

        def register(handler: Callable) -> Callable:
            self.job(kind)(handler)
            self.schedules.append(schedule)
            return handler

        return register


class JobContext:
    """What a running job can do besides its work: report progress (which is also a heartbeat)
    and leave a file for the user to download."""

    def __init__(self, job_id: int, kind: str, lease: int):
        self.id, self.kind, self.lease = job_id, kind, lease

    def progress(self, done: int, total: int) -> None:
        """Record ``done`` of ``total``; commits the session, so call it between units of work."""
        db.session.execute(
            sa.update(Job).where(Job.id == self.id, Job.attempts == self.lease, Job.status == "running")
            .values(progress_done=int(done), progress_total=int(total), heartbeat_at=utcnow())
            .execution_options(synchronize_session=False))
        db.session.commit()

    def write_file(self, data: bytes, suffix: str) -> str:
        """Keep ``data`` as this job's output file and return its name. The file is written aside
        and renamed into place, so a reader (or a job run again) never sees half a file."""
        name = f"job-{self.id}.{suffix}"
        _write(output_dir(), name, data)
        return name


def _write(folder: Path, name: str, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{name}.{os.getpid()}.part"
    partial.write_bytes(data)
    os.replace(partial, folder / name)


def keep_input(data: bytes, suffix: str) -> str:
    """Keep an uploaded file for a job to read (the web and the worker share the storage
    directory); returns the name to pass to the job. Written aside and renamed into place."""
    name = f"{uuid.uuid4().hex}.{suffix}"
    _write(output_dir() / "inputs", name, data)
    return name


def input_path(name: str) -> Path:
    """Where the input ``name`` (from :func:`keep_input`) lies; refuses a name that is not one."""
    if Path(name).name != name or name.startswith("."):
        raise ValueError(f"not an input file name: {name!r}")
    return output_dir() / "inputs" / name


def output_dir() -> Path:
    """Where jobs leave files for download (under ERP_STORAGE_DIR, shared by web and worker)."""
    return Path(current_app.config["ERP_STORAGE_DIR"]) / "jobs"
