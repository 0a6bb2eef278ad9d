"""The citizens' pages (no login): filing a complaint, its receipt, following it with the receipt
number and telephone number, supplying documents and withdrawing."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _

from erp.auth import services as auth

from erp.auth.access import public
from erp.web.limits import limit
from erp.common.errors import ServiceError
from erp.web.downloads import file_response
from erp.web.forms import flash_refusal
from plugins.complaints.reports import receipt_pdf
from plugins.complaints.repositories import complaints as repo
from plugins.complaints.services import complaints as service
from plugins.complaints.services import storage
from plugins.complaints.services.deadlines import describe
from plugins.complaints.views.blueprint import bp, uploads
from plugins.complaints.views.forms import FilingForm, LookupForm, SupplyForm, WithdrawForm

ACCESS = "complaint_access"  # the receipt numbers this browser session proved it may see


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
                                     customer_no=form.customer_no.data or "", uploads=uploads(form.attachments),
                                     ip=request.remote_addr or "")
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            session[ACCESS] = [complaint.receipt_no]
            return redirect(url_for("complaints.receipt"))
    return render_template("complaints/new.html", form=form, kinds=kinds,
                           retention_years=current_app.config["ERP_COMPLAINT_RETENTION_YEARS"])


@bp.route("/receipt")
@public
def receipt():
    numbers = session.get(ACCESS) or []
    complaint = repo.by_receipt(numbers[-1]) if numbers else None
    if complaint is None:
        return redirect(url_for("complaints.status"))
    return render_template("complaints/receipt.html", complaint=complaint)


def visible(complaint) -> bool:
    """Whether this browser session proved (by number and telephone) that it may see the complaint."""
    return complaint is not None and complaint.receipt_no in (session.get(ACCESS) or [])


@bp.route("/status", methods=["GET", "POST"])
@public
@limit("ERP_RATELIMIT_COMPLAINT_LOOKUP", by="receipt_no", methods=["POST"])
def status():
    form = LookupForm()
    if form.validate_on_submit():
        try:
            complaint = service.look_up(form.receipt_no.data, form.phone.data, request.remote_addr or "")
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            session[ACCESS] = (session.get(ACCESS) or [])[-4:] + [complaint.receipt_no]
            return redirect(url_for("complaints.status_of", receipt_no=complaint.receipt_no))
    return render_template("complaints/status.html", form=form)


def _status_page(complaint, supply_form=None, withdraw_form=None):
    return render_template("complaints/status_of.html", complaint=complaint, form=supply_form or SupplyForm(),
                           withdraw_form=withdraw_form or WithdrawForm())


@bp.route("/status/<receipt_no>")
@public
def status_of(receipt_no: str):
    complaint = repo.by_receipt(receipt_no)
    if not visible(complaint):
        return redirect(url_for("complaints.status"))
    return _status_page(complaint)


@bp.route("/status/<receipt_no>/supply", methods=["POST"])
@public
@limit("ERP_RATELIMIT_COMPLAINT_LOOKUP", by="receipt_no", methods=["POST"])
def supply(receipt_no: str):
    complaint = repo.by_receipt(receipt_no)
    if not visible(complaint):
        return redirect(url_for("complaints.status"))
    form = SupplyForm()
    if form.validate_on_submit():
        try:
            service.supply(complaint.receipt_no, complaint.phone, form.text.data or "", uploads(form.attachments),
                           request.remote_addr or "")
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Thank you: what you supplied was received and the handling goes on."), "success")
            return redirect(url_for("complaints.status_of", receipt_no=complaint.receipt_no))
    return _status_page(complaint, supply_form=form)


@bp.route("/status/<receipt_no>/withdraw", methods=["POST"])
@public
@limit("ERP_RATELIMIT_COMPLAINT_LOOKUP", by="receipt_no", methods=["POST"])
def withdraw(receipt_no: str):
    complaint = repo.by_receipt(receipt_no)
    if not visible(complaint):
        return redirect(url_for("complaints.status"))
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            service.withdraw(complaint.receipt_no, complaint.phone, request.remote_addr or "")
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Your complaint is withdrawn."), "success")
            return redirect(url_for("complaints.status_of", receipt_no=complaint.receipt_no))
    return _status_page(complaint, withdraw_form=form)


@bp.route("/status/<receipt_no>/receipt.pdf")
@public
def receipt_file(receipt_no: str):
    """The receipt (접수증) as a PDF, for the citizen who proved the complaint is theirs."""
    complaint = repo.by_receipt(receipt_no)
    if not visible(complaint):
        return redirect(url_for("complaints.status"))
    department = next((d.name for d in auth.list_departments() if d.code == complaint.department_code),
                      complaint.department_code)
    data = receipt_pdf(complaint, department=department, org_name=current_app.config["ERP_ORG_NAME"],
                       org_phone=current_app.config["ERP_ORG_PHONE"])
    return file_response(data, "pdf", f"receipt-{complaint.receipt_no}")


@bp.route("/status/<receipt_no>/attachments/<id:attachment_id>")
@public
def citizen_attachment(receipt_no: str, attachment_id: int):
    """A file of the citizen's own complaint."""
    complaint = repo.by_receipt(receipt_no)
    if not visible(complaint):
        return redirect(url_for("complaints.status"))
    item = repo.attachment(attachment_id)
    if item is None or item.complaint_id != complaint.id or not storage.path_of(item.stored_name).exists():
        abort(404)
    return send_file(storage.path_of(item.stored_name), mimetype=item.content_type, as_attachment=True,
                     download_name=item.original_name)
