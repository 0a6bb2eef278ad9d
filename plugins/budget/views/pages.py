"""Budget pages: budget against actual, structure, compilation, transfers, execution, year end,
mid-term plan. Request handling only; the rules live in ``services``."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from erp.auth.access import permission_required
from erp.common.clock import local_today
from erp.common.errors import ServiceError
from erp.common.tables import Table, to_pdf, to_xlsx
from erp.i18n import N_
from erp.web.forms import flash_errors, flash_refusal, parse_won
from erp.web.downloads import printout
from erp.web.paging import form_id, int_arg, page_arg
from plugins.budget.repositories import budget as repo
from plugins.budget.services import compilation, execution, midterm, reports, structure, transfers, yearend
from plugins.budget.views.forms import (AdjustForm, BasisForm, CarryForm, CommitmentForm, GrowthForm, LineForm,
                                        ProjectForm, StepForm, TransferForm)

bp = Blueprint("budget", __name__, url_prefix="/budget", template_folder="../templates")

STATUS_LABELS = {"committed": N_("Commitment made"), "resolved": N_("Expenditure resolved"), "paid": N_("Payment made"),
                 "cancelled": N_("Cancelled")}


@bp.context_processor
def labels():
    return {"status_label": lambda status: _(STATUS_LABELS.get(status, status))}


def _year() -> int:
    return int_arg("year", local_today().year, 2000, 2100)


def _deliver(table: Table, filename: str):
    return printout(lambda fmt, org: (to_pdf if fmt == "pdf" else to_xlsx)(table, org), filename)


def _line_choices(year: int, side: str | None = "expenditure"):
    return [(l.id, f"{l.code} {l.name} ({l.available:,})") for l in repo.lines(year, side=side)]


def _refused(error: ServiceError):
    flash_errors(error.errors or {"": [error.message]})


# --- budget against actual -----------------------------------------------------------------

@bp.route("/")
@permission_required("budget.view")
def index():
    year = _year()
    by = request.args.get("by") if request.args.get("by") in ("line", "department", "project") else "line"
    rows = reports.budget_vs_actual(year, by)
    table = Table(_("Budget against actual %(year)d", year=year), _("by %(by)s", by=_(by)),
                  [_("Code"), _("Name"), _("Budget"), _("Committed"), _("Paid"), _("Balance"), _("Execution rate")],
                  [[r.key, r.name, r.budget, r.committed, r.paid, r.balance, f"{r.rate:.1f}%"] for r in rows],
                  numeric={2, 3, 4, 5, 6}, widths=[3, 5, 3, 3, 3, 3, 2], landscape=True,
                  total=["", _("Total"), sum(r.budget for r in rows), sum(r.committed for r in rows),
                         sum(r.paid for r in rows), sum(r.balance for r in rows), ""])
    return _deliver(table, f"budget-actual-{year}") or render_template("budget/index.html", rows=rows, year=year, by=by,
                                                                         table=table)


@bp.route("/revenue")
@permission_required("budget.view")
def revenue():
    year = _year()
    rows = reports.revenue_vs_actual(year)
    table = Table(_("Revenue budget against revenue posted %(year)d", year=year), "",
                  [_("Code"), _("Name"), _("Account"), _("Budget"), _("Posted in accounting"), _("Rate")],
                  [[r.code, r.name, r.account_code, r.budget, r.actual, f"{r.rate:.1f}%" if r.rate is not None else ""] for r in rows],
                  numeric={3, 4, 5}, widths=[3, 5, 2, 3, 3, 2])
    return _deliver(table, f"revenue-{year}") or render_template("budget/table.html", table=table, year=year)


# --- structure ------------------------------------------------------------------------------

@bp.route("/structure", methods=["GET", "POST"])
@permission_required("budget.view")
def structure_page():
    year = _year()
    project_form, line_form = ProjectForm(prefix="p"), LineForm(prefix="l")
    if request.method == "POST":
        if not current_user.can("budget.review"):
            abort(403)
        try:
            if "p-code" in request.form and project_form.validate_on_submit():
                structure.add_project(year, project_form.level.data, project_form.code.data, project_form.name.data,
                                      project_form.parent_code.data or "", project_form.department_code.data or "")
                flash(_("Project added."), "success")
                return redirect(url_for("budget.structure_page", year=year))
            if "l-item_code" in request.form and line_form.validate_on_submit():
                structure.add_line(year, part=line_form.part.data, side=line_form.side.data, item_code=line_form.item_code.data,
                                   sub_code=line_form.sub_code.data or "", name=line_form.name.data,
                                   account_code=line_form.account_code.data, project_code=line_form.project_code.data or "")
                flash(_("Budget line added."), "success")
                return redirect(url_for("budget.structure_page", year=year))
        except ServiceError as error:
            flash_refusal(project_form if "p-code" in request.form else line_form, error)
    return render_template("budget/structure.html", year=year, projects=repo.projects(year), lines=repo.lines(year, side=None),
                           project_form=project_form, line_form=line_form)


# --- compilation ------------------------------------------------------------------------------

@bp.route("/versions", methods=["GET", "POST"])
@permission_required("budget.view")
def versions():
    year = _year()
    if request.method == "POST":
        if not current_user.can("budget.review"):
            abort(403)
        try:
            version = compilation.open_version(year)
        except ServiceError as error:
            _refused(error)
        else:
            flash(_("%(name)s opened.", name=compilation.version_name(version)), "success")
            return redirect(url_for("budget.version_detail", version_id=version.id))
    return render_template("budget/versions.html", year=year, versions=repo.versions(year), name=compilation.version_name)


@bp.route("/versions/<id:version_id>", methods=["GET", "POST"])
@permission_required("budget.view")
def version_detail(version_id: int):
    version = repo.version(version_id) or abort(404)
    basis_form, adjust_form = BasisForm(prefix="b"), AdjustForm(prefix="a")
    lines = repo.lines(version.year, side=None)
    adjust_form.line_id.choices = [(l.id, f"{l.code} {l.name}") for l in lines]
    # A department's clerk is offered the lines of their department only.
    basis_form.line_id.choices = [(l.id, f"{l.code} {l.name}") for l in lines if compilation.may_request(l)]
    if request.method == "POST":
        action = request.form.get("action")
        needed = {"basis": "budget.request", "adjust": "budget.review", "approve": "budget.approve",
                  "delete_basis": "budget.request"}.get(action)
        if needed is None or not current_user.can(needed):
            abort(403)
        try:
            if action == "basis" and basis_form.validate_on_submit():
                compilation.add_basis(version.id, basis_form.line_id.data, basis_form.description.data,
                                      basis_form.unit_price.data, basis_form.quantity.data, basis_form.months.data)
                flash(_("Calculation basis added."), "success")
            elif action == "adjust" and adjust_form.validate_on_submit():
                compilation.adjust(version.id, adjust_form.line_id.data, parse_won(adjust_form.adjusted.data), adjust_form.note.data or "")
                flash(_("Budget office figure saved."), "success")
            elif action == "delete_basis":
                compilation.delete_basis(form_id("basis_id"))
                flash(_("Calculation basis removed."), "success")
            elif action == "approve":
                compilation.approve(version.id)
                flash(_("%(name)s approved: the budgets are in force.", name=compilation.version_name(version)), "success")
            else:
                for form in (basis_form, adjust_form):
                    flash_errors(form.errors)
                return redirect(url_for("budget.version_detail", version_id=version.id))
        except ServiceError as error:
            _refused(error)
        except LookupError:
            abort(404)
        return redirect(url_for("budget.version_detail", version_id=version.id))
    rows = compilation.comparison(version.id)
    name = compilation.version_name(version)
    kind = request.args.get("print")
    if kind == "book":
        table = _book_table(version, name)
        delivered = _deliver(table, f"budget-book-{version.year}-{version.number}")
    else:
        table = Table(_("Budget comparison: %(name)s %(year)d", name=name, year=version.year), _("in won"),
                      [_("Code"), _("Name"), _("Before"), _("Change"), _("After")],
                      _comparison_rows(rows), numeric={2, 3, 4}, widths=[4, 6, 3, 3, 3])
        delivered = _deliver(table, f"budget-comparison-{version.year}-{version.number}")
    return delivered or render_template("budget/version.html", version=version, name=name, rows=rows,
                                        line_codes={r.line.id: r.line.code for r in rows},
                                        bases=repo.bases(version.id), basis_form=basis_form, adjust_form=adjust_form,
                                        requestable={line_id for line_id, _label in basis_form.line_id.choices})


def _comparison_rows(rows) -> list[list]:
    """Income lines, then expenditure lines, each side with its own total."""
    body = []
    for side, label in (("income", _("Income")), ("expenditure", _("Expenditure"))):
        part = [r for r in rows if r.line.side == side]
        body += [[r.line.code, r.line.name, r.before, r.change, r.after] for r in part]
        body.append(["", _("Total %(section)s", section=label), sum(r.before for r in part), sum(r.change for r in part),
                     sum(r.after for r in part)])
    return body


def _book_table(version, name: str) -> Table:
    """예산서: each line with its amount in thousand won and its calculation basis."""
    amounts = repo.amounts(version.id)
    bases: dict[int, list] = {}
    for basis in repo.bases(version.id):
        bases.setdefault(basis.line_id, []).append(basis)
    rows = []
    for line in repo.lines(version.year, side=None):
        amount = amounts[line.id].amount if line.id in amounts else 0
        rows.append([f"{_('Revenue part') if line.part == 'revenue' else _('Capital part')} · "
                     f"{_('Income') if line.side == 'income' else _('Expenditure')}",
                     f"{line.code} {line.name}", amount // 1000, ""])
        for basis in bases.get(line.id, []):
            rows.append(["", "", None, f"{basis.description}: {basis.unit_price:,.0f} × {basis.quantity:,.2f} × "
                                       f"{basis.months} = {basis.amount:,}"])
    lines = {line.id: line for line in repo.lines(version.year, side=None)}
    for side, label in (("income", _("Income")), ("expenditure", _("Expenditure"))):
        total = sum(a.amount for line_id, a in amounts.items() if lines[line_id].side == side) // 1000
        rows.append(["", _("Total %(section)s", section=label), total, ""])
    return Table(_("Budget book %(year)d — %(name)s", year=version.year, name=name), _("Unit: thousand won"),
                 [_("Part"), _("Budget line"), _("Amount (thousand won)"), _("Calculation basis")], rows, numeric={2},
                 widths=[3, 6, 3, 8], landscape=True)


# --- transfers ------------------------------------------------------------------------------

@bp.route("/transfers", methods=["GET", "POST"])
@permission_required("budget.view")
def transfer_list():
    year = _year()
    form = TransferForm()
    form.from_line_id.choices = form.to_line_id.choices = _line_choices(year)
    if request.method == "POST":
        if not current_user.can("budget.review"):
            abort(403)
        if form.validate_on_submit():
            try:
                transfers.request(form.from_line_id.data, form.to_line_id.data, parse_won(form.amount.data) or 0, form.reason.data)
            except ServiceError as error:
                flash_refusal(form, error)
            else:
                flash(_("Transfer requested; it takes effect on approval."), "success")
                return redirect(url_for("budget.transfer_list", year=year))
    return render_template("budget/transfers.html", year=year, transfers=repo.transfers(year), form=form)


@bp.route("/transfers/<id:transfer_id>/<any(approve, reject):action>", methods=["POST"])
@permission_required("budget.approve")
def transfer_decide(transfer_id: int, action: str):
    try:
        transfer = transfers.decide(transfer_id, action == "approve")
    except ServiceError as error:
        _refused(error)
        return redirect(url_for("budget.transfer_list"))
    except LookupError:
        abort(404)
    flash(_("Transfer approved.") if action == "approve" else _("Transfer rejected."), "success")
    return redirect(url_for("budget.transfer_list", year=transfer.year))


# --- execution ------------------------------------------------------------------------------

@bp.route("/execution", methods=["GET", "POST"])
@permission_required("budget.view")
def execution_list():
    year = _year()
    form = CommitmentForm()
    form.line_id.choices = _line_choices(year)
    if request.method == "GET":
        form.committed_on.data = local_today() if local_today().year == year else date(year, 1, 1)
    if request.method == "POST":
        if not current_user.can("budget.execute"):
            abort(403)
        if form.validate_on_submit():
            try:
                commitment = execution.commit(form.line_id.data, form.committed_on.data, form.vendor.data,
                                              form.description.data, parse_won(form.amount.data) or 0)
            except ServiceError as error:
                flash_refusal(form, error)
            else:
                flash(_("Commitment %(number)s recorded.", number=commitment.number), "success")
                return redirect(url_for("budget.commitment_detail", commitment_id=commitment.id))
    status = request.args.get("status") if request.args.get("status") in ("committed", "resolved", "paid", "cancelled") else None
    return render_template("budget/execution.html", year=year, form=form,
                           pagination=repo.commitments(year, status=status, page=page_arg()))


@bp.route("/execution/<id:commitment_id>", methods=["GET", "POST"])
@permission_required("budget.view")
def commitment_detail(commitment_id: int):
    commitment = repo.commitment(commitment_id) or abort(404)
    form = StepForm()
    if request.method == "POST":
        if not current_user.can("budget.execute"):
            abort(403)
        action = request.form.get("action")
        try:
            if action == "cancel":
                execution.cancel(commitment.id)
                flash(_("Cancelled."), "success")
            elif action in ("resolve", "pay") and form.validate_on_submit():
                if action == "resolve":
                    execution.resolve(commitment.id, form.on.data)
                    flash(_("Expenditure resolved."), "success")
                else:
                    execution.pay(commitment.id, form.on.data)
                    posting = execution.posting_of(commitment)
                    flash(_("Paid; the expense is posted to accounting.") if posting and posting.status == "delivered"
                          else _("Paid; the accounting posting waits in the outbox and will be retried."), "success")
            else:
                flash_errors(form.errors)
        except ServiceError as error:
            _refused(error)
        return redirect(url_for("budget.commitment_detail", commitment_id=commitment.id))
    outbox = execution.posting_of(commitment)
    form.on.data = local_today()
    return render_template("budget/commitment.html", commitment=commitment, form=form, outbox=outbox)


# --- year end and mid-term plan ----------------------------------------------------------------

@bp.route("/year-end", methods=["GET", "POST"])
@permission_required("budget.view")
def year_end():
    year = _year()
    form = CarryForm()
    form.line_id.choices = _line_choices(year)
    if request.method == "POST":
        action = request.form.get("action")
        needed = {"request": "budget.review", "approve": "budget.approve", "process": "budget.approve"}.get(action)
        if needed is None or not current_user.can(needed):
            abort(403)
        try:
            if action == "request" and form.validate_on_submit():
                yearend.request_explicit(form.line_id.data, parse_won(form.amount.data) or 0, form.reason.data)
                flash(_("Carry-over requested."), "success")
            elif action == "approve":
                yearend.approve_explicit(form_id("carry_id"))
                flash(_("Carry-over approved."), "success")
            elif action == "process":
                yearend.process(year)
                flash(_("Year end of %(year)d processed: carry-overs are in %(next)d's lines.", year=year, next=year + 1), "success")
        except ServiceError as error:
            _refused(error)
        except LookupError:
            abort(404)
        return redirect(url_for("budget.year_end", year=year))
    rows = yearend.lapse_report(year)
    table = Table(_("Carry-over and lapse %(year)d", year=year), "",
                  [_("Code"), _("Name"), _("Budget"), _("Paid"), _("Explicit carry-over"), _("Accident carry-over"), _("Lapsed")],
                  [[r.line.code, r.line.name, r.budget, r.paid, r.explicit, r.accident, r.lapsed] for r in rows],
                  numeric={2, 3, 4, 5, 6}, widths=[4, 6, 3, 3, 3, 3, 3], landscape=True)
    return _deliver(table, f"year-end-{year}") or render_template(
        "budget/year_end.html", year=year, rows=rows, carries=repo.carryovers(year), form=form,
        processed=repo.year_end(year) is not None)


@bp.route("/midterm", methods=["GET", "POST"])
@permission_required("budget.view")
def midterm_plan():
    year = _year()
    form = GrowthForm()
    if request.method == "POST":
        if not current_user.can("budget.review"):
            abort(403)
        if form.validate_on_submit():
            try:
                midterm.set_growth(year, form.scope.data, form.rate.data)
            except ServiceError as error:
                flash_refusal(form, error)
            else:
                flash(_("Growth assumption saved."), "success")
                return redirect(url_for("budget.midterm_plan", year=year))
    years, rows = midterm.plan(year)
    table = Table(_("Mid-term financial plan %(first)d–%(last)d", first=years[0], last=years[-1]),
                  _("Base: the %(year)d budget in force; unit: won", year=year),
                  [_("Budget line"), _("Growth")] + [str(y) for y in years],
                  [[f"{r.line.code} {r.line.name}", f"{r.rate * 100:.2f}%"] + r.years for r in rows],
                  numeric=set(range(2, 2 + len(years))), widths=[6, 2] + [3] * len(years), landscape=True,
                  total=[_("Total"), ""] + [sum(r.years[i] for r in rows) for i in range(len(years))])
    return _deliver(table, f"midterm-{year}") or render_template("budget/midterm.html", year=year, table=table, form=form,
                                                                  growth=repo.growth(year))
