"""Citizens' pages (no login): the bill inquiry by customer number and holder's name (or phone),
its bill PDFs, and the application for e-billing or auto-debit; and the clerks' list of those
applications. A successful inquiry is remembered in the (server-side) session for half an hour,
so the PDF links and the application need no second look-up."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from erp.web.limits import limit
from erp.auth.access import permission_required, public
from erp.common.clock import utcnow
from erp.common.errors import ServiceError
from erp.web.downloads import file_response
from erp.web.forms import flash_errors, flash_refusal
from plugins.rates.reports.bills import bills_pdf
from plugins.rates.repositories import bills as bill_repo
from plugins.rates.repositories import collection as repo
from plugins.rates.services import inquiry
from plugins.rates.services.payment_layouts import CHANNEL_LABELS
from plugins.rates.views.pages import bp

ACCESS = "rates_inquiry"
KEPT = timedelta(minutes=30)


class InquiryForm(FlaskForm):
    account_no = StringField(_l("Customer number"), render_kw={"placeholder": "1101-00001-3", "inputmode": "numeric"},
                             validators=[DataRequired(message=_l("Enter the customer number.")),
                                         Length(max=20)])
    secret = StringField(_l("Holder's name or telephone number"),
                         validators=[DataRequired(message=_l("Enter the holder's name or the telephone number.")),
                                     Length(max=100)])


class ApplicationForm(FlaskForm):
    kind = SelectField(_l("I apply for"), choices=[("e_billing", _l("E-billing (bills by e-mail)")),
                                                   ("auto_debit", _l("Auto-debit from a bank account (CMS)"))])
    email = StringField(_l("E-mail address"), validators=[Optional(), Length(max=200)])
    bank = StringField(_l("Bank"), validators=[Optional(), Length(max=40)])
    account = StringField(_l("Bank account number"), validators=[Optional(), Length(max=40)])
    holder = StringField(_l("Account holder"), validators=[Optional(), Length(max=100)])
    phone = StringField(_l("Telephone number for questions"), validators=[Optional(), Length(max=20)])


def _customer_id() -> int | None:
    """The customer of the inquiry this session made, while it is fresh."""
    kept = session.get(ACCESS) or {}
    try:
        at = datetime.fromisoformat(kept.get("at", ""))
    except ValueError:
        return None
    return kept.get("customer") if utcnow() - at <= KEPT else None


@bp.route("/inquiry", methods=["GET", "POST"])
@public
@limit("ERP_RATELIMIT_BILL_INQUIRY", by="account_no", methods=["POST"])
def inquiry_form():
    """요금 조회: the customer number printed on the bill and the holder's name or phone."""
    form = InquiryForm()
    if form.validate_on_submit():
        try:
            customer = inquiry.look_up(form.account_no.data, form.secret.data)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            session[ACCESS] = {"customer": customer.id, "at": utcnow().isoformat()}
            return redirect(url_for("rates.inquiry_result"))
    return render_template("rates/inquiry.html", form=form)


@bp.route("/inquiry/result")
@public
def inquiry_result():
    customer_id = _customer_id()
    if customer_id is None:
        return redirect(url_for("rates.inquiry_form"))
    return render_template("rates/inquiry_result.html", s=inquiry.summary(customer_id), form=ApplicationForm(),
                           channel_labels=CHANNEL_LABELS)


@bp.route("/inquiry/bills/<id:bill_id>.pdf")
@public
def inquiry_bill_pdf(bill_id: int):
    bill = bill_repo.bill(bill_id)
    if bill is None or bill.customer_id != _customer_id():
        abort(404)
    return file_response(bills_pdf([bill], current_app.config["ERP_ORG_NAME"]), "pdf", f"bill-{bill.number}")


@bp.route("/inquiry/apply", methods=["POST"])
@public
def inquiry_apply():
    customer_id = _customer_id()
    if customer_id is None:
        return redirect(url_for("rates.inquiry_form"))
    form = ApplicationForm()
    if form.validate_on_submit():
        try:
            inquiry.apply(customer_id, form.kind.data, email=form.email.data or "", bank=form.bank.data or "",
                          account=form.account.data or "", holder=form.holder.data or "", phone=form.phone.data or "",
                          ip=request.remote_addr or "")
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Your application was received; the office will process it."), "success")
            return redirect(url_for("rates.inquiry_result"))
    else:
        flash_errors(form.errors)
    return render_template("rates/inquiry_result.html", s=inquiry.summary(customer_id), form=form,
                           channel_labels=CHANNEL_LABELS)


@bp.route("/inquiry/end", methods=["POST"])
@public
def inquiry_end():
    session.pop(ACCESS, None)
    return redirect(url_for("rates.inquiry_form"))


# --- clerks ---------------------------------------------------------------------------------------

@bp.route("/applications")
@permission_required("rates.view")
def applications():
    """The citizens' applications waiting to be processed, and the latest processed."""
    return render_template("rates/applications.html", waiting=repo.applications("received"),
                           done=[a for a in repo.applications(None, 200) if a.status != "received"][-50:])


@bp.route("/applications/<id:application_id>", methods=["POST"])
@permission_required("rates.manage")
def application_process(application_id: int):
    accept = request.form.get("action") == "accept"
    try:
        application = inquiry.process(application_id, accept, request.form.get("note", ""))
    except ServiceError as error:
        flash_errors(error.errors or {"": [error.message]})
    else:
        flash(_("Application %(id)d processed.", id=application.id), "success")
    return redirect(url_for("rates.applications"))
