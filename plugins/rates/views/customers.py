"""Customer, meter and reading pages: the clerk's customer register and the CSV upload of
readings (the reader's route pages are in ``reading``)."""
from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from erp.common.clock import local_today
from erp import jobs
from erp.auth.access import permission_required
from erp.common.errors import ServiceError
from erp.common.formatting import number
from erp.web.forms import flash_errors, flash_refusal
from erp.web.paging import form_id, page_arg
from plugins.rates.repositories import bills as bills_repo
from plugins.rates.repositories import customers as repo
from plugins.rates.services import customers as service
from plugins.rates.services import payments
from plugins.rates.services.calculation import DIAMETERS, USE_TYPES
from erp.common.tables import Table
from plugins.rates.views.billing import SettleForm
from plugins.rates.views.exports import xlsx_of
from plugins.rates.views.pages import bp


class CustomerForm(FlaskForm):
    holder_name = StringField(_l("Holder"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Holder's telephone number"), validators=[Optional(), Length(max=20)])
    address = StringField(_l("Address of the supply"), validators=[DataRequired(), Length(max=300)])
    use_type = SelectField(_l("Use type"), choices=list(USE_TYPES.items()))
    households = IntegerField(_l("Households on the meter"), default=1, validators=[DataRequired(), NumberRange(min=1, max=1000)])
    mixed = BooleanField(_l("Mixed home and business (겸업)"))
    cycle = SelectField(_l("Billing cycle"), choices=[("monthly", _l("monthly")), ("bimonthly", _l("every two months"))])
    route_code = StringField(_l("Route (4 digits)"), validators=[DataRequired(), Length(min=4, max=4)])
    e_billing = BooleanField(_l("Electronic bill"))
    auto_debit = BooleanField(_l("Automatic debit"))
    virtual_account = StringField(_l("Virtual account"), validators=[Optional(), Length(max=40)])
    moved_in_on = DateField(_l("Moved in on"), validators=[Optional()])


class MeterForm(FlaskForm):
    serial = StringField(_l("Meter serial number"), validators=[DataRequired(), Length(max=30)])
    diameter = SelectField(_l("Meter diameter (mm)"), coerce=int, choices=[(d, f"{d} mm") for d in DIAMETERS])
    installed_on = DateField(_l("Installed on"), validators=[DataRequired(message=_l("Enter the date as YYYY-MM-DD."))])
    start_reading = IntegerField(_l("Start reading"), default=0, validators=[Optional(), NumberRange(min=0)])
    old_final_reading = IntegerField(_l("Final reading of the old meter"), validators=[Optional(), NumberRange(min=0)])


class ReadingForm(FlaskForm):
    read_on = DateField(_l("Read on"), validators=[DataRequired(message=_l("Enter the date as YYYY-MM-DD."))])
    value = IntegerField(_l("Reading"), validators=[DataRequired(message=_l("Enter the reading.")), NumberRange(min=0)])
    rollover = BooleanField(_l("The dial rolled over"))


class HolderForm(FlaskForm):
    new_name = StringField(_l("New holder"), validators=[DataRequired(), Length(max=100)])
    on = DateField(_l("Date"), validators=[DataRequired(message=_l("Enter the date as YYYY-MM-DD."))])


class UploadForm(FlaskForm):
    file = FileField(_l("CSV file: account number,date,reading[,rollover]"), validators=[FileRequired()])


@bp.route("/customers")
@permission_required("rates.view")
def customers():
    text = request.args.get("q", "").strip()[:100]
    route = request.args.get("route", "")[:10]

    def table(rows):
        return Table(_("Customers"), " · ".join(filter(None, (route and _("Route %(route)s", route=route), text))),
                     [_("Account number"), _("Holder"), _("Address of the supply"), _("Use type"), _("Households"),
                      _("Billing cycle"), _("Route"), _("Status"), _("Moved in on")],
                     [[c.account_no, c.holder_name, c.address, str(USE_TYPES.get(c.use_type, c.use_type)), c.households,
                       _("monthly") if c.cycle == "monthly" else _("every two months"), c.route_code,
                       _("in supply") if c.status == "active" else _("moved out"),
                       c.moved_in_on.isoformat() if c.moved_in_on else ""] for c in rows],
                     numeric={4}, widths=[2, 1.5, 4, 1.2, 1, 1.2, 0.8, 1, 1.3])

    return xlsx_of(repo.search_query(text, route), table, f"customers-{local_today()}", "rates.customers") \
        or render_template("rates/customers.html", pagination=repo.search(text, route, page_arg()),
                           q=text, routes=repo.routes(), use_labels=USE_TYPES)


@bp.route("/customers/new", methods=["GET", "POST"])
@permission_required("rates.manage")
def customer_new():
    form = CustomerForm()
    if form.validate_on_submit():
        try:
            customer = service.register(service.CustomerInput(
                holder_name=form.holder_name.data, phone=form.phone.data or "", address=form.address.data, use_type=form.use_type.data,
                route_code=form.route_code.data, households=form.households.data, mixed=form.mixed.data, cycle=form.cycle.data,
                e_billing=form.e_billing.data, auto_debit=form.auto_debit.data, virtual_account=form.virtual_account.data or "",
                moved_in_on=form.moved_in_on.data))
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Customer %(no)s registered.", no=customer.account_no), "success")
            return redirect(url_for("rates.customer_detail", customer_id=customer.id))
    return render_template("rates/customer_form.html", form=form)


@bp.route("/customers/<id:customer_id>", methods=["GET", "POST"])
@permission_required("rates.view")
def customer_detail(customer_id: int):
    customer = repo.get(customer_id) or abort(404)
    meter_form, reading_form, holder_form = MeterForm(prefix="m"), ReadingForm(prefix="r"), HolderForm(prefix="h")
    if request.method == "POST":
        action = request.form.get("action")
        needed = {"meter": "rates.manage", "holder": "rates.manage", "move_out": "rates.manage", "read": "rates.read",
                  "hold": "rates.manage", "release": "rates.manage"}.get(action)
        if needed is None or not current_user.can(needed):
            abort(403)
        try:
            if action == "meter" and meter_form.validate_on_submit():
                service.install_meter(customer.id, meter_form.serial.data, meter_form.diameter.data, meter_form.installed_on.data,
                                      meter_form.start_reading.data or 0, meter_form.old_final_reading.data)
                flash(_("Meter installed."), "success")
            elif action == "read" and reading_form.validate_on_submit():
                reading = service.read(customer.id, reading_form.read_on.data, reading_form.value.data,
                                       rollover=reading_form.rollover.data)
                flash(_("Reading saved: %(use)s ㎥ used.", use=number(reading.use)), "success")
            elif action == "holder" and holder_form.validate_on_submit():
                service.change_holder(customer.id, holder_form.new_name.data, holder_form.on.data)
                flash(_("Holder changed."), "success")
            elif action == "move_out":
                service.move_out(customer.id, local_today())
                flash(_("Moved out."), "success")
            elif action in ("hold", "release"):
                service.set_held(form_id("reading_id"), action == "hold")
            else:
                for form in (meter_form, reading_form, holder_form):
                    flash_errors(form.errors)
        except ServiceError as error:
            flash_errors(error.errors or {"": [error.message]})
        except LookupError:
            abort(404)
        return redirect(url_for("rates.customer_detail", customer_id=customer.id))
    reading_form.read_on.data = local_today()
    return render_template("rates/customer.html", customer=customer, meter=repo.active_meter(customer.id),
                           credit=payments.customer_credit(customer.id),
                           readings=repo.readings(customer.id), meter_form=meter_form, reading_form=reading_form,
                           holder_form=holder_form, settle_form=SettleForm(prefix="s", on=local_today()),
                           bills=bills_repo.bills_of_customer(customer.id), use_labels=USE_TYPES)


@bp.route("/readings/upload", methods=["GET", "POST"])
@permission_required("rates.read")
def readings_upload():
    """The upload form; the file is imported by the worker (a large file is no long request)."""
    form = UploadForm()
    if form.validate_on_submit():
        upload = jobs.keep_input(form.file.data.read(), "csv")
        job_id = jobs.enqueue("rates.import-readings", upload=upload)
        return redirect(url_for("rates.readings_import", job_id=job_id))
    return render_template("rates/upload.html", form=form, job=None, outcome=None)


@bp.route("/readings/upload/<id:job_id>")
@permission_required("rates.read")
def readings_import(job_id: int):
    """An upload's import: waiting or running (the page refreshes itself), then its outcome."""
    job = jobs.get(job_id)
    if job is None or job.kind != "rates.import-readings":
        abort(404)
    outcome = None
    if job.status == "done" and job.result:
        path = jobs.output_dir() / job.result
        outcome = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    return render_template("rates/upload.html", form=UploadForm(), job=job, outcome=outcome)
