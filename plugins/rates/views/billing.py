"""Billing pages: bill runs with their progress, the bills of a run, a bill with its adjusting
bills, printed bills (one, or a route's batch), and the move-out settlement. Bill runs and a
route's batch of printed bills are jobs for the worker (erp.jobs); the pages show their progress
from the database."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from erp.common.clock import local_today
from erp import jobs
from erp.auth.access import permission_required
from erp.common.errors import ServiceError
from erp.common.tables import Table
from erp.common.formatting import number
from erp.web.downloads import file_response
from erp.web.forms import flash_errors, flash_refusal
from erp.web.paging import page_arg
from plugins.rates.reports.bills import BATCH_LIMIT, bills_pdf
from plugins.rates.repositories import bills as repo
from plugins.rates.repositories import customers as customer_repo
from plugins.rates.repositories import payments as payment_repo
from plugins.rates.services import adjustments, billing, cms, notices, payments, postings
from plugins.rates.services.calculation import USE_TYPES
from plugins.rates.services.payment_layouts import CHANNEL_LABELS
from plugins.rates.views.exports import xlsx_of
from plugins.rates.views.pages import bp


class RunForm(FlaskForm):
    period = StringField(_l("Billing month (YYYY-MM)"), validators=[DataRequired(), Regexp(r"^\d{4}-\d{2}$", message=_l("Enter the period as YYYY-MM."))])
    cycle = SelectField(_l("Billing cycle"), choices=[("monthly", _l("monthly")), ("bimonthly", _l("every two months"))])
    route_code = SelectField(_l("Route"), choices=[], validate_choice=False)
    issued_on = DateField(_l("Issue date"), validators=[Optional()])
    due_on = DateField(_l("Due date"), validators=[Optional()])


class AdjustForm(FlaskForm):
    use = IntegerField(_l("Corrected use (㎥)"), validators=[Optional(), NumberRange(min=0, max=10_000_000)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)])
    reference = StringField(_l("Reference (e.g. complaint receipt number)"), validators=[Optional(), Length(max=40)])


class CounterForm(FlaskForm):
    amount = IntegerField(_l("Amount received (won)"), validators=[DataRequired(message=_l("Enter the amount.")),
                                                                   NumberRange(min=1, max=10_000_000_000)])
    payer = StringField(_l("Paid by"), validators=[Optional(), Length(max=100)])


class SettleForm(FlaskForm):
    on = DateField(_l("Move-out date"), validators=[DataRequired(message=_l("Enter the date as YYYY-MM-DD."))])
    final_reading = IntegerField(_l("Final reading"), validators=[DataRequired(message=_l("Enter the reading.")), NumberRange(min=0)])


@bp.route("/bill-runs", methods=["GET", "POST"])
@permission_required("rates.view")
def bill_runs():
    form = RunForm()
    form.route_code.choices = [("", _("every route"))] + [(r, r) for r in customer_repo.routes()]
    if request.method == "GET":
        last_month = local_today().replace(day=1) - timedelta(days=1)
        form.period.data = last_month.strftime("%Y-%m")
    elif not current_user.can("rates.billing"):
        abort(403)
    elif form.validate_on_submit():
        try:
            run = billing.start_run(form.period.data, form.cycle.data, form.route_code.data or "", form.issued_on.data, form.due_on.data)
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            _queue_run(run.id)
            return redirect(url_for("rates.bill_run", run_id=run.id))
    return render_template("rates/bill_runs.html", form=form, pagination=repo.runs(page_arg()))


def _queue_run(run_id: int) -> int:
    """The worker bills; the page follows the run's progress in the database."""
    return jobs.enqueue("rates.bill-run", key=f"rates:bill-run:{run_id}", run_id=run_id)


def _print_key(run_id: int, route_code: str) -> str:
    return f"rates:route-pdf:{run_id}:{route_code}"


@bp.route("/bill-runs/<id:run_id>")
@permission_required("rates.view")
def bill_run(run_id: int):
    """A run's progress while it works (the page refreshes itself), then its totals and routes."""
    run = repo.run(run_id) or abort(404)
    posting = postings.of_run(run)
    unbilled = repo.unbilled(run.period, run.cycle, run.route_code, run.period_start) if run.status == "finished" else []
    percent = 100 if run.status == "finished" else (min(99, run.billed * 100 // run.expected) if run.expected else 0)
    job = jobs.latest(f"rates:bill-run:{run.id}")
    # A run whose job is still queued or running is not stopped, however old its heartbeat: the
    # reaper gives a dead worker's job to the next one. One whose job ended (failed) is, at once;
    # one started from the CLI has only its own heartbeat to tell.
    stalled = run.status == "running" and not (job and job.active) and (job is not None or billing.is_stalled(run))
    routes = repo.routes_of_run(run.id) if run.status == "finished" else []
    prints = {route: jobs.latest(_print_key(run.id, route)) for route, _count, _total in routes}
    return render_template("rates/bill_run.html", run=run, totals=repo.run_totals(run.id), routes=routes,
                           posting=posting, unbilled=unbilled, percent=percent, stalled=stalled, job=job, prints=prints,
                           use_labels=USE_TYPES)


@bp.route("/bill-runs/<id:run_id>/resume", methods=["POST"])
@permission_required("rates.billing")
def bill_run_resume(run_id: int):
    run = repo.run(run_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if run.status == "running":
        _queue_run(run.id)
        flash(_("The run continues where it stopped."), "info")
    return redirect(url_for("rates.bill_run", run_id=run.id))


@bp.route("/bill-runs/<id:run_id>/bills")
@permission_required("rates.view")
def bill_run_bills(run_id: int):
    run = repo.run(run_id) or abort(404)
    route = request.args.get("route", "")[:10]

    def table(rows):
        paid = payments.balances(rows)
        return Table(_("Bills") + f" {run.period}", _("Route %(route)s", route=route) if route else "",
                     [_("Notice number"), _("Account number"), _("Holder"), _("Use type"), _("Use (㎥)"), _("Total"), _("Paid"),
                      _("Due date")],
                     [[b.number, b.customer.account_no, b.customer.holder_name, str(USE_TYPES.get(b.use_type, b.use_type)),
                       b.use, b.total, paid[b.id].paid, b.due_on.isoformat()] for b in rows],
                     numeric={4, 5, 6}, widths=[2.2, 1.8, 1.5, 1.2, 1, 1.2, 1.2, 1.2])

    made = xlsx_of(repo.bills_of_run_query(run.id, route), table, f"bills-{run.period}{'-' + route if route else ''}",
                   "rates.bill_run_bills", run_id=run.id)
    if made is not None:
        return made
    pagination = repo.bills_of_run(run.id, route, page_arg())
    return render_template("rates/bill_list.html", run=run, route=route, pagination=pagination, use_labels=USE_TYPES,
                           balances=payments.balances(pagination.items))


@bp.route("/bill-runs/<id:run_id>/routes/<route_code>/print", methods=["POST"])
@permission_required("rates.view")
def bill_run_route_print(run_id: int, route_code: str):
    """Ask the worker for the printed bills of one route of a run (one page each, one file)."""
    run = repo.run(run_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    count = repo.bills_to_print_count(run.id, route_code)
    if not count:
        abort(404)
    if count > BATCH_LIMIT:
        flash(_("This route has more than %(n)s bills; print it in parts.", n=number(BATCH_LIMIT)), "danger")
        return redirect(url_for("rates.bill_run", run_id=run.id))
    job_id = jobs.enqueue("rates.route-pdf", key=_print_key(run.id, route_code), run_id=run.id, route_code=route_code)
    return redirect(url_for("rates.bill_run_print", run_id=run.id, job_id=job_id))


def _print_job(run_id: int, job_id: int):
    job = jobs.get(job_id)
    if job is None or job.kind != "rates.route-pdf" or job.args.get("run_id") != run_id:
        abort(404)
    return job


@bp.route("/bill-runs/<id:run_id>/prints/<id:job_id>")
@permission_required("rates.view")
def bill_run_print(run_id: int, job_id: int):
    """The printing of a route: its progress (the page refreshes itself), then the download."""
    run = repo.run(run_id) or abort(404)
    return render_template("rates/print_job.html", run=run, job=_print_job(run.id, job_id))


@bp.route("/bill-runs/<id:run_id>/prints/<id:job_id>.pdf")
@permission_required("rates.view")
def bill_run_print_file(run_id: int, job_id: int):
    run = repo.run(run_id) or abort(404)
    job = _print_job(run.id, job_id)
    path = jobs.output_dir() / job.result if job.status == "done" and job.result else None
    if path is None or not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/pdf", download_name=f"bills-{run.period}-{job.args['route_code']}.pdf")


@bp.route("/bills/<id:bill_id>", methods=["GET", "POST"])
@permission_required("rates.view")
def bill_detail(bill_id: int):
    bill = repo.bill(bill_id) or abort(404)
    form = AdjustForm(prefix="a")
    if request.method == "POST":
        if not current_user.can("rates.billing"):
            abort(403)
        if form.validate_on_submit():
            try:
                adjusting = adjustments.adjust(bill.id, use=form.use.data, reason=form.reason.data, reference=form.reference.data or "")
            except ServiceError as error:
                flash_refusal(form, error)
            else:
                flash(_("Adjusting bill %(no)s issued.", no=adjusting.number), "success")
                return redirect(url_for("rates.bill_detail", bill_id=adjusting.id))
    made = repo.adjustments_of(bill)
    if request.method == "GET" and bill.kind != "adjusting":
        form.use.data = (made or [bill])[-1].use
    received = payment_repo.of_bill(bill.id)
    counter = CounterForm(prefix="c")
    if request.method == "GET":
        counter.amount.data = max(payments.balance(bill).balance, 0) or None
    return render_template("rates/bill.html", bill=bill, adjustments=made, form=form,
                           reference=notices.payment_reference(bill), posting=postings.of_bill(bill), use_labels=USE_TYPES,
                           balance=payments.balance(bill), payments=received, counter=counter,
                           reversed_ids=payment_repo.reversed_ids([p.id for p in received]),
                           credit=payments.customer_credit(bill.customer_id), channel_labels=CHANNEL_LABELS,
                           debits=cms.of_bill(bill.id))


@bp.route("/bills/<id:bill_id>.pdf")
@permission_required("rates.view")
def bill_pdf(bill_id: int):
    bill = repo.bill(bill_id) or abort(404)
    return file_response(bills_pdf([bill], current_app.config["ERP_ORG_NAME"], current_app.config["ERP_ORG_PHONE"]), "pdf", f"bill-{bill.number}")


@bp.route("/customers/<id:customer_id>/settle", methods=["POST"])
@permission_required("rates.billing")
def customer_settle(customer_id: int):
    """이사정산: the final reading on the move date, the move-out and the settlement bill."""
    customer = customer_repo.get(customer_id) or abort(404)
    form = SettleForm(prefix="s")
    if form.validate_on_submit():
        try:
            bill = adjustments.settle_move_out(customer.id, form.on.data, form.final_reading.data)
        except ServiceError as error:
            flash_errors(error.errors or {"": [error.message]})
        else:
            flash(_("Settlement bill %(no)s issued: %(amount)s won.", no=bill.number, amount=f"{bill.total:,}"), "success")
            return redirect(url_for("rates.bill_detail", bill_id=bill.id))
    else:
        flash_errors(form.errors)
    return redirect(url_for("rates.customer_detail", customer_id=customer.id))
