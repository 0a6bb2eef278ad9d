"""Arrears pages: the monthly arrears run (its button queues the job), the ageing report with its
chart, PDF and Excel, the reminders (독촉장) of a route, the disconnection-notice list, and a
customer's arrears — what they owe by bill, instalment plans, disconnections and reconnections."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from erp import jobs
from erp.auth.access import permission_required
from erp.common.clock import local_today
from erp.common.errors import ServiceError
from erp.web.downloads import file_response, printout
from erp.web.forms import flash_errors
from plugins.rates.reports.ageing import ageing_pdf, ageing_xlsx
from plugins.rates.reports.reminders import reminders_pdf
from plugins.rates.repositories import customers as customer_repo
from plugins.rates.services import arrears, instalments
from plugins.rates.services.arrears import BUCKET_LABELS
from plugins.rates.services.calculation import USE_TYPES
from plugins.rates.views.pages import bp

RUN_JOB = "rates.arrears-run"
DATE_MESSAGE = _l("Enter the date as YYYY-MM-DD.")


class RunForm(FlaskForm):
    as_of = DateField(_l("As of"), validators=[DataRequired(message=DATE_MESSAGE)])


class ReminderForm(FlaskForm):
    route_code = SelectField(_l("Route"), choices=[])
    due_on = DateField(_l("New due date"), validators=[DataRequired(message=DATE_MESSAGE)])


class PlanForm(FlaskForm):
    count = IntegerField(_l("Instalments"), default=3, validators=[DataRequired(), NumberRange(min=2, max=instalments.MAX_INSTALMENTS)])
    first_due = DateField(_l("First instalment due on"), validators=[DataRequired(message=DATE_MESSAGE)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])


class SupplyForm(FlaskForm):
    kind = SelectField(_l("Event"), choices=[("disconnect", _l("Disconnection (단수)")), ("reconnect", _l("Reconnection"))])
    on = DateField(_l("Date"), validators=[DataRequired(message=DATE_MESSAGE)])
    reason = StringField(_l("Reason"), validators=[DataRequired(message=_l("Give the reason.")), Length(max=300)])


def _date_arg(name: str):
    """A date from the query string (today when absent); bad input is a 400, never a 500."""
    from datetime import date

    text = request.args.get(name, "")
    if not text:
        return local_today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(400, _("Enter the date as YYYY-MM-DD."))


@bp.route("/arrears", endpoint="arrears")
@permission_required("rates.view")
def arrears_home():
    """The arrears runs, the button to run the month's, and the reminder form."""
    today = local_today()
    reminder_form = ReminderForm(prefix="rm", due_on=arrears.reminder_due_date(today))
    reminder_form.route_code.choices = [(code, code) for code in customer_repo.routes()]
    job = jobs.get(request.args.get("job", type=int)) if request.args.get("job") else None
    return render_template("rates/arrears.html", runs=arrears.runs(), form=RunForm(as_of=today),
                           reminder_form=reminder_form, job=job if job is not None and job.kind == RUN_JOB else None)


@bp.route("/arrears/run", methods=["POST"])
@permission_required("rates.arrears")
def arrears_run():
    """Queue the arrears run (late charges over every bill run by the worker)."""
    form = RunForm()
    if not form.validate_on_submit():
        flash_errors(form.errors)
        return redirect(url_for("rates.arrears"))
    job_id = jobs.enqueue(RUN_JOB, as_of=form.as_of.data.isoformat())
    flash(_("The arrears run is queued."), "success")
    return redirect(url_for("rates.arrears", job=job_id))


@bp.route("/arrears/ageing")
@permission_required("rates.view")
def arrears_ageing():
    as_of = _date_arg("as_of")
    by = request.args.get("by", "route")
    if by not in ("route", "use_type"):
        abort(400, _("Group by route or by use type."))
    rows, total = arrears.ageing(as_of, by)
    made = printout(lambda fmt, org: (ageing_pdf if fmt == "pdf" else ageing_xlsx)(as_of, by, rows, total, org),
                    f"arrears-ageing-{as_of.isoformat()}-{by}")
    if made is not None:
        return made
    labels = [USE_TYPES.get(row.key, row.key) if by == "use_type" else row.key for row in rows]
    chart = {"labels": labels, "buckets": list(BUCKET_LABELS),
             "series": [[row.amounts[i] for row in rows] for i in range(len(BUCKET_LABELS))]}
    return render_template("rates/arrears_ageing.html", rows=rows, total=total, as_of=as_of, by=by, labels=labels,
                           buckets=BUCKET_LABELS, chart=chart)


@bp.route("/arrears/reminders", methods=["POST"])
@permission_required("rates.arrears")
def arrears_reminders():
    """The reminders of a route as one PDF (a page per customer owing), recorded on each bill."""
    form = ReminderForm(prefix="rm")
    form.route_code.choices = [(code, code) for code in customer_repo.routes()]
    if not form.validate_on_submit():
        flash_errors(form.errors)
        return redirect(url_for("rates.arrears"))
    today = local_today()
    try:
        found = arrears.issue_reminders(form.route_code.data, form.due_on.data, today)
    except ServiceError as error:
        flash_errors(error.errors or {"": [error.message]})
        return redirect(url_for("rates.arrears"))
    data = reminders_pdf(form.route_code.data, today, form.due_on.data, found, current_app.config["ERP_ORG_NAME"])
    return file_response(data, "pdf", f"reminders-{form.route_code.data}-{today.isoformat()}")


@bp.route("/arrears/disconnections")
@permission_required("rates.view")
def arrears_disconnections():
    """The disconnection-notice list (단수 예고 대상)."""
    as_of = _date_arg("as_of")
    return render_template("rates/arrears_disconnections.html", as_of=as_of, found=arrears.disconnection_list(as_of),
                           reminder_required=arrears.reminder_required(as_of))


@bp.route("/customers/<id:customer_id>/arrears", methods=["GET", "POST"])
@permission_required("rates.view")
def customer_arrears(customer_id: int):
    """A customer's arrears: what they owe by bill, instalment plans, disconnections."""
    from flask_login import current_user

    customer = customer_repo.get(customer_id) or abort(404)
    today = local_today()
    plan_form = PlanForm(prefix="p", first_due=today)
    supply_form = SupplyForm(prefix="s", on=today)
    if request.method == "POST":
        if not current_user.can("rates.arrears"):
            abort(403)
        action = request.form.get("action")
        try:
            if action == "plan" and plan_form.validate_on_submit():
                instalments.create_plan(customer.id, plan_form.count.data, plan_form.first_due.data, plan_form.note.data or "")
                flash(_("Instalment plan made."), "success")
            elif action == "supply" and supply_form.validate_on_submit():
                arrears.record_supply(customer.id, supply_form.kind.data, supply_form.on.data, supply_form.reason.data)
                flash(_("Recorded."), "success")
            else:
                for form in (plan_form, supply_form):
                    flash_errors(form.errors)
        except ServiceError as error:
            flash_errors(error.errors or {"": [error.message]})
        return redirect(url_for("rates.customer_arrears", customer_id=customer.id))
    proposal, _covered = instalments.proposal(customer.id, today)
    return render_template("rates/customer_arrears.html", customer=customer, due=arrears.amount_due(customer.id, today),
                           plans=[instalments.progress(plan, today) for plan in instalments.plans_of(customer.id)],
                           events=arrears.supply_events(customer.id), reminders=arrears.reminders_of(customer.id),
                           proposal=proposal, plan_form=plan_form,
                           supply_form=supply_form, today=today)


@bp.app_template_global("rates_arrears_summary")
def arrears_summary(customer_id: int) -> dict:
    """What the customer page shows of arrears: the amount due, overdue, supply state and events."""
    due = arrears.amount_due(customer_id)
    events = arrears.supply_events(customer_id)
    return {"total": due.total, "overdue": due.overdue, "events": events[:5],
            "disconnected": bool(events) and events[0].kind == "disconnect"}
