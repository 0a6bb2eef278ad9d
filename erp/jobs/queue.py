"""The application's Huey instance, built from ``ERP_QUEUE_URL``, and its two kinds of message:
"run job N" and the periodic ones (the reaper, and each plugin's schedules)."""
from __future__ import annotations

from datetime import timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab

from erp.jobs.registry import JobSet, PeriodicJob


def make_huey(url: str, name: str):
    """A Huey for ``url``: ``immediate``, ``sqlite:///path`` or ``redis://…``. Results are not
    kept by Huey: a job's outcome is in the job table."""
    if url == "immediate":
        return MemoryHuey(name, immediate=True, results=False)
    scheme = url.partition("://")[0]
    if scheme == "sqlite" and url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), results=False)
    if scheme in ("redis", "rediss", "unix"):
        return RedisHuey(name, url=url, results=False)
    raise RuntimeError(f"ERP_QUEUE_URL {url!r} is not a queue this application knows: use sqlite:///path/queue.sqlite, "
                       "redis://host:6379/0 or immediate")


class Queue:
    """One application's queue: the Huey instance, the job kinds the loaded plugins declare and
    their schedules."""

    def __init__(self, app):
        self.app = app
        self.url = app.config["ERP_QUEUE_URL"]
        self.huey = make_huey(self.url, app.config["ERP_QUEUE_NAME"])
        self.handlers: dict = {}
        self.schedules: list[PeriodicJob] = []
        self.zone = ZoneInfo(app.config["ERP_TIMEZONE"])
        self._run_job = self.huey.task(name="erp.run_job")(self._execute)
        self.huey.periodic_task(crontab(), name="erp.reap")(self._reap)

    @property
    def immediate(self) -> bool:
        return self.huey.immediate

    def add(self, jobs: JobSet) -> None:
        """Add a plugin's job kinds and put its schedules on Huey's periodic scheduler."""
        for kind, handler in jobs.handlers.items():
            if kind in self.handlers:
                raise ValueError(f"Job kind {kind!r} is declared by two plugins")
            self.handlers[kind] = handler
        for schedule in jobs.schedules:
            self.schedules.append(schedule)
            self.huey.periodic_task(self._at(schedule), name=f"erp.periodic.{schedule.kind}")(self._enqueuer(schedule.kind))

    def send(self, job_id: int) -> None:
        """Put "run job ``job_id``" on the queue (in immediate mode: run it now)."""
        self._run_job(job_id)

    def consumer(self, workers: int, periodic: bool):
        """Huey's consumer: ``workers`` threads of this process, and its scheduler. SIGTERM (what
        Kubernetes and process managers send) lets running jobs finish; one stopped by SIGKILL
        instead is taken over by the reaper."""
        return self.huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic,
                                         graceful_signal="TERM", check_worker_health=True)

    # --- what the messages do -----------------------------------------------------------------

    def _execute(self, job_id: int) -> None:
        from erp.jobs import services

        with self.app.app_context():
            services.execute(job_id)

    def _reap(self) -> None:
        from erp.jobs import services

        with self.app.app_context():
            services.reap()

    def _enqueuer(self, kind: str):
        def enqueue_periodic() -> None:
            from erp.jobs import services

            with self.app.app_context():
                services.enqueue(kind, key=f"periodic:{kind}")

        enqueue_periodic.__name__ = f"periodic_{kind.replace('.', '_').replace('-', '_')}"
        return enqueue_periodic

    def _at(self, schedule: PeriodicJob):
        """Huey's scheduler ticks in UTC; the schedule speaks the office's time zone."""
        matches = crontab(**schedule.fields())
        zone = self.zone

        def validate(timestamp) -> bool:
            return matches(timestamp.replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None))

        return validate
