"""Jobs of the complaints plugin: the officials' daily reminder of complaints due."""
from __future__ import annotations

from erp.i18n import Nn_
from erp.jobs import JobContext, JobSet
from erp.jobs.messages import message
from plugins.complaints.services import complaints

jobs = JobSet()


@jobs.periodic("complaints.remind", "0 8 * * *")
def remind(job: JobContext, hours: int = 24) -> str:
    """At 08:00 office time: remind the officials of complaints due within ``hours`` or overdue
    (once a day per complaint)."""
    return message(Nn_("%(n)s complaint due", "%(n)s complaints due"), n=len(complaints.remind(hours)))
