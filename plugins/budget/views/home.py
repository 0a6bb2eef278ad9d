"""The budget officers' panels of the home page (declared in the manifest)."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from erp.auth.services import list_departments
from erp.common.clock import local_today
from erp.common.formatting import won
from erp.web.home import Chart, Figure, Panel, Row, Series
from plugins.budget.repositories import budget as repo
from plugins.budget.services import reports


def execution() -> Panel:
    """This year's execution rate (paid ÷ current budget) by department and by detail project."""
    year = local_today().year
    names = {dept.code: dept.name for dept in list_departments()}
    by_department = [row for row in reports.budget_vs_actual(year, by="department") if row.budget]
    by_project = [row for row in reports.budget_vs_actual(year, by="project") if row.budget]
    budget = sum(row.budget for row in by_department)
    paid = sum(row.paid for row in by_department)
    chart = Chart("bar", [names.get(row.key, row.key or _("(none)")) for row in by_department]
                  + [row.name for row in by_project],
                  [Series(_("Execution rate"), [row.rate for row in by_department] + [row.rate for row in by_project])],
                  unit="%", horizontal=True)
    return Panel(_("Budget execution %(year)d", year=year), figures=[
        Figure(_("Execution rate"), f"{paid * 100 / budget:.1f}%" if budget else "-", url_for("budget.index")),
        Figure(_("Paid"), paid, url_for("budget.execution_list"), unit=_("won")),
        Figure(_("Current budget"), budget, url_for("budget.index"), unit=_("won")),
    ], chart=chart if by_department else None,
        note=_("By department (first %(n)s bars), then by detail project.", n=len(by_department)),
        empty=_("No budget for this year yet."), name="budget-execution")


def waiting() -> Panel:
    """Budget versions being compiled and transfers requested, waiting for review or approval."""
    year = local_today().year
    compiling = [v for v in repo.versions(year) if v.status == "compiling"]
    requested = [t for t in repo.transfers(year) if t.status == "requested"]
    rows = [Row(_("Version %(number)s of %(year)s being compiled", number=v.number, year=v.year),
                url=url_for("budget.version_detail", version_id=v.id), tone="warn") for v in compiling]
    rows += [Row(_("Transfer of %(amount)s won: %(reason)s", amount=won(t.amount), reason=t.reason), t.requested_by,
                 url_for("budget.transfer_list"), "warn") for t in requested]
    return Panel(_("Awaiting review"), figures=[
        Figure(_("Budgets being compiled"), len(compiling), url_for("budget.versions"), "warn" if compiling else "ok"),
        Figure(_("Transfers requested"), len(requested), url_for("budget.transfer_list"), "warn" if requested else "ok"),
    ], rows=rows, empty=_("Nothing is waiting for review."), name="budget-waiting")
