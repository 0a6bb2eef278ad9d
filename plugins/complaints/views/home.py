"""The complaints officer's panel of the home page (declared in the manifest)."""
from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _

from erp.common.clock import local_today, to_local, utcnow
from erp.common.formatting import fmt_datetime
from erp.web.home import Chart, Figure, Panel, Row, Series
from plugins.complaints.repositories import complaints as repo
from plugins.complaints.services import stats
from plugins.complaints.services.complaints import is_overdue


def queue() -> Panel:
    """Open complaints overdue and due today, and the on-time rate of each of the last six months."""
    today = local_today()
    waiting = [c for c in repo.open_complaints() if c.status != "supplement"]
    overdue = [c for c in waiting if is_overdue(c)]
    due_today = [c for c in waiting if not is_overdue(c) and c.due_at is not None and to_local(c.due_at).date() == today]
    rows = [Row(f"{c.receipt_no} {c.title}", _("due %(when)s", when=fmt_datetime(c.due_at)),
                url_for("complaints.detail", complaint_id=c.id), "warn")
            for c in sorted(overdue, key=lambda c: c.due_at)[:5] + sorted(due_today, key=lambda c: c.due_at)[:3]]
    first = (today.replace(day=1) - timedelta(days=150)).replace(day=1)
    months = stats.statistics(first, today, by="month")
    chart = Chart("line", [row.key[2:].replace("-", ".") for row in months],
                  [Series(_("Answered on time"), [row.on_time_rate for row in months])], unit="%")
    completed = sum(row.completed for row in months)
    on_time = sum(row.on_time for row in months)
    return Panel(_("Complaints"), figures=[
        Figure(_("Overdue"), len(overdue), url_for("complaints.queue"), "warn" if overdue else "ok"),
        Figure(_("Due today"), len(due_today), url_for("complaints.queue")),
        Figure(_("Open"), len(waiting), url_for("complaints.queue")),
        Figure(_("On time"), f"{on_time * 100 / completed:.1f}%" if completed else "-", url_for("complaints.statistics")),
    ], rows=rows, chart=chart if months else None, empty=_("Nothing is overdue or due today."),
        note=_("On time: answered by the deadline, of the complaints completed (six months to %(now)s).",
               now=fmt_datetime(utcnow())), name="complaints-queue")
