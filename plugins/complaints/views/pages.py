"""Complaint pages: the citizens' filing and status pages (no login) and the officials' queue,
complaint, statistics and settings pages."""
from __future__ import annotations

from datetime import date

from flask import (Blueprint, abort, flash, redirect, render_template, request, send_file,
                   session, url_for)
from flask_babel import gettext as _
from flask_login import current_user

from erp.auth import services as auth
from erp.auth.access import permission_required, public
from erp.web.limits import limit
from erp.common.clock import local_today
from erp.common.errors import ServiceError
from erp.i18n import N_
from erp.web.downloads import printout
from erp.web.forms import flash_errors, flash_refusal
from erp.web.paging import id_arg
from plugins.complaints.reports import statistics_file
from plugins.complaints.repositories import complaints as repo
from plugins.complaints.services import complaints as service
from plugins.complaints.services import billing_links, stats, storage
from plugins.complaints.services.deadlines import describe
from plugins.complaints.views.forms import ActionForm, FilingForm, LookupForm, SupplyForm, TypeForm

bp = Blueprint("complaints", __name__, url_prefix="/complaints", template_folder="../templates")
ACCESS = "complaint_access"  # the receipt numbers this browser session proved it may see


EVENT_LABELS = {
    "filed": N_("filed"), "assigned": N_("assigned to an official"), "transferred": N_("transferred to another department"),
    "supplement_requested": N_("supplement requested"), "supplied": N_("supplement received"), "extended": N_("deadline extended"),
    "note": N_("internal note"), "replied": N_("reply written"), "completed": N_("completed"), "refused": N_("refused"),
    "returned": N_("returned"), "withdrawn": N_("withdrawn"), "billing": N_("billing action"),
    "reminded": N_("deadline reminder"),
}


@bp.context_processor
def helpers():
    return {"status_label": service.status_label, "is_overdue": service.is_overdue, "deadline_text": describe,
            "may_act": lambda complaint: current_user.can("complaints.handle") and service.may_act_on(complaint),
            "event_label": lambda kind: _(EVENT_LABELS.get(kind, kind)), "phone": format_phone}


def format_phone(digits: str) -> str:
    """01012345678 → 010-1234-5678 (as Koreans write telephone numbers)."""
    if digits.startswith("02") and len(digits) in (9, 10):
        return f"02-{digits[2:-4]}-{digits[-4:]}"
    if len(digits) in (10, 11):
        return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"
    return digits


def _uploads(field) -> list[storage.Upload]:
    result = []
    for item in field.data or []:
        if getattr(item, "filename", ""):
            result.append(storage.Upload(item.filename, item.read()))
    return result


# --- citizens ---------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@public
@limit("ERP_RATELIMIT_COMPLAINT_FILING", by="phone", methods=["POST"])
def new():
    form = FilingForm()
    kinds = repo.types()
    form.type_code.choices = [(t.code, f"{t.name} ({describe(t.deadline_value, t.deadline_unit)})") for t in kinds]
    if form.validate_on_submit():
        try:
            complaint = service.file(form.type_code.data, title=form.title.data, body=form.body.data, name=form.name.data,
                                     phone=form.phone.data, email=form.email.data or "", address=form.address.data or "",
                                     customer_no=form.customer_no.data or "", uploads=_uploads(form.attachments),
                                     ip=request.remote_addr or "")
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            session[ACCESS] = [complaint.receipt_no]
            return redirect(url_for("complaints.receipt"))
    return render_template("complaints/new.html", form=form, kinds=kinds)


@bp.route("/receipt")
@public
def receipt():
    numbers = session.get(ACCESS) or []
    complaint = repo.by_receipt(numbers[-1]) if numbers else None
    if complaint is None:
        return redirect(url_for("complaints.status"))
    return render_template("complaints/receipt.html", complaint=complaint)


def _visible(complaint) -> bool:
    return complaint.receipt_no in (session.get(ACCESS) or [])


@bp.route("/status", methods=["GET", "POST"])
@public
@limit("ERP_RATELIMIT_COMPLAINT_LOOKUP", by="receipt_no", methods=["POST"])
def status():
    form = LookupForm()
    complaint = None
    if form.validate_on_submit():
        try:
            complaint = service.look_up(form.receipt_no.data, form.phone.data, request.remote_addr or "")
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            session[ACCESS] = (session.get(ACCESS) or [])[-4:] + [complaint.receipt_no]
            return redirect(url_for("complaints.status_of", receipt_no=complaint.receipt_no))
    return render_template("complaints/status.html", form=form)


@bp.route("/status/<receipt_no>", methods=["GET", "POST"])
@public
@limit("ERP_RATELIMIT_COMPLAINT_LOOKUP", by="receipt_no", methods=["POST"])
def status_of(receipt_no: str):
    complaint = repo.by_receipt(receipt_no)
    if complaint is None or not _visible(complaint):
        return redirect(url_for("complaints.status"))
    form = SupplyForm()
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "supply" and form.validate_on_submit():
                service.supply(complaint.receipt_no, complaint.phone, form.text.data or "", _uploads(form.attachments),
                               request.remote_addr or "")
                flash(_("Thank you: what you supplied was received and the handling goes on."), "success")
            elif action == "withdraw" and form.validate_on_submit():
                service.withdraw(complaint.receipt_no, complaint.phone, request.remote_addr or "")
                flash(_("Your complaint is withdrawn."), "success")
        except ServiceError as error:
            flash_refusal(form, error)
            return render_template("complaints/status_of.html", complaint=complaint, form=form)
        return redirect(url_for("complaints.status_of", receipt_no=complaint.receipt_no))
    return render_template("complaints/status_of.html", complaint=complaint, form=form)


# --- officials ----------------------------------------------------------------------------------

@bp.route("/")
@permission_required("complaints.view")
def queue():
    department = request.args.get("department", "").strip() or None
    mine = request.args.get("mine") == "1"
    status_filter = request.args.get("status") or None
    items = service.queue(department=department, assignee_id=current_user.id if mine else None, status=status_filter,
                          type_id=id_arg("type"))
    return render_template("complaints/queue.html", items=items, departments=auth.list_departments(include_inactive=False),
                           kinds=repo.types(active_only=False), args=request.args)


@bp.route("/<id:complaint_id>", methods=["GET", "POST"])
@permission_required("complaints.view")
def detail(complaint_id: int):
    complaint = repo.get(complaint_id) or abort(404)
    form = ActionForm()
    form.user_id.choices = [(u.id, f"{u.name} ({u.username})") for u in service.assignable_officials(complaint)]
    form.department_code.choices = [(d.code, d.name) for d in auth.list_departments(include_inactive=False)]
    if request.method == "POST":
        if not current_user.can("complaints.handle"):
            abort(403)
        action = request.form.get("action")
        text = form.text.data or ""
        try:
            if not form.validate_on_submit():
                raise ServiceError(_("Check the form."), {k: v for k, v in form.errors.items()})
            if action == "assign":
                service.assign(complaint.id, form.user_id.data)
            elif action == "transfer":
                service.transfer(complaint.id, form.department_code.data, text)
            elif action == "supplement":
                service.request_supplement(complaint.id, text)
            elif action == "extend":
                service.extend(complaint.id, form.days.data or 0, text, bool(form.consent.data))
            elif action == "note":
                service.add_note(complaint.id, text)
            elif action == "reply":
                service.reply(complaint.id, text)
            elif action in ("completed", "refused", "returned", "withdrawn"):
                service.close(complaint.id, action, text)
            elif action == "billing":
                item = billing_links.link(complaint.id, bill_number=form.bill_number.data or "", corrected_use=form.corrected_use.data,
                                          on=form.on.data, final_reading=form.final_reading.data, reason=text)
                flash(_("Bill %(no)s issued: %(amount)s won.", no=item.bill_number, amount=f"{item.amount:,}"), "success")
            else:
                abort(400)
        except ServiceError as error:
            # The page is shown again after a redirect: a field's refusal must be flashed too.
            flash_errors(error.errors or {"": [error.message]})
        else:
            flash(_("Saved."), "success")
        return redirect(url_for("complaints.detail", complaint_id=complaint.id))
    billing_action = billing_links.action_for(complaint)
    if billing_action and not form.bill_number.data:
        latest = billing_links.latest_bill(complaint)
        form.bill_number.data = latest.number if latest else ""
        form.corrected_use.data = latest.use if latest and billing_action == "adjusting_bill" else None
    return render_template("complaints/detail.html", complaint=complaint, form=form, billing_action=billing_action)


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


@bp.route("/stats")
@permission_required("complaints.view")
def statistics():
    today = local_today()
    try:
        start = date.fromisoformat(request.args.get("from") or f"{today.year}-01-01")
        end = date.fromisoformat(request.args.get("to") or today.isoformat())
    except ValueError:
        abort(400)
    if end < start or not 1900 < start.year < 2200 or not 1900 < end.year < 2200:
        abort(400)
    by = request.args.get("by") if request.args.get("by") in ("type", "department", "month") else "type"
    rows = stats.statistics(start, end, by)
    return printout(lambda fmt, org: statistics_file(fmt, rows, start, end, by, org), f"complaints-{start}-{end}") \
        or render_template("complaints/stats.html", rows=rows, start=start, end=end, by=by)


@bp.route("/types", methods=["GET", "POST"])
@permission_required("complaints.view")
def types():
    kinds = repo.types(active_only=False)
    edit = id_arg("edit")
    kind = repo.type_by_id(edit) if edit and 0 < edit < 2**31 else None
    form = TypeForm(obj=kind)
    if request.method == "POST":
        if not current_user.can("complaints.settings") or kind is None:
            abort(403 if kind else 404)
        if form.validate_on_submit():
            try:
                service.update_type(kind.id, name=form.name.data, department_code=form.department_code.data,
                                    deadline_value=form.deadline_value.data or 0, deadline_unit=form.deadline_unit.data,
                                    documents=form.documents.data or "", active=form.active.data)
            except ServiceError as error:
                flash_refusal(form, error)
            else:
                flash(_("Saved."), "success")
                return redirect(url_for("complaints.types"))
    return render_template("complaints/types.html", kinds=kinds, form=form, kind=kind)
