"""Budget against actual (by line, department or project) and revenue against what was posted."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _

from erp.auth.access import permission_required
from erp.common.tables import Table
from plugins.budget.services import reports
from plugins.budget.views.blueprint import bp, deliver, year_arg


@bp.route("/")
@permission_required("budget.view")
def index():
    year = year_arg()
    by = request.args.get("by") if request.args.get("by") in ("line", "department", "project") else "line"
    rows = reports.budget_vs_actual(year, by)
    table = Table(_("Budget against actual %(year)d", year=year), _("by %(by)s", by=_(by)),
                  [_("Code"), _("Name"), _("Budget"), _("Committed"), _("Paid"), _("Balance"), _("Execution rate")],
                  [[r.key, r.name, r.budget, r.committed, r.paid, r.balance, f"{r.rate:.1f}%"] for r in rows],
                  numeric={2, 3, 4, 5, 6}, widths=[3, 5, 3, 3, 3, 3, 2], landscape=True,
                  total=["", _("Total"), sum(r.budget for r in rows), sum(r.committed for r in rows),
                         sum(r.paid for r in rows), sum(r.balance for r in rows), ""])
    return deliver(table, f"budget-actual-{year}") or render_template("budget/index.html", rows=rows, year=year, by=by,
                                                                        table=table)


@bp.route("/revenue")
@permission_required("budget.view")
def revenue():
    year = year_arg()
    rows = reports.revenue_vs_actual(year)
    table = Table(_("Revenue budget against revenue posted %(year)d", year=year), "",
                  [_("Code"), _("Name"), _("Account"), _("Budget"), _("Posted in accounting"), _("Rate")],
                  [[r.code, r.name, r.account_code, r.budget, r.actual, f"{r.rate:.1f}%" if r.rate is not None else ""] for r in rows],
                  numeric={3, 4, 5}, widths=[3, 5, 2, 3, 3, 2])
    return deliver(table, f"revenue-{year}") or render_template("budget/table.html", table=table, year=year)
