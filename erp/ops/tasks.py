"""The core's periodic jobs of operations."""
from __future__ import annotations

from flask import current_app

from erp.common import tx
from erp.jobs import JobSet
from erp.ops import minutes

jobs = JobSet()


@tx.transactional
def cleanup() -> int:
    """Delete per-minute figures older than ERP_OPS_KEEP_DAYS (30); returns the rows deleted."""
    deleted = minutes.cleanup(int(current_app.config["ERP_OPS_KEEP_DAYS"]))
    tx.commit()
    return deleted


@jobs.periodic("ops.cleanup", "17 3 * * *")
def cleanup_job(job) -> str:
    return f"{cleanup()} rows older than {current_app.config['ERP_OPS_KEEP_DAYS']} days deleted"
