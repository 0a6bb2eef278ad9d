"""The audit trail's periodic jobs: anchoring the chains' heads and verifying the chains."""
from __future__ import annotations

from erp.audit import services as audit
from erp.common.errors import ServiceError
from erp.i18n import N_
from erp.jobs import JobSet
from erp.jobs.messages import message

jobs = JobSet()


@jobs.periodic("audit.anchor", "*/15 * * * *")
def anchor_job(job) -> str:
    """Every 15 minutes, a signed checkpoint of each chain whose head moved since its last anchor."""
    written = audit.anchor_all(only_if_moved=True)
    return f"{len(written)} chain(s) anchored" + (": " + ", ".join(f"{a.chain} #{a.seq}" for a in written) if written else "")


@jobs.periodic("audit.verify", "40 2 * * *")
def verify_job(job) -> str:
    """Every night, verify every chain against its key and anchors and keep the outcome (the audit
    page and the administrator's home page show it); a break fails the job with the break as its
    error, so it is also visible on the operations page."""
    results = audit.verify_all(save=True)
    for result in results:
        if not result.ok:
            raise ServiceError(message(N_("The %(chain)s audit trail is broken at record %(seq)s: %(reason)s"),
                                       chain=result.chain, seq=result.broken_seq or 0, reason=result.reason))
    return message(N_("%(chains)s chains intact, %(records)s records verified"), chains=len(results),
                   records=sum(result.checked for result in results))
