"""The chief accountant's and the accountants' panels of the home page (declared in the manifest)."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from erp.common.clock import local_today
from erp.common.formatting import won
from erp.ops import figures
from erp.web.home import Figure, Panel, Row
from plugins.accounting.repositories import entries as entry_repo
from plugins.accounting.services import closing


def drafts() -> Panel:
    """Journal entries drafted and waiting to be approved (posted), oldest first in the list."""
    page = entry_repo.search(status="draft", per_page=8)
    rows = [Row(f"{entry.entry_date:%Y-%m-%d} {entry.memo}", _("%(amount)s won · %(who)s", amount=won(entry.total),
                                                                 who=entry.created_by or "-"),
                url_for("accounting.entry_detail", entry_id=entry.id), "warn") for entry in page.items]
    return Panel(_("Drafts awaiting approval"),
                 figures=[Figure(_("Waiting"), page.total, url_for("accounting.entries", status="draft"),
                                 "warn" if page.total else "ok")],
                 rows=rows, empty=_("No draft is waiting."), name="accounting-drafts")


def periods() -> Panel:
    """This year's months, open or locked, and the deliveries other plugins still owe the books."""
    year = local_today().year
    months = closing.months(year)
    locked = [m["month"] for m in months if m["locked"]]
    current = local_today().month
    open_before = [m["month"] for m in months if not m["locked"] and m["month"] < current]
    owed = [state for state in figures.outboxes() if state.pending]
    rows = [Row(_("%(year)d-%(month)02d is still open", year=year, month=month), url=url_for("accounting.periods", year=year))
            for month in open_before]
    rows += [Row(_("%(outbox)s: %(n)s not delivered", outbox=state.table, n=f"{state.pending:,}"), tone="warn")
             for state in owed]
    return Panel(_("Months and postings"), figures=[
        Figure(_("Locked months"), len(locked), url_for("accounting.periods", year=year)),
        Figure(_("Open months"), 12 - len(locked)),
        Figure(_("Postings not delivered"), sum(state.pending for state in owed), tone="warn" if owed else "ok"),
    ], rows=rows, empty=_("Every earlier month is locked and every posting has reached the books."),
        note=_("Locked: %(months)s", months=", ".join(f"{m}" for m in locked) or "-"), name="accounting-periods")
