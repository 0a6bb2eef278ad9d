"""Journal-entry pages: the list, drafting and editing, approval (posting), deletion and
reversal. Request handling only; the rules live in ``services.journal``."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from erp.auth.access import permission_required
from erp.auth.services import department_names, list_departments, user_names
from erp.common.errors import ServiceError
from erp.common.excel import Column
from erp.web.downloads import file_response, list_export
from erp.web.forms import ReturnForm, flash_errors, flash_refusal, parse_won
from erp.web.paging import page_arg
from plugins.accounting.data import PostingLine
from plugins.accounting.reports.voucher import voucher_pdf
from plugins.accounting.repositories import entries as entry_repo
from plugins.accounting.services import chart, journal
from plugins.accounting.views.blueprint import KIND_LABELS, bp, date_arg, today
from plugins.accounting.views.forms import EntryForm, ReverseForm


@bp.route("/")
@permission_required("accounting.view")
def index():
    return redirect(url_for("accounting.entries"))


STATUSES = ("draft", "returned", "posted")


@bp.route("/entries")
@permission_required("accounting.view")
def entries():
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    search = dict(status=status, date_from=date_arg("from", None), date_to=date_arg("to", None),
                  text=request.args.get("q", "").strip())
    exported = list_export(_("Journal entries"), [
        Column(_("Number"), 16), Column(_("Date"), 12, "date"), Column(_("Entry description"), 40),
        Column(_("Status"), 10), Column(_("Kind"), 10), Column(_("Amount"), 16, "won"), Column(_("Drafted by"), 14),
        Column(_("Approved by"), 14), Column(_("Reason for returning"), 30)],
        lambda: [[e.number or _("(draft)"), e.entry_date, e.memo, _status_label(e), kind_label(e.kind), e.total,
                  e.created_by, e.posted_by or "", e.return_reason] for e in entry_repo.search_all(**search)],
        "journal-entries")
    return exported or render_template("accounting/entries.html", pagination=entry_repo.search(**search, page=page_arg()),
                                       args=request.args)


def kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind))


def _status_label(entry) -> str:
    if entry.status == "posted":
        return _("Posted")
    return _("Returned") if entry.is_returned else _("Draft")


def _code(text: str | None) -> str:
    """The code of a value typed or picked as "code name" (or just the code)."""
    return (text or "").strip().split(" ", 1)[0]


def _lines_from(form: EntryForm) -> list[PostingLine] | None:
    """The filled rows of the form as posting lines (empty rows are skipped)."""
    lines = []
    for row in form.lines:
        debit, credit = parse_won(row.debit.data) or 0, parse_won(row.credit.data) or 0
        code = _code(row.account.data)
        if not code and not debit and not credit:
            continue
        lines.append(PostingLine(code, debit, credit, (row.memo.data or "").strip(), _code(row.department.data)))
    return lines


def _entry_form(entry=None) -> EntryForm:
    form = EntryForm()
    if entry is not None and request.method == "GET":
        form.entry_date.data, form.memo.data = entry.entry_date, entry.memo
        while len(form.lines) < max(len(entry.lines), 6):
            form.lines.append_entry()
        departments = department_names()
        for row, line in zip(form.lines, entry.lines):
            row.account.data = f"{line.account.code} {line.account.name}"
            row.debit.data = f"{line.debit:,}" if line.debit else ""
            row.credit.data = f"{line.credit:,}" if line.credit else ""
            row.memo.data = line.memo
            row.department.data = (f"{line.department_code} {departments.get(line.department_code, '')}".strip()
                                   if line.department_code else "")
    return form


def _form_page(form: EntryForm, entry=None):
    """The entry form with the lists its account and department fields pick from."""
    return render_template("accounting/entry_form.html", form=form, entry=entry, accounts=chart.postable_accounts(),
                           departments=list_departments(include_inactive=False))


@bp.route("/entries/new", methods=["GET", "POST"])
@permission_required("accounting.entry")
def entry_new():
    form = _entry_form()
    if request.method == "GET":
        form.entry_date.data = today()
    if form.validate_on_submit():
        try:
            entry = journal.create_draft(form.entry_date.data, form.memo.data, _lines_from(form))
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Draft saved. The chief accountant approves it to post it."), "success")
            return redirect(url_for("accounting.entry_detail", entry_id=entry.id))
    return _form_page(form)


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
    form.entry_date.data = today()
    return render_template("accounting/entry_detail.html", entry=entry, reversal=reversal, reverse_form=form,
                           return_form=ReturnForm())


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
            returned = entry.is_returned
            journal.update_draft(entry.id, form.entry_date.data, form.memo.data, _lines_from(form))
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Draft saved and sent back for approval.") if returned else _("Draft saved."), "success")
            return redirect(url_for("accounting.entry_detail", entry_id=entry.id))
    return _form_page(form, entry)


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


@bp.post("/entries/<id:entry_id>/return")
@permission_required("accounting.approve")
def entry_return(entry_id: int):
    _entry_or_404(entry_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        flash_errors(form.errors)
        return redirect(url_for("accounting.entry_detail", entry_id=entry_id))
    try:
        journal.return_draft(entry_id, form.reason.data)
    except ServiceError as error:
        flash_errors(error.errors or {"": [error.message]})
    else:
        flash(_("The draft went back to its drafter with your reason."), "success")
    return redirect(url_for("accounting.entry_detail", entry_id=entry_id))


@bp.post("/entries/<id:entry_id>/resubmit")
@permission_required("accounting.entry")
def entry_resubmit(entry_id: int):
    _entry_or_404(entry_id)
    try:
        journal.resubmit(entry_id)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_("The draft is waiting for approval again."), "success")
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




@bp.get("/entries/<id:entry_id>/voucher.pdf")
@permission_required("accounting.view")
def entry_voucher(entry_id: int):
    """The entry's journal voucher (전표) with its 결재란."""
    entry = _entry_or_404(entry_id)
    data = voucher_pdf(entry, org_name=current_app.config["ERP_ORG_NAME"],
                       people=user_names([entry.created_by, entry.posted_by, entry.returned_by]),
                       departments=department_names())
    return file_response(data, "pdf", f"voucher-{entry.number or 'draft-%d' % entry.id}")
