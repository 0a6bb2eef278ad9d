"""Payment pages: the upload of a bank's payment file (imported by the worker), the suspense list
with manual matching, credits to refund or carry over, reversals, the counter payment and its
receipt, and the daily reconciliation (receipts by channel beside the cash posted)."""
from __future__ import annotations

import json
from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from erp import jobs
from erp.auth.access import permission_required
from erp.common.clock import local_today
from erp.common.errors import ServiceError
from erp.common.formatting import number
from erp.web.downloads import file_response
from erp.web.forms import flash_errors, parse_won, won_text
from erp.web.paging import page_arg
from plugins.rates.reports.receipts import reconciliation_pdf, reconciliation_xlsx, receipt_pdf
from plugins.rates.repositories import bills as bill_repo
from plugins.rates.repositories import collection as collection_repo
from plugins.rates.repositories import payments as repo
from plugins.rates.services import cms, payments, postings, refunds
from plugins.rates.services.payment_layouts import CHANNEL_LABELS, LAYOUTS
from plugins.rates.views.billing import CounterForm
from plugins.rates.views.pages import bp

IMPORT_JOB = "rates.import-payments"


class PaymentFileForm(FlaskForm):
    file = FileField(_l("Payment file"), validators=[FileRequired(message=_l("Choose a file."))])
    layout = SelectField(_l("Layout"), choices=[])


def _file_form() -> PaymentFileForm:
    form = PaymentFileForm()
    form.layout.choices = [("", _("detect"))] + [(name, layout.label) for name, layout in LAYOUTS.items()]
    return form


@bp.route("/payments", endpoint="payments")
@permission_required("rates.view")
def payments_home():
    return render_template("rates/payments.html", form=_file_form(), job=None, outcome=None,
                           suspense=repo.suspense(1, 10), today=local_today())


@bp.route("/payments/upload", methods=["POST"])
@permission_required("rates.payments")
def payments_upload():
    """The file is kept and imported by the worker (a bank's file may hold many lines)."""
    form = _file_form()
    if not form.validate_on_submit():
        flash_errors(form.errors)
        return redirect(url_for("rates.payments"))
    name = form.file.data.filename or ""
    upload = jobs.keep_input(form.file.data.read(), "dat")
    job_id = jobs.enqueue(IMPORT_JOB, upload=upload, layout=form.layout.data or "", name=name[-40:])
    return redirect(url_for("rates.payments_import", job_id=job_id))


@bp.route("/payments/upload/<id:job_id>")
@permission_required("rates.view")
def payments_import(job_id: int):
    """An upload's import: waiting or running (the page refreshes itself), then its outcome."""
    job = jobs.get(job_id)
    if job is None or job.kind != IMPORT_JOB:
        abort(404)
    outcome = None
    if job.status == "done" and job.result:
        path = jobs.output_dir() / job.result
        outcome = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    return render_template("rates/payments.html", form=_file_form(), job=job, outcome=outcome,
                           suspense=repo.suspense(1, 10), today=local_today())


@bp.route("/payments/suspense")
@permission_required("rates.view")
def payments_suspense():
    """Unmatched payments (가수금), for a clerk to match to a bill."""
    return render_template("rates/payments_suspense.html", pagination=repo.suspense(page_arg()), channel_labels=CHANNEL_LABELS)


@bp.route("/payments/<id:payment_id>/match", methods=["POST"])
@permission_required("rates.payments")
def payment_match(payment_id: int):
    number = (request.form.get("bill_number") or "").strip()
    try:
        payment = payments.match(payment_id, number)
    except ServiceError as error:
        flash_errors(error.errors or {"": [error.message]})
        return redirect(url_for("rates.payments_suspense"))
    flash(_("The payment is matched to bill %(no)s.", no=payment.bill.number), "success")
    return redirect(url_for("rates.bill_detail", bill_id=payment.bill_id))


@bp.route("/payments/<id:payment_id>/reverse", methods=["POST"])
@permission_required("rates.payments")
def payment_reverse(payment_id: int):
    try:
        reversal = payments.reverse(payment_id, request.form.get("reason", ""))
    except ServiceError as error:
        flash_errors(error.errors or {"": [error.message]})
        original = repo.get(payment_id)
        return redirect(url_for("rates.bill_detail", bill_id=original.bill_id) if original and original.bill_id
                        else url_for("rates.payments_suspense"))
    flash(_("The payment is reversed."), "success")
    return redirect(url_for("rates.bill_detail", bill_id=reversal.bill_id) if reversal.bill_id else url_for("rates.payments_suspense"))


@bp.route("/bills/<id:bill_id>/pay", methods=["POST"])
@permission_required("rates.payments")
def bill_counter_payment(bill_id: int):
    """창구수납: record the payment and show its receipt."""
    bill = bill_repo.bill(bill_id) or abort(404)
    form = CounterForm(prefix="c")
    if not form.validate_on_submit():
        flash_errors(form.errors)
        return redirect(url_for("rates.bill_detail", bill_id=bill.id))
    try:
        payment = payments.record_counter(bill.id, form.amount.data, form.payer.data or "")
    except ServiceError as error:
        flash_errors(error.errors or {"": [error.message]})
        return redirect(url_for("rates.bill_detail", bill_id=bill.id))
    flash(_("Payment %(no)s recorded: %(amount)s won.", no=payment.txn_id, amount=f"{payment.amount:,}"), "success")
    return redirect(url_for("rates.bill_detail", bill_id=bill.id))


@bp.route("/payments/<id:payment_id>/receipt.pdf")
@permission_required("rates.view")
def payment_receipt(payment_id: int):
    payment = repo.get(payment_id)
    if payment is None or payment.kind != "payment":
        abort(404)
    balance = payments.balance(payment.bill) if payment.bill else None
    return file_response(receipt_pdf(payment, balance, current_app.config["ERP_ORG_NAME"]), "pdf", f"receipt-{payment.txn_id}")


@bp.route("/payments/credits")
@permission_required("rates.view")
def payments_credits():
    """Customers holding a credit from overpayments: to refund, or used on the next bill."""
    return render_template("rates/payments_credits.html", credits=repo.credits(), form=RefundForm())


def _day_arg() -> date:
    text = request.args.get("day", "")
    if not text:
        return local_today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(400, _("Enter the date as YYYY-MM-DD."))


@bp.route("/payments/reconciliation")
@permission_required("rates.view")
def payments_reconciliation():
    """Receipts of a day by channel = cash posted to accounting (page, PDF, Excel)."""
    day = _day_arg()
    rows = payments.reconciliation(day)
    fmt = request.args.get("format", "")
    org = current_app.config["ERP_ORG_NAME"]
    if fmt == "pdf":
        return file_response(reconciliation_pdf(day, rows, org), "pdf", f"receipts-{day.isoformat()}")
    if fmt == "xlsx":
        return file_response(reconciliation_xlsx(day, rows, org), "xlsx", f"receipts-{day.isoformat()}")
    return render_template("rates/payments_reconciliation.html", day=day, rows=rows, refused=postings.refused("rates:receipts:"))


@bp.route("/payments/post-receipts", methods=["POST"])
@permission_required("rates.payments")
def payments_post_receipts():
    """Book the receipts of the day and before not booked yet (counter payments, reversals)."""
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        day = local_today()
    try:
        keys = payments.post_receipts(day)
    except ServiceError as error:
        flash_errors(error.errors or {"": [error.message]})
    else:
            flash(ngettext("%(n)s entry owed to accounting.", "%(n)s entries owed to accounting.", len(keys),
                           n=number(len(keys))), "success")
    return redirect(url_for("rates.payments_reconciliation", day=day.isoformat()))


class CmsRequestForm(FlaskForm):
    due_on = DateField(_l("Due date"), validators=[DataRequired(message=_l("Enter the date as YYYY-MM-DD."))])


class CmsResultForm(FlaskForm):
    file = FileField(_l("Result file of the bank"), validators=[FileRequired(message=_l("Choose a file."))])


@bp.route("/payments/cms")
@permission_required("rates.view")
def payments_cms():
    """CMS auto-debit: the request file for a due date, the bank's result file, the failed debits."""
    return render_template("rates/payments_cms.html", request_form=CmsRequestForm(prefix="q", due_on=local_today()),
                           result_form=CmsResultForm(prefix="r"), failed=cms.failed())


@bp.route("/payments/cms/request", methods=["POST"])
@permission_required("rates.payments")
def payments_cms_request():
    form = CmsRequestForm(prefix="q")
    if not form.validate_on_submit():
        flash_errors(form.errors)
        return redirect(url_for("rates.payments_cms"))
    asked = cms.request(form.due_on.data)
    if not asked.count:
        flash(_("No auto-debit bill is due on this date."), "info")
        return redirect(url_for("rates.payments_cms"))
    return Response(asked.data, mimetype="application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename=cms-request-{asked.due_on.isoformat()}.dat"})


@bp.route("/payments/cms/results", methods=["POST"])
@permission_required("rates.payments")
def payments_cms_results():
    form = CmsResultForm(prefix="r")
    if not form.validate_on_submit():
        flash_errors(form.errors)
        return redirect(url_for("rates.payments_cms"))
    result = cms.import_results(form.file.data.read())
    if result.errors:
        flash(ngettext("Nothing was imported: %(n)s line has errors.", "Nothing was imported: %(n)s lines have errors.",
                       len(result.errors), n=number(len(result.errors))), "danger")
        for error in result.errors[:20]:
            flash(error, "danger")
    else:
            flash(_("Debits made: %(paid)s; failed: %(failed)s; answered before: %(known)s.",
                paid=number(result.paid), failed=number(result.failed), known=number(result.known)), "success")
    return redirect(url_for("rates.payments_cms"))


class RefundForm(FlaskForm):
    amount = StringField(_l("Amount (won)"), validators=[DataRequired(message=_l("Enter the amount.")), won_text])
    bank = StringField(_l("Bank"), validators=[DataRequired(message=_l("Name the bank.")), Length(max=40)])
    account = StringField(_l("Bank account number"), validators=[DataRequired(message=_l("Enter the account number in digits (hyphens allowed).")),
                                                            Length(max=40)])
    holder = StringField(_l("Account holder"), validators=[DataRequired(message=_l("Enter the account holder's name.")), Length(max=100)])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=300)])


@bp.route("/payments/credits/<id:customer_id>/refund", methods=["POST"])
@permission_required("rates.refund")
def payments_credit_refund(customer_id: int):
    """List a refund of a customer's credit for payment."""
    form = RefundForm()
    if not form.validate_on_submit():
        flash_errors(form.errors)
        return redirect(url_for("rates.payments_credits"))
    try:
        refund = refunds.list_refund(customer_id, parse_won(form.amount.data), bank=form.bank.data, account=form.account.data,
                                     holder=form.holder.data, reason=form.reason.data or "")
    except ServiceError as error:
        flash_errors(error.errors or {"": [error.message]})
        return redirect(url_for("rates.payments_credits"))
    flash(_("Refund of %(amount)s won listed for payment.", amount=f"{refund.amount:,}"), "success")
    return redirect(url_for("rates.payments_refunds"))


class RefundPaidForm(FlaskForm):
    paid_on = DateField(_l("Paid on"), validators=[DataRequired(message=_l("Enter the date as YYYY-MM-DD."))])


@bp.route("/payments/refunds")
@permission_required("rates.view")
def payments_refunds():
    """Refunds listed for payment, and those paid (date, bank account, who)."""
    return render_template("rates/payments_refunds.html", listed=collection_repo.refunds("listed"),
                           paid=collection_repo.refunds("paid", 200), form=RefundPaidForm(paid_on=local_today()))


@bp.route("/payments/refunds/<id:refund_id>/paid", methods=["POST"])
@permission_required("rates.refund")
def payments_refund_paid(refund_id: int):
    form = RefundPaidForm()
    if not form.validate_on_submit():
        flash_errors(form.errors)
        return redirect(url_for("rates.payments_refunds"))
    try:
        refund = refunds.pay_refund(refund_id, form.paid_on.data)
    except ServiceError as error:
        flash_errors(error.errors or {"": [error.message]})
    else:
        flash(_("Refund of %(amount)s won recorded as paid.", amount=f"{refund.amount:,}"), "success")
    return redirect(url_for("rates.payments_refunds"))
