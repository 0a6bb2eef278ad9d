"""Jobs of the budget plugin: the relay of payment postings to accounting every minute."""
from __future__ import annotations

from erp.i18n import Nn_
from erp.jobs import JobContext, JobSet
from erp.jobs.messages import message
from plugins.budget.services import execution

jobs = JobSet()


@jobs.periodic("budget.relay", "* * * * *")
def relay(job: JobContext) -> str:
    """Deliver the postings waiting in the budget outbox (each keyed, so never twice)."""
    delivered, failed = execution.relay(limit=10_000)
    return message(Nn_("%(n)s posting delivered, %(waiting)s waiting", "%(n)s postings delivered, %(waiting)s waiting"),
                   n=delivered, waiting=failed)
