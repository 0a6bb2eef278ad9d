"""Execution: commitments (지출원인행위), expenditure resolutions (지출결의) and payments (지급)."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from erp.auth.access import permission_required
from erp.common.clock import local_today
from erp.auth.services import department_names, user_names
from erp.common.errors import ServiceError
from erp.common.excel import Column
from erp.web.downloads import file_response, list_export
from erp.web.forms import ReturnForm, flash_errors, flash_refusal, parse_won
from erp.web.paging import page_arg
from plugins.budget.reports.resolution import resolution_pdf
from plugins.budget.repositories import budget as repo
from plugins.budget.services import execution
from plugins.budget.views.blueprint import STATUS_LABELS, bp, line_choices, refused, year_arg
from plugins.budget.views.forms import CommitmentForm, StepForm

COMMITMENT = "/execution/<id:commitment_id>"
STATUSES = ("committed", "resolved", "paid", "cancelled")


def _status_arg() -> str | None:
    return request.args.get("status") if request.args.get("status") in STATUSES else None


def _list_page(year: int, form: CommitmentForm):
    exported = list_export(_("Execution %(year)d", year=year), [
        Column(_("Number"), 16), Column(_("Date"), 12, "date"), Column(_("Budget line"), 36), Column(_("Department"), 16),
        Column(_("Counterparty"), 22), Column(_("What is bought"), 36), Column(_("Amount"), 16, "won"),
        Column(_("Status"), 14), Column(_("Drafted by"), 12), Column(_("Payment date"), 12, "date")],
        lambda: _export_rows(year), f"execution-{year}")
    if exported is not None:
        return exported
    return render_template("budget/execution.html", year=year, form=form, refused=execution.refused_postings(),
                           pagination=repo.commitments(year, status=_status_arg(), page=page_arg()))


def _export_rows(year: int) -> list[list]:
    departments = department_names()
    return [[c.number, c.committed_on, f"{c.line.code} {c.line.name}",
             departments.get(c.line.project.department_code, c.line.project.department_code) if c.line.project else "",
             c.vendor, c.description, c.amount, _(STATUS_LABELS.get(c.status, c.status)), c.created_by, c.paid_on]
            for c in repo.all_commitments(year, status=_status_arg())]


def _form(year: int) -> CommitmentForm:
    form = CommitmentForm()
    form.line_id.choices = line_choices(year, committable=True)
    return form


@bp.get("/execution")
@permission_required("budget.view")
def execution_list():
    year = year_arg()
    form = _form(year)
    form.committed_on.data = local_today() if local_today().year == year else date(year, 1, 1)
    return _list_page(year, form)


@bp.post("/execution")
@permission_required("budget.execute")
def commitment_new():
    year = year_arg()
    form = _form(year)
    if form.validate_on_submit():
        try:
            commitment = execution.commit(form.line_id.data, form.committed_on.data, form.vendor.data,
                                          form.description.data, parse_won(form.amount.data) or 0)
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Commitment %(number)s recorded.", number=commitment.number), "success")
            return redirect(url_for("budget.commitment_detail", commitment_id=commitment.id))
    return _list_page(year, form)


def _commitment_or_404(commitment_id: int):
    return repo.commitment(commitment_id) or abort(404)


@bp.get(COMMITMENT)
@permission_required("budget.view")
def commitment_detail(commitment_id: int):
    commitment = _commitment_or_404(commitment_id)
    form = StepForm()
    form.on.data = local_today()
    return render_template("budget/commitment.html", commitment=commitment, form=form,
                           outbox=execution.posting_of(commitment), return_form=ReturnForm())


def _back(commitment_id: int):
    return redirect(url_for("budget.commitment_detail", commitment_id=commitment_id))


@bp.post(COMMITMENT + "/approve")
@permission_required("budget.approve")
def commitment_approve(commitment_id: int):
    commitment = _commitment_or_404(commitment_id)
    stage = commitment.awaiting
    try:
        execution.approve(commitment.id)
    except ServiceError as error:
        refused(error)
    else:
        flash(_("Commitment approved: the expenditure can be resolved.") if stage == "commitment"
              else _("Expenditure resolution approved: it can be paid."), "success")
    return _back(commitment.id)


@bp.post(COMMITMENT + "/return")
@permission_required("budget.approve")
def commitment_return(commitment_id: int):
    commitment = _commitment_or_404(commitment_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        flash_errors(form.errors)
        return _back(commitment.id)
    try:
        execution.return_to_drafter(commitment.id, form.reason.data)
    except ServiceError as error:
        refused(error)
    else:
        flash(_("It went back to its drafter with your reason."), "success")
    return _back(commitment.id)


@bp.post(COMMITMENT + "/resubmit")
@permission_required("budget.execute")
def commitment_resubmit(commitment_id: int):
    commitment = _commitment_or_404(commitment_id)
    try:
        execution.resubmit(commitment.id)
    except ServiceError as error:
        refused(error)
    else:
        flash(_("It is waiting for approval again."), "success")
    return _back(commitment.id)


@bp.get(COMMITMENT + "/resolution.pdf")
@permission_required("budget.view")
def commitment_resolution_pdf(commitment_id: int):
    """The expenditure resolution (지출결의서) of a resolved commitment, with its 결재란."""
    commitment = _commitment_or_404(commitment_id)
    if not commitment.resolved_by:
        abort(404)
    people = user_names([commitment.created_by, commitment.approved_by, commitment.resolved_by,
                         commitment.resolution_approved_by])
    data = resolution_pdf(commitment, org_name=current_app.config["ERP_ORG_NAME"], people=people,
                          departments=department_names())
    return file_response(data, "pdf", f"resolution-{commitment.number}")


def _step(commitment_id: int, step) -> None:
    """Run one step on a commitment with the date typed in the step form."""
    commitment = _commitment_or_404(commitment_id)
    form = StepForm()
    if not form.validate_on_submit():
        flash_errors(form.errors)
        return None
    try:
        step(commitment, form.on.data)
    except ServiceError as error:
        refused(error)


@bp.post(COMMITMENT + "/resolve")
@permission_required("budget.execute")
def commitment_resolve(commitment_id: int):
    def resolve(commitment, on):
        execution.resolve(commitment.id, on)
        flash(_("Expenditure resolved."), "success")
    _step(commitment_id, resolve)
    return redirect(url_for("budget.commitment_detail", commitment_id=commitment_id))


@bp.post(COMMITMENT + "/pay")
@permission_required("budget.execute")
def commitment_pay(commitment_id: int):
    def pay(commitment, on):
        execution.pay(commitment.id, on)
        posting = execution.posting_of(commitment)
        if posting and posting.status == "refused":
            flash(_("Paid, but accounting refused the posting: %(reason)s Repost it on an open date.",
                    reason=posting.last_error), "danger")
        else:
            flash(_("Paid; the expense is posted to accounting.") if posting and posting.status == "delivered"
                  else _("Paid; the accounting posting waits in the outbox and will be retried."), "success")
    _step(commitment_id, pay)
    return redirect(url_for("budget.commitment_detail", commitment_id=commitment_id))


@bp.post(COMMITMENT + "/cancel")
@permission_required("budget.execute")
def commitment_cancel(commitment_id: int):
    commitment = _commitment_or_404(commitment_id)
    try:
        execution.cancel(commitment.id)
    except ServiceError as error:
        refused(error)
    else:
        flash(_("Cancelled."), "success")
    return redirect(url_for("budget.commitment_detail", commitment_id=commitment.id))
