"""The officials' pages: the queue and one complaint with an endpoint per action (assign,
transfer, supplement, extend, reply, internal memo, close, billing) and its attachments."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from erp.auth import services as auth
from erp.auth.access import permission_required
from erp.common.clock import local_today, to_local
from erp.common.errors import ServiceError
from erp.common.tables import Table, to_pdf, to_xlsx
from erp.web.downloads import printout
from erp.web.forms import flash_refusal
from erp.web.paging import id_arg
from plugins.complaints.repositories import complaints as repo
from plugins.complaints.services import billing_links, storage
from plugins.complaints.services import complaints as service
from plugins.complaints.views.blueprint import bp, format_phone
from plugins.complaints.views.forms import (AssignForm, BillingForm, CloseForm, ExtendForm, NoteForm, ReplyForm,
                                            SupplementForm, TransferForm)

# The forms of the case page, by name; each posts to its own endpoint under its own prefix.
FORMS = {"assign": AssignForm, "transfer": TransferForm, "supplement": SupplementForm, "extend": ExtendForm,
         "reply": ReplyForm, "note": NoteForm, "close": CloseForm, "billing": BillingForm}


@bp.route("/")
@permission_required("complaints.view")
def queue():
    department = request.args.get("department", "").strip() or None
    mine = request.args.get("mine") == "1"
    status_filter = request.args.get("status") or None
    text = request.args.get("q", "").strip()[:50]
    items = service.queue(department=department, assignee_id=current_user.id if mine else None, status=status_filter,
                          type_id=id_arg("type"), text=text or None)
    departments = auth.list_departments(include_inactive=True)
    names = {d.code: d.name for d in departments}
    made = printout(lambda fmt, org: (to_pdf if fmt == "pdf" else to_xlsx)(queue_table(items, names, text), org),
                    f"complaints-{local_today()}")
    return made or render_template("complaints/queue.html", items=items, departments=[d for d in departments if d.active],
                                   department_names=names, kinds=repo.types(active_only=False), args=request.args)


def queue_table(items, names: dict[str, str], text: str) -> Table:
    """The queue as the list shows it, for the PDF and Excel files."""
    rows = [[c.receipt_no, c.type.name, c.title, c.name, format_phone(c.phone), names.get(c.department_code, c.department_code),
             c.assignee_name, service.status_label(c.status) + (" · " + _("overdue") if service.is_overdue(c) else ""),
             to_local(c.filed_at).strftime("%Y-%m-%d %H:%M"),
             to_local(c.due_at).strftime("%Y-%m-%d %H:%M") if c.due_at and c.status != "supplement" else _("paused")]
            for c in items]
    header = [_("Receipt number"), _("Kind"), _("Title"), _("Citizen"), _("Telephone"), _("Department"), _("Official"),
              _("Status"), _("Received"), _("Due by")]
    subtitle = (_("Search: %(text)s", text=text) + " · " if text else "") + _("%(n)s complaints", n=f"{len(rows):,}")
    return Table(_("Complaint queue"), subtitle, header, rows, widths=[3, 2.5, 4, 1.8, 2.6, 2.6, 1.8, 2.2, 2.8, 2.8],
                 landscape=True)


def _complaint(complaint_id: int):
    return repo.get(complaint_id) or abort(404)


def _forms(complaint, submitted: str | None = None) -> dict:
    """Every action form of the page; only the submitted one reads the request."""
    forms = {}
    for name, cls in FORMS.items():
        forms[name] = cls(prefix=name) if name == submitted else cls(prefix=name, formdata=None)
    # Only officials who may handle this complaint's department (erp.auth.scope).
    forms["assign"].user_id.choices = [(0, _("— choose —"))] + [
        (u.id, f"{u.name} ({u.username})") for u in service.assignable_officials(complaint)]
    forms["transfer"].department_code.choices = [("", _("— choose —"))] + [
        (d.code, d.name) for d in auth.list_departments(include_inactive=False) if d.code != complaint.department_code]
    if submitted != "reply":
        forms["reply"].text.data = complaint.reply
    billing_action = billing_links.action_for(complaint)
    if billing_action and submitted != "billing":
        latest = billing_links.latest_bill(complaint)
        forms["billing"].bill_number.data = latest.number if latest else ""
        forms["billing"].corrected_use.data = latest.use if latest and billing_action == "adjusting_bill" else None
    return forms


def _page(complaint, forms: dict, status: int = 200):
    departments = {d.code: d.name for d in auth.list_departments(include_inactive=True)}
    return render_template("complaints/detail.html", complaint=complaint, forms=forms, departments=departments,
                           billing_action=billing_links.action_for(complaint)), status


@bp.route("/<id:complaint_id>")
@permission_required("complaints.view")
def detail(complaint_id: int):
    complaint = _complaint(complaint_id)
    return _page(complaint, _forms(complaint))


def _act(complaint_id: int, name: str, do, done: str | None = None):
    """Validate the action's form, run the service; on success back to the case with a message,
    on a refusal the page again with what was typed and why."""
    complaint = _complaint(complaint_id)
    forms = _forms(complaint, name)
    form = forms[name]
    if form.validate():
        try:
            message = do(complaint, form)
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(message if isinstance(message, str) else done or _("Saved."), "success")
            return redirect(url_for("complaints.detail", complaint_id=complaint.id))
    return _page(repo.get(complaint_id), forms)


@bp.route("/<id:complaint_id>/assign", methods=["POST"])
@permission_required("complaints.handle")
def assign(complaint_id: int):
    return _act(complaint_id, "assign", lambda c, f: service.assign(c.id, f.user_id.data))


@bp.route("/<id:complaint_id>/transfer", methods=["POST"])
@permission_required("complaints.handle")
def transfer(complaint_id: int):
    return _act(complaint_id, "transfer", lambda c, f: service.transfer(c.id, f.department_code.data, f.reason.data),
                _("The complaint was transferred."))


@bp.route("/<id:complaint_id>/supplement", methods=["POST"])
@permission_required("complaints.handle")
def supplement(complaint_id: int):
    return _act(complaint_id, "supplement", lambda c, f: service.request_supplement(c.id, f.text.data))


@bp.route("/<id:complaint_id>/extend", methods=["POST"])
@permission_required("complaints.handle")
def extend(complaint_id: int):
    return _act(complaint_id, "extend",
                lambda c, f: service.extend(c.id, f.days.data, f.reason.data, bool(f.consent.data)))


@bp.route("/<id:complaint_id>/reply", methods=["POST"])
@permission_required("complaints.handle")
def reply(complaint_id: int):
    return _act(complaint_id, "reply", lambda c, f: service.reply(c.id, f.text.data))


@bp.route("/<id:complaint_id>/note", methods=["POST"])
@permission_required("complaints.handle")
def note(complaint_id: int):
    return _act(complaint_id, "note", lambda c, f: service.add_note(c.id, f.text.data))


def _close(complaint_id: int, outcome: str):
    return _act(complaint_id, "close", lambda c, f: service.close(c.id, outcome, f.reason.data or ""))


@bp.route("/<id:complaint_id>/complete", methods=["POST"])
@permission_required("complaints.handle")
def complete(complaint_id: int):
    """The Complete button of the reply box: saves the reply as typed, then completes."""
    def do(complaint, form):
        if form.text.data.strip() != complaint.reply:
            service.reply(complaint.id, form.text.data)
        service.close(complaint.id, "completed")

    return _act(complaint_id, "reply", do, _("The complaint is completed."))


@bp.route("/<id:complaint_id>/refuse", methods=["POST"])
@permission_required("complaints.handle")
def refuse(complaint_id: int):
    return _close(complaint_id, "refused")


@bp.route("/<id:complaint_id>/return", methods=["POST"])
@permission_required("complaints.handle")
def return_(complaint_id: int):
    return _close(complaint_id, "returned")


@bp.route("/<id:complaint_id>/withdrawn", methods=["POST"])
@permission_required("complaints.handle")
def mark_withdrawn(complaint_id: int):
    return _close(complaint_id, "withdrawn")


@bp.route("/<id:complaint_id>/billing", methods=["POST"])
@permission_required("complaints.handle")
def billing(complaint_id: int):
    def do(complaint, form):
        item = billing_links.link(complaint.id, bill_number=form.bill_number.data or "", corrected_use=form.corrected_use.data,
                                  on=form.on.data, final_reading=form.final_reading.data, reason=complaint.type.name)
        return _("Bill %(no)s issued: %(amount)s won.", no=item.bill_number, amount=f"{item.amount:,}")

    return _act(complaint_id, "billing", do)


@bp.route("/<id:complaint_id>/attachments/<id:attachment_id>")
@permission_required("complaints.view")
def attachment(complaint_id: int, attachment_id: int):
    item = repo.attachment(attachment_id)
    if item is None or item.complaint_id != complaint_id:
        abort(404)
    path = storage.path_of(item.stored_name)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=item.content_type, as_attachment=True, download_name=item.original_name)
