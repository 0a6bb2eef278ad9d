"""Journal-entry pages: the list, drafting and editing, approval (posting), deletion and
reversal. Request handling only; the rules live in ``services.journal``."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from erp.auth.access import permission_required
from erp.common.errors import ServiceError
from erp.web.forms import flash_errors, flash_refusal, parse_won
from erp.web.paging import page_arg
from plugins.accounting.data import PostingLine
from plugins.accounting.repositories import entries as entry_repo
from plugins.accounting.services import chart, journal
from plugins.accounting.views.blueprint import bp, date_arg, today
from plugins.accounting.views.forms import EntryForm, ReverseForm


@bp.route("/")
@permission_required("accounting.view")
def index():
    return redirect(url_for("accounting.entries"))


@bp.route("/entries")
@permission_required("accounting.view")
def entries():
    status = request.args.get("status") if request.args.get("status") in ("draft", "posted") else None
    pagination = entry_repo.search(status=status, date_from=date_arg("from", None), date_to=date_arg("to", None),
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
        form.entry_date.data = today()
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
    form.entry_date.data = today()
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


