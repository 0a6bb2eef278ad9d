"""The periodic clean-up of ended sessions and of spent rate-limit windows."""
from __future__ import annotations

from erp.jobs import JobSet

jobs = JobSet()


@jobs.periodic("auth.cleanup", "*/15 * * * *")
def cleanup_job(job) -> str:
    """Delete sessions whose lifetime has passed and rate-limit counters whose window is over."""
    from erp.auth import sessions
    from erp.web import limits

    return f"{sessions.delete_expired()} expired sessions and {limits.delete_expired()} spent rate-limit windows deleted"
