"""The core's periodic jobs of operations."""
from __future__ import annotations

from flask import current_app

from erp.common import tx
from erp.i18n import N_, Nn_
from erp.jobs import JobSet
from erp.jobs.messages import message
from erp.ops import checks, minutes

jobs = JobSet()


@tx.transactional
def cleanup() -> int:
    """Delete per-minute figures older than ERP_OPS_KEEP_DAYS (30); returns the rows deleted."""
    deleted = minutes.cleanup(int(current_app.config["ERP_OPS_KEEP_DAYS"]))
    tx.commit()
    return deleted


@jobs.periodic("ops.cleanup", "17 3 * * *")
def cleanup_job(job) -> str:
    return message(N_("%(rows)s rows older than %(days)s days deleted"), rows=cleanup(),
                   days=int(current_app.config["ERP_OPS_KEEP_DAYS"]))


@jobs.periodic("ops.checks", "* * * * *")
def checks_job(job) -> str:
    """Every minute, the service checks whose interval has passed (each its own, default 5 minutes)."""
    done = checks.run_checks(progress=job.progress if job is not None else None)
    failed = [check.name for check, result in done if not result.ok]
    if failed:
        return message(Nn_("%(n)s check run, %(failed)s failed: %(names)s", "%(n)s checks run, %(failed)s failed: %(names)s"),
                       n=len(done), failed=len(failed),
                       names=", ".join(failed))
    return message(Nn_("%(n)s check run, none failed", "%(n)s checks run, none failed"), n=len(done))

