"""Queueing, claiming, running and reaping jobs. The job table is the truth; a queue message is
only a nudge to look at one row, so a lost or doubled message changes nothing."""
from __future__ import annotations

import functools
import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from erp.audit import services as audit
from erp.common import tx
from erp.common.clock import utcnow
from erp.common.errors import ServiceError
from erp.extensions import db
from erp.jobs.models import ACTIVE, Job
from erp.jobs.registry import JobContext
from erp.ops.logs import current_request_id, request_id_of

@dataclass(frozen=True)
class JobInfo:
    """A job as pages and commands show it."""

    id: int
    kind: str
    key: str
    args: dict
    status: str  # pending, running, done, failed
    attempts: int
    progress_done: int
    progress_total: int
    percent: int
    result: str
    error: str
    actor: str
    created_at: datetime
    finished_at: datetime | None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


def _info(job: Job) -> JobInfo:
    return JobInfo(job.id, job.kind, job.key, json.loads(job.args or "{}"), job.status, job.attempts, job.progress_done,
                   job.progress_total, job.percent, job.result, job.error, job.actor, job.created_at, job.finished_at)


def _queue():
    return current_app.extensions["erp_jobs"]


def _stale_before(now: datetime) -> datetime:
    return now - timedelta(seconds=current_app.config["ERP_JOB_STALE_SECONDS"])


@tx.transactional
def enqueue(kind: str, *, key: str = "", **args) -> int:
    """Ask for job ``kind`` with ``args`` (JSON-serialisable keyword arguments of its handler);
    returns the job's id. With a ``key``, a pending or running job of the same key is returned
    instead of a second one (a periodic relay, the bill run of one run).

    The job row is written in the caller's unit of work (called inside another service, it joins
    it; see ``erp.common.tx``); its queue message is sent once the outermost work has committed,
    so a job whose transaction rolls back never runs and a job that is committed is never lost (the
    reaper sends it again if the message was). Raises ValueError for a kind no loaded plugin
    declares."""
    if kind not in _queue().handlers:
        raise ValueError(f"No loaded plugin declares the job kind {kind!r}")
    payload = json.dumps(args, ensure_ascii=False, sort_keys=True)
    key = (key or "")[:120]
    if key:
        existing = db.session.execute(sa.select(Job.id).where(Job.key == key, Job.status.in_(ACTIVE))
                                      .order_by(Job.id).limit(1)).scalar()
        if existing is not None:
            return existing
    job_id = _add(kind, key, payload)
    tx.after_commit(functools.partial(_send, job_id))
    tx.commit()
    return job_id


def _add(kind: str, key: str, payload: str) -> int:
    actor_id, actor = audit.current_actor()
    now = utcnow()
    job = Job(kind=kind, key=key, args=payload, status="pending", actor_id=actor_id, actor=(actor or "")[:80],
              request_id=current_request_id()[:64], created_at=now, queued_at=now)
    db.session.add(job)
    db.session.flush()
    return job.id


def _send(job_id: int) -> None:
    try:
        _queue().send(job_id)
    except Exception:  # the row is committed: the reaper sends it again, the caller's work stands
        current_app.logger.exception("job %s committed but not sent to the queue; the reaper will send it", job_id)


def get(job_id: int) -> JobInfo | None:
    """The job ``job_id`` as it stands, or None."""
    job = db.session.get(Job, job_id)
    return _info(job) if job is not None else None


def latest(key: str) -> JobInfo | None:
    """The newest job queued with ``key``, or None."""
    job = db.session.execute(sa.select(Job).where(Job.key == key).order_by(Job.id.desc()).limit(1)).scalar()
    return _info(job) if job is not None else None


def run_now(kind: str, **args) -> JobInfo:
    """Run job ``kind`` in this process at once and return it finished (or failed): for
    commands and for Kubernetes CronJobs that schedule without the worker's scheduler. The job
    is recorded like a queued one."""
    if kind not in _queue().handlers:
        raise ValueError(f"No loaded plugin declares the job kind {kind!r}")
    job_id = _add(kind, "", json.dumps(args, ensure_ascii=False, sort_keys=True))
    db.session.commit()
    execute(job_id)
    return get(job_id)


def execute(job_id: int) -> None:
    """Claim job ``job_id`` and run it, unless it is done, failed, or running with a live
    heartbeat elsewhere. What the queue's message does; needs an app context of its own.

    A job of a kind no plugin loaded here declares is left alone: in split mode the services share
    the job table, and the job belongs to the worker of the service that declares it."""
    queue = _queue()
    kind = db.session.execute(sa.select(Job.kind).where(Job.id == job_id)).scalar()
    db.session.commit()
    handler = queue.handlers.get(kind)
    if handler is None:
        current_app.logger.warning("job %s (%s) is not declared by a plugin loaded here; left to its own service", job_id, kind)
        return
    lease = _claim(job_id)
    if lease is None:
        return
    job = db.session.get(Job, job_id)
    args, actor_id, actor = json.loads(job.args or "{}"), job.actor_id, job.actor
    request_id = job.request_id
    db.session.commit()  # end the read before the work: SQLite's transactions hold the write lock
    heartbeat = None if queue.immediate else _Heartbeat(db.engine, job_id, lease)
    try:
        # The job's log lines, port calls and the jobs it queues carry the id of the request that
        # asked for it, so one citizen's request can be followed into the worker.
        with audit.acting_as(actor_id, actor or f"job:{kind}"), request_id_of(request_id):
            result = handler(JobContext(job_id, kind, lease), **args)
    except ServiceError as error:
        db.session.rollback()
        _finish(job_id, lease, "failed", error=error.message)
    except Exception as error:  # recorded on the job for the page to show; the log has the traceback
        db.session.rollback()
        current_app.logger.exception("job %s (%s) failed", job_id, kind)
        _finish(job_id, lease, "failed", error=f"{type(error).__name__}: {error}")
    else:
        _finish(job_id, lease, "done", result=str(result or ""))
    finally:
        if heartbeat is not None:
            heartbeat.stop()


def _claim(job_id: int) -> int | None:
    """Take the job: pending, or running with a heartbeat that stopped. One UPDATE decides, so of
    two workers holding the same message only one runs it. Returns the lease (attempt number)."""
    now = utcnow()
    claimable = sa.or_(Job.status == "pending",
                       sa.and_(Job.status == "running", sa.or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < _stale_before(now))))
    claimed = db.session.execute(
        sa.update(Job).where(Job.id == job_id, claimable)
        .values(status="running", attempts=Job.attempts + 1, heartbeat_at=now, started_at=sa.func.coalesce(Job.started_at, now))
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.rollback()
        return None
    lease = db.session.execute(sa.select(Job.attempts).where(Job.id == job_id)).scalar_one()
    db.session.commit()
    return lease


def _finish(job_id: int, lease: int, status: str, *, result: str = "", error: str = "") -> None:
    now = utcnow()
    db.session.execute(
        sa.update(Job).where(Job.id == job_id, Job.attempts == lease, Job.status == "running")
        .values(status=status, result=result[:300], error=error[:500], finished_at=now, heartbeat_at=now)
        .execution_options(synchronize_session=False))
    db.session.commit()


class _Heartbeat:
    """Beats a running job's heartbeat from a thread of the worker, on a connection of its own,
    so that a long step without progress reports is not taken for a dead worker."""

    def __init__(self, engine, job_id: int, lease: int):
        self.engine, self.job_id, self.lease = engine, job_id, lease
        self.interval = max(0.5, current_app.config["ERP_JOB_STALE_SECONDS"] / 4)
        self.logger = current_app.logger
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"job-{job_id}-heartbeat", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        table = Job.__table__
        while not self._stopped.wait(self.interval):
            try:
                with self.engine.begin() as connection:
                    connection.execute(table.update().where(table.c.id == self.job_id, table.c.attempts == self.lease,
                                                            table.c.status == "running").values(heartbeat_at=utcnow()))
            except sa.exc.SQLAlchemyError as error:  # busy database: the next beat tries again
                self.logger.warning("heartbeat of job %s missed: %s", self.job_id, error)

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=10)


def run_pending() -> int:
    """Run every pending job this process's plugins declare, here and now, as a worker would
    (oldest first); returns how many ran. For commands that must leave their work settled, such
    as the demo data, whether or not a worker is running."""
    queue = _queue()
    pending = db.session.execute(sa.select(Job.id).where(Job.status == "pending", Job.kind.in_(list(queue.handlers)))
                                 .order_by(Job.id)).scalars().all()
    db.session.commit()
    for job_id in pending:
        execute(job_id)
    return len(pending)


def reap() -> tuple[int, int]:
    """Send again the message of every job whose worker stopped (running, heartbeat older than
    ERP_JOB_STALE_SECONDS) or whose message never arrived (pending that long); a job stopped
    ERP_JOB_MAX_ATTEMPTS times is marked failed instead (it would kill every worker that takes
    it). Returns (sent again, failed). Runs every minute in the worker, and when a worker starts.

    Only jobs of kinds this process's plugins declare are taken: in split mode every service
    shares the core's job table but has a queue of its own, and a message sent to the wrong
    service's queue would fail a job its own service would run."""
    now = utcnow()
    stale = _stale_before(now)
    limit = current_app.config["ERP_JOB_MAX_ATTEMPTS"]
    queue = _queue()
    if not queue.handlers:
        return 0, 0
    # Only the kinds this process runs: in split mode another service's jobs are its own worker's.
    rows = db.session.execute(sa.select(Job.id, Job.status, Job.attempts).where(Job.kind.in_(list(queue.handlers)), sa.or_(
        sa.and_(Job.status == "running", sa.or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < stale)),
        sa.and_(Job.status == "pending", Job.queued_at < stale)))).all()
    resend, failed = [], 0
    for job_id, status, attempts in rows:
        if status == "running" and attempts >= limit:
            db.session.execute(sa.update(Job).where(Job.id == job_id, Job.status == "running", Job.attempts == attempts)
                               .values(status="failed", finished_at=now,
                                       error=f"The job stopped {attempts} times without finishing; it is not run again.")
                               .execution_options(synchronize_session=False))
            failed += 1
        else:
            db.session.execute(sa.update(Job).where(Job.id == job_id).values(queued_at=now)
                               .execution_options(synchronize_session=False))
            resend.append(job_id)
    db.session.commit()
    for job_id in resend:
        current_app.logger.warning("job %s: its worker or message was lost; sending it again", job_id)
        queue.send(job_id)
    return len(resend), failed
