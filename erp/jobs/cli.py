"""``flask erp worker``, ``enqueue``, ``run-job``, ``reap`` and ``jobs``."""
from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from erp.audit import services as audit
from erp.extensions import db
from erp.jobs import services
from erp.jobs.messages import render
from erp.jobs.models import Job


def _arguments(pairs: tuple[str, ...]) -> dict:
    """``name=value`` pairs; a value that reads as JSON (a number, true, a list) is taken as such."""
    args = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r} must look like name=value", param_hint="--arg")
        try:
            args[name.strip()] = json.loads(value)
        except ValueError:
            args[name.strip()] = value
    return args


@click.command("worker")
@click.option("--threads", type=click.IntRange(1, 32), default=None,
              help="Jobs run at the same time (default: 1 on a SQLite database, which takes one writer at a time; else 2).")
@click.option("--no-periodic", is_flag=True,
              help="Do not queue the periodic jobs (when another worker or Kubernetes CronJobs do).")
@with_appcontext
def worker_command(threads: int | None, no_periodic: bool):
    """Run queued jobs (bill runs, printed batches, relays, reminders) until stopped; SIGTERM
    lets running jobs finish. Also queues the periodic jobs, unless --no-periodic."""
    queue = current_app.extensions["erp_jobs"]
    if queue.immediate:
        raise click.ClickException("ERP_QUEUE_URL=immediate runs jobs where they are queued; a worker has nothing to take.")
    if threads is None:
        threads = 1 if db.engine.dialect.name == "sqlite" else 2
    resent, failed = services.reap()  # jobs left behind by a worker that died while none was running
    click.echo(f"Worker on {queue.url.split('@')[-1]} with {threads} thread(s): {len(queue.handlers)} job kinds, "
               f"{len(queue.schedules) if not no_periodic else 0} periodic; {resent} job(s) taken over, {failed} given up.")
    db.session.remove()
    queue.consumer(threads, periodic=not no_periodic).run()


@click.command("enqueue")
@click.argument("kind")
@click.option("--arg", "pairs", multiple=True, help="name=value for the job (repeat).")
@click.option("--key", default="", help="Do not queue it again while a job of this key is waiting or running.")
@with_appcontext
def enqueue_command(kind: str, pairs: tuple[str, ...], key: str):
    """Queue job KIND for the worker (what a Kubernetes CronJob runs)."""
    try:
        with audit.acting_as(None, "cli"):
            job_id = services.enqueue(kind, key=key, **_arguments(pairs))
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Job {job_id} queued.")


@click.command("run-job")
@click.argument("kind")
@click.option("--arg", "pairs", multiple=True, help="name=value for the job (repeat).")
@with_appcontext
def run_job_command(kind: str, pairs: tuple[str, ...]):
    """Run job KIND here and now, recorded like a queued one; exit 1 when it fails."""
    try:
        with audit.acting_as(None, "cli"):
            job = services.run_now(kind, **_arguments(pairs))
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    if job.status != "done":
        raise click.ClickException(f"Job {job.id} {job.kind} failed: {render(job.error)}")
    click.echo(f"Job {job.id} {job.kind} done: {render(job.result)}")


@click.command("reap")
@with_appcontext
def reap_command():
    """Send again the jobs of dead workers and lost messages (what the worker's scheduler does
    every minute; for a CronJob when every worker runs with --no-periodic)."""
    resent, failed = services.reap()
    click.echo(f"{resent} job(s) sent again, {failed} given up.")


@click.command("jobs")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@with_appcontext
def jobs_command(limit: int):
    """The newest jobs with their state."""
    for job in db.session.execute(sa.select(Job).order_by(Job.id.desc()).limit(limit)).scalars():
        detail = render(job.error or job.result)
        click.echo(f"{job.id:>7} {job.kind:<24} {job.status:<8} {job.percent:>3}% attempts {job.attempts} "
                   f"{job.created_at:%Y-%m-%d %H:%M} {detail}")


COMMANDS = (worker_command, enqueue_command, run_job_command, reap_command, jobs_command)
