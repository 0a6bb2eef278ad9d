"""Accounting pages: journal entries, chart of accounts, periods and year end, statements.

Request handling only: parsing what was typed, calling a service, showing the result or the
service's refusal. Rules live in ``services``.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from erp.auth.access import permission_required
from erp.common.clock import local_today
from erp.common.errors import ServiceError
from erp.i18n import N_
from erp.web.downloads import printout
from erp.web.forms import flash_errors, flash_refusal, parse_won
from erp.web.paging import int_arg, page_arg
from plugins.accounting.data import PostingLine
from plugins.accounting.reports import statements as printouts
from plugins.accounting.repositories import entries as entry_repo
from plugins.accounting.services import chart, closing, journal, reports
from plugins.accounting.views.forms import AccountForm, EntryForm, ReverseForm

bp = Blueprint("accounting", __name__, url_prefix="/accounting", template_folder="../templates")

KIND_LABELS = {"normal": N_("Normal"), "reversal": N_("Reversal"), "closing": N_("Closing"), "opening": N_("Opening")}
CLASS_LABELS = {"asset": N_("Assets"), "liability": N_("Liabilities"), "capital": N_("Capital"),
                "revenue": N_("Revenue"), "expense": N_("Expenses")}


@bp.context_processor
def labels():
    return {"kind_label": lambda kind: _(KIND_LABELS.get(kind, kind)),
            "class_label": lambda name: _(CLASS_LABELS.get(name, name))}


def _today() -> date:
    return local_today()


def _date_arg(name: str, default: date | None) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400)


# --- journal entries ------------------------------------------------------------------------

@bp.route("/")
@permission_required("accounting.view")
def index():
    return redirect(url_for("accounting.entries"))


@bp.route("/entries")
@permission_required("accounting.view")
def entries():
    status = request.args.get("status") if request.args.get("status") in ("draft", "posted") else None
    pagination = entry_repo.search(status=status, date_from=_date_arg("from", None), date_to=_date_arg("to", None),
                                   text=request.args.get("q", "").strip(), page=page_arg())
    return render_template("accounting/entries.html", pagination=pagination, args=request.args)


def _account_choices():
    return [("", "")] + [(a.code, f"{a.code} {a.name}") for a in chart.postable_accounts()]


def _lines_from(form: EntryForm) -> list[PostingLine] | None:
    """The filled rows of the form as posting lines (empty rows are skipped)."""
    lines = []
    for row in form.lines:
        debit, credit = parse_won(row.debit.data) or 0, parse_won(row.credit.data) or 0
        code = row.account.data or ""
        if not code and not debit and not credit:
            continue
        lines.append(PostingLine(code, debit, credit, (row.memo.data or "").strip(), (row.department.data or "").strip()))
    return lines


def _entry_form(entry=None) -> EntryForm:
    form = EntryForm()
    if entry is not None and request.method == "GET":
        form.entry_date.data, form.memo.data = entry.entry_date, entry.memo
        while len(form.lines) < max(len(entry.lines), 6):
            form.lines.append_entry()
        for row, line in zip(form.lines, entry.lines):
            row.account.data = line.account.code
            row.debit.data = f"{line.debit:,}" if line.debit else ""
            row.credit.data = f"{line.credit:,}" if line.credit else ""
            row.memo.data, row.department.data = line.memo, line.department_code
    for row in form.lines:
        row.account.choices = _account_choices()
    return form


@bp.route("/entries/new", methods=["GET", "POST"])
@permission_required("accounting.entry")
def entry_new():
    form = _entry_form()
    if request.method == "GET":
        form.entry_date.data = _today()
    if form.validate_on_submit():
        try:
            entry = journal.create_draft(form.entry_date.data, form.memo.data, _lines_from(form))
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Draft saved. The chief accountant approves it to post it."), "success")
            return redirect(url_for("accounting.entry_detail", entry_id=entry.id))
    return render_template("accounting/entry_form.html", form=form, entry=None)


def _entry_or_404(entry_id: int):
    entry = entry_repo.get(entry_id)
    if entry is None:
        abort(404)
    return entry


@bp.route("/entries/<id:entry_id>")
@permission_required("accounting.view")
def entry_detail(entry_id: int):
    entry = _entry_or_404(entry_id)
    reversal = entry_repo.reversal_of(entry.id)
    form = ReverseForm()
    form.entry_date.data = _today()
    return render_template("accounting/entry_detail.html", entry=entry, reversal=reversal, reverse_form=form)


@bp.route("/entries/<id:entry_id>/edit", methods=["GET", "POST"])
@permission_required("accounting.entry")
def entry_edit(entry_id: int):
    entry = _entry_or_404(entry_id)
    if entry.status != "draft":
        flash(_("A posted entry cannot be changed, only reversed."), "danger")
        return redirect(url_for("accounting.entry_detail", entry_id=entry.id))
    form = _entry_form(entry)
    if form.validate_on_submit():
        try:
            journal.update_draft(entry.id, form.entry_date.data, form.memo.data, _lines_from(form))
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Draft saved."), "success")
            return redirect(url_for("accounting.entry_detail", entry_id=entry.id))
    return render_template("accounting/entry_form.html", form=form, entry=entry)


@bp.route("/entries/<id:entry_id>/delete", methods=["POST"])
@permission_required("accounting.entry")
def entry_delete(entry_id: int):
    _entry_or_404(entry_id)
    try:
        journal.delete_draft(entry_id)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(url_for("accounting.entry_detail", entry_id=entry_id))
    flash(_("Draft deleted."), "success")
    return redirect(url_for("accounting.entries"))


@bp.route("/entries/<id:entry_id>/approve", methods=["POST"])
@permission_required("accounting.approve")
def entry_approve(entry_id: int):
    _entry_or_404(entry_id)
    try:
        entry = journal.approve(entry_id)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_("Entry %(number)s is posted.", number=entry.number), "success")
    return redirect(url_for("accounting.entry_detail", entry_id=entry_id))


@bp.route("/entries/<id:entry_id>/reverse", methods=["POST"])
@permission_required("accounting.approve")
def entry_reverse(entry_id: int):
    _entry_or_404(entry_id)
    form = ReverseForm()
    if not form.validate_on_submit():
        flash_errors(form.errors)
        return redirect(url_for("accounting.entry_detail", entry_id=entry_id))
    try:
        reversal = journal.reverse(entry_id, form.entry_date.data, form.reason.data)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(url_for("accounting.entry_detail", entry_id=entry_id))
    flash(_("Entry reversed by %(number)s.", number=reversal.number), "success")
    return redirect(url_for("accounting.entry_detail", entry_id=reversal.id))


# --- chart and periods ----------------------------------------------------------------------

@bp.route("/accounts", methods=["GET", "POST"])
@permission_required("accounting.view")
def accounts():
    form = AccountForm()
    if request.method == "POST":
        if not current_user.can("accounting.close"):
            abort(403)
        if form.validate_on_submit():
            try:
                account = chart.add_account(form.code.data, form.name.data, form.name_en.data or "", form.parent_code.data)
            except ServiceError as error:
                flash_refusal(form, error)
            else:
                flash(_("Account %(code)s added.", code=account.code), "success")
                return redirect(url_for("accounting.accounts"))
    items = chart.chart()
    return render_template("accounting/accounts.html", accounts=items, levels=reports.account_levels(items), form=form,
                           can_edit=current_user.can("accounting.close"))


@bp.route("/accounts/<code>/<any(activate, deactivate):action>", methods=["POST"])
@permission_required("accounting.close")
def account_active(code: str, action: str):
    try:
        chart.set_active(code, action == "activate")
    except ServiceError as error:
        flash(error.message, "danger")
    return redirect(url_for("accounting.accounts"))


@bp.route("/periods")
@permission_required("accounting.view")
def periods():
    year = int_arg("year", _today().year, 2000, 2100)
    return render_template("accounting/periods.html", year=year, months=closing.months(year),
                           closed=closing.is_closed(year), can_close=current_user.can("accounting.close"))


@bp.route("/periods/<int(min=1900, max=2199):year>/<int(min=1, max=12):month>/<any(lock, unlock):action>", methods=["POST"])
@permission_required("accounting.close")
def period_lock(year: int, month: int, action: str):
    try:
        closing.set_locked(year, month, action == "lock")
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_("%(year)d-%(month)02d is locked.", year=year, month=month) if action == "lock"
              else _("%(year)d-%(month)02d is open.", year=year, month=month), "success")
    return redirect(url_for("accounting.periods", year=year))


@bp.route("/years/<int(min=1900, max=2199):year>/<any(close, reopen):action>", methods=["POST"])
@permission_required("accounting.close")
def year_close(year: int, action: str):
    try:
        if action == "close":
            closing.close_year(year)
        else:
            closing.undo_close(year)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_("The fiscal year %(year)d is closed.", year=year) if action == "close"
              else _("The closing of %(year)d was undone.", year=year), "success")
    return redirect(url_for("accounting.periods", year=year))


# --- statements -----------------------------------------------------------------------------

def deliver(kind: str, payload, filename: str):
    """The same statement as a page, a PDF or an Excel file (``?format=pdf|xlsx``)."""
    return printout(lambda fmt, org: (printouts.pdf if fmt == "pdf" else printouts.xlsx)(kind, payload, org_name=org),
                    filename)


@bp.route("/reports/trial-balance")
@permission_required("accounting.view")
def trial_balance():
    year = int_arg("year", _today().year, 2000, 2100)
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
    year = int_arg("year", _today().year, 2000, 2100)
    month = int_arg("month", 12, 1, 12)
    statement = reports.balance_sheet(year, month)
    return deliver("statement", statement, f"balance-sheet-{year}-{month:02d}") or render_template(
        "accounting/statement.html", statement=statement, year=year, month=month, endpoint="accounting.balance_sheet")


@bp.route("/reports/income-statement")
@permission_required("accounting.view")
def income_statement():
    year = int_arg("year", _today().year, 2000, 2100)
    month = int_arg("month", 12, 1, 12)
    statement = reports.income_statement(year, month)
    return deliver("statement", statement, f"income-statement-{year}-{month:02d}") or render_template(
        "accounting/statement.html", statement=statement, year=year, month=month, endpoint="accounting.income_statement")


def _yearly_statement(build, filename: str, endpoint: str):
    """A statement of one fiscal year as a page, a PDF or an Excel file."""
    year = int_arg("year", _today().year, 2000, 2100)
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
    year = int_arg("year", _today().year - 1, 2000, 2100)
    report = reports.settlement(year)
    return deliver("settlement", report, f"settlement-{year}") or render_template(
        "accounting/settlement.html", report=report, year=year, closed=closing.is_closed(year))


@bp.route("/reports/ledger")
@permission_required("accounting.view")
def ledger():
    year = _today().year
    date_from = _date_arg("from", date(year, 1, 1))
    date_to = _date_arg("to", date(date_from.year, 12, 31))
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
