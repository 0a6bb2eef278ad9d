"""Statement pages: trial balance, balance sheet, income statement, cash flow, appropriation of
retained earnings, the settlement report and the general ledger — each as a page, PDF or Excel."""
from __future__ import annotations

from datetime import date

from flask import flash, render_template, request

from erp.auth.access import permission_required
from erp.common.errors import ServiceError
from erp.web.paging import int_arg
from plugins.accounting.services import chart, closing, reports
from plugins.accounting.views.blueprint import bp, date_arg, deliver, today


@bp.route("/reports/trial-balance")
@permission_required("accounting.view")
def trial_balance():
    year = int_arg("year", today().year, 2000, 2100)
    month_from = int_arg("from", 1, 1, 12)
    month_to = int_arg("to", 12, 1, 12)
    try:
        tb = reports.trial_balance(year, month_from, month_to)
    except ServiceError as error:
        flash(error.message, "danger")
        tb = reports.trial_balance(year, 1, 12)
    return deliver("trial_balance", tb, f"trial-balance-{year}") or render_template(
        "accounting/trial_balance.html", tb=tb)


@bp.route("/reports/balance-sheet")
@permission_required("accounting.view")
def balance_sheet():
    year = int_arg("year", today().year, 2000, 2100)
    month = int_arg("month", 12, 1, 12)
    statement = reports.balance_sheet(year, month)
    return deliver("statement", statement, f"balance-sheet-{year}-{month:02d}") or render_template(
        "accounting/statement.html", statement=statement, year=year, month=month, endpoint="accounting.balance_sheet")


@bp.route("/reports/income-statement")
@permission_required("accounting.view")
def income_statement():
    year = int_arg("year", today().year, 2000, 2100)
    month = int_arg("month", 12, 1, 12)
    statement = reports.income_statement(year, month)
    return deliver("statement", statement, f"income-statement-{year}-{month:02d}") or render_template(
        "accounting/statement.html", statement=statement, year=year, month=month, endpoint="accounting.income_statement")


def _yearly_statement(build, filename: str, endpoint: str):
    """A statement of one fiscal year as a page, a PDF or an Excel file."""
    year = int_arg("year", today().year, 2000, 2100)
    statement = build(year)
    return deliver("statement", statement, f"{filename}-{year}") or render_template(
        "accounting/statement.html", statement=statement, year=year, month=None, endpoint=endpoint)


@bp.route("/reports/cash-flow")
@permission_required("accounting.view")
def cash_flow():
    return _yearly_statement(reports.cash_flow, "cash-flow", "accounting.cash_flow")


@bp.route("/reports/appropriation")
@permission_required("accounting.view")
def appropriation():
    return _yearly_statement(reports.appropriation, "retained-earnings", "accounting.appropriation")


@bp.route("/reports/settlement")
@permission_required("accounting.view")
def settlement():
    year = int_arg("year", today().year - 1, 2000, 2100)
    report = reports.settlement(year)
    return deliver("settlement", report, f"settlement-{year}") or render_template(
        "accounting/settlement.html", report=report, year=year, closed=closing.is_closed(year))


@bp.route("/reports/ledger")
@permission_required("accounting.view")
def ledger():
    year = today().year
    date_from = date_arg("from", date(year, 1, 1))
    date_to = date_arg("to", date(date_from.year, 12, 31))
    code = request.args.get("account", "").strip()
    result = None
    if code:
        try:
            result = reports.general_ledger(code, date_from, date_to)
        except ServiceError as error:
            flash(error.message, "danger")
    if result is not None:
        delivered = deliver("ledger", (result, date_from, date_to), f"ledger-{code}-{date_from}")
        if delivered is not None:
            return delivered
    return render_template("accounting/ledger.html", result=result, code=code, date_from=date_from, date_to=date_to,
                           accounts=chart.postable_accounts())
