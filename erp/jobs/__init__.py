"""Jobs: long and periodic work, run by a worker process (``flask erp worker``), never by the
threads of web workers, which gunicorn recycles.

The queue is Huey (https://huey.readthedocs.io): a kept, small task queue with a SQLite-file
storage for the embedded default, a Redis storage for replicas, an immediate mode for tests and
a periodic scheduler built into its consumer — everything this application asks of a queue,
without Celery's broker, result backend, beat process and prefork pool to configure and run.
One setting picks the storage, ``ERP_QUEUE_URL``:

- ``sqlite:///path/queue.sqlite`` (default: ``instance/queue.sqlite``), one machine;
- ``redis://host:6379/0``, several machines (``ERP_QUEUE_NAME`` prefixes the keys);
- ``immediate``: a job runs in the process that queues it, as soon as it is committed (tests).

The queue carries only a job's id. What a job is and how far it got lives in the application's
database (``core_job``): the row is written in the transaction that asks for the job and the
message is sent after that transaction commits; the worker claims the row (one claim wins), beats
a heartbeat while it runs and records the result. A worker killed mid-job leaves a row whose
heartbeat stops; the reaper (every minute, and when a worker starts) sends its message again and
the next worker takes over. A message lost before it reached a worker is sent again the same way.
So every job runs at least once, and the jobs themselves are idempotent (a bill run resumes, a
relay is keyed, a file is written aside and renamed), which makes the effect happen exactly once.

A plugin declares its jobs in a module named by its manifest (``tasks=``)::

    jobs = JobSet()

    @jobs.job("rates.bill-run")
    def bill_run(job, run_id):            # job: a JobContext
        ...

    @jobs.periodic("rates.relay", "* * * * *")   # cron, in ERP_TIMEZONE
    def relay(job):
        ...

and anything asks for one with ``enqueue("rates.bill-run", run_id=7)``.
"""
from __future__ import annotations

from erp.jobs.registry import JobContext, JobSet, PeriodicJob, input_path, keep_input, output_dir
from erp.jobs.services import JobInfo, enqueue, get, latest, reap, run_now, run_pending

__all__ = ["JobContext", "JobInfo", "JobSet", "PeriodicJob", "enqueue", "get", "init_app", "input_path", "keep_input",
           "latest", "output_dir", "reap", "run_now", "run_pending"]


def init_app(app) -> None:
    """Create the app's queue from ``ERP_QUEUE_URL`` (the plugins' job sets are added when the
    plugins load)."""
    from erp.jobs import models  # noqa: F401  (the table belongs to the core's metadata)
    from erp.jobs.messages import render
    from erp.jobs.queue import Queue

    app.extensions["erp_jobs"] = Queue(app)
    # A job's stored result or error, in the reader's language: {{ job.result|job_message }}.
    app.jinja_env.filters["job_message"] = render
