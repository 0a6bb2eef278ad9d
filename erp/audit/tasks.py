"""The audit trail's periodic jobs: anchoring the chains' heads and verifying the chains."""
from __future__ import annotations

from erp.audit import services as audit
from erp.jobs import JobSet

jobs = JobSet()


@jobs.periodic("audit.anchor", "*/15 * * * *")
def anchor_job(job) -> str:
    """Every 15 minutes, a signed checkpoint of each chain whose head moved since its last anchor."""
    written = audit.anchor_all(only_if_moved=True)
    return f"{len(written)} chain(s) anchored" + (": " + ", ".join(f"{a.chain} #{a.seq}" for a in written) if written else "")


@jobs.periodic("audit.verify", "40 2 * * *")
def verify_job(job) -> str:
    """Every night, verify every chain against its key and anchors (the audit page shows the outcome)."""
    results = audit.verify_all(save=True)
    broken = [f"{r.chain} at record {r.broken_seq}: {r.reason}" for r in results if not r.ok]
    if broken:
        raise RuntimeError("audit trail broken: " + "; ".join(broken))  # a failed job is visible on the operations page
    return f"{len(results)} chain(s) intact, {sum(r.checked for r in results)} records verified"
