"""Liveness and readiness for load balancers and Kubernetes probes."""
from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel
from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from erp import migrating
from erp.auth.access import login_only, permission_required, public, scrape_only
from erp.extensions import db
from erp.openapi import METRICS_TOKEN, Answer, documented

bp = Blueprint("ops", __name__)


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    checks: dict[str, str]


@bp.route("/healthz")
@public
@documented("The process is alive", tag="operations", responses={200: Answer("Alive.", Health)})
def healthz():
    """The process is alive and serving requests."""
    return jsonify(status="ok")


@bp.route("/readyz")
@public
@documented("Ready for traffic: the database answers and the migrations are at their heads", tag="operations",
            responses={200: Answer("Ready.", Readiness), 503: Answer("Not ready; the checks say why.", Readiness)})
def readyz():
    """Ready for traffic: the database answers and every migration history (the core's and each
    loaded plugin's, each in its bind's database) is at its head — or beyond it, at revisions of a
    newer release (erp.migrating.newer): a pod of the previous release stays ready until the
    rolling update replaces it, instead of every such pod leaving the Service at once."""
    checks = {}
    ready = True
    try:
        # The request's own connection: a second one would wait on SQLite for the write lock the
        # request's transaction may hold.
        connection = db.session.connection()
        connection.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
        histories = {history.name: history for history in migrating.histories()}
        behind, ahead = [], []
        for name, (current, expected) in migrating.status().items():
            if current != expected:
                state = f"{name} at {', '.join(sorted(current)) or 'nothing'}, expected {', '.join(sorted(expected))}"
                (ahead if migrating.newer(histories[name], current) else behind).append(state)
        if behind:
            ready = False
            checks["migrations"] = "; ".join(behind)
        elif ahead:
            checks["migrations"] = "newer release: " + "; ".join(ahead)
        else:
            checks["migrations"] = "ok"
    except Exception as error:  # any failure to reach the database means: not ready
        current_app.logger.warning("readiness check failed: %s", error)
        ready = False
        checks.setdefault("database", f"unreachable: {type(error).__name__}")
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


@bp.route("/metrics")
@scrape_only
@documented("Prometheus figures (text exposition format)", tag="operations", security=(METRICS_TOKEN,),
            description="Without the token, only the addresses of ERP_METRICS_ALLOW (loopback by default) are served.",
            responses={200: Answer("The figures.", str, "text/plain"), 403: Answer("Neither the token nor an allowed address.", None),
                       404: Answer("Counting is switched off.", None)})
def metrics():
    """Prometheus' scrape (see erp.ops.metrics); 404 when counting is switched off."""
    from erp.ops import metrics as prometheus

    if not prometheus.enabled(current_app):
        abort(404)
    body, content_type = prometheus.exposition()
    db.session.remove()  # the figures were read in a transaction of their own
    return Response(body, content_type=content_type)


dashboard_bp = Blueprint("ops_dashboard", __name__, url_prefix="/ops")


@dashboard_bp.route("/")
@permission_required("core.ops")
def dashboard():
    """The operations page: traffic, response times, errors and APDEX of every instance, the
    busiest and slowest endpoints, the job queue, the outboxes and the threshold predictions."""
    from erp.ops import dashboard as figures

    period = request.args.get("period", "hour")
    if period not in figures.PERIODS:
        abort(404)
    data = figures.overview(period)
    chart = {
        "labels": [p.label for p in data.points],
        "tps": [round(p.tps, 3) for p in data.points],
        "instances": {name: [round(v, 3) for v in series] for name, series in data.instance_tps.items()},
        "mean_ms": [None if p.mean_ms is None else round(p.mean_ms, 1) for p in data.points],
        "p95_ms": [None if p.p95_ms is None else round(p.p95_ms, 1) for p in data.points],
        "error_rate": [None if p.error_rate is None else round(p.error_rate * 100, 2) for p in data.points],
        "apdex": [None if p.apdex is None else round(p.apdex, 3) for p in data.points],
    }
    from erp.ops.figures import refused_deliveries

    return render_template("ops/dashboard.html", data=data, chart=chart, periods=figures.PERIODS, period=period,
                           refused=[(model.__tablename__, row) for model, row in refused_deliveries()],
                           apdex_t=current_app.config["ERP_APDEX_T"], metric_label=figures.metric_label,
                           value_text=figures.value_text, duration_text=figures.duration_text)


@dashboard_bp.route("/checks")
@permission_required("core.ops")
def checks_page():
    """The service checks with their last results."""
    from erp.ops import checks

    rows = [(check, checks.recent_results(check.id, 1)) for check in checks.list_checks()]
    return render_template("ops/checks.html", rows=rows, ready_made=checks.ready_made())


def _steps_from(form) -> str | None:
    from erp.ops import checks

    if form.steps.data and form.steps.data.strip():
        return form.steps.data.strip()
    if form.url.data:
        return checks.url_steps(form.url.data.strip(), form.expected_status.data or 200, form.expected_text.data or "",
                                form.max_ms.data)
    form.url.errors = [*form.url.errors, _("Give an address or scenario steps.")]
    return None


@dashboard_bp.route("/checks/new", methods=["GET", "POST"])
@dashboard_bp.route("/checks/<int:check_id>", methods=["GET", "POST"])
@permission_required("core.ops")
def check_edit(check_id: int | None = None):
    """Create or change a check: a URL with the expected status, text and time, or scenario steps."""
    import json

    from erp.common.errors import ServiceError
    from erp.ops import checks
    from erp.ops.forms import CheckForm

    check = checks.get_check(check_id) if check_id else None
    if check_id and check is None:
        abort(404)
    form = CheckForm(obj=check)
    offered = checks.ready_made()
    ready = request.args.get("ready", type=int)
    if check is None and request.method == "GET" and ready is not None:
        if not 0 <= ready < len(offered):
            abort(404)
        form.name.data, form.service.data = offered[ready]["name"], offered[ready]["service"]
        form.steps.data = json.dumps(offered[ready]["steps"], ensure_ascii=False, indent=1)
    if check is not None and request.method == "GET":
        steps = json.loads(check.steps)
        simple = len(steps) == 1 and steps[0].get("method", "GET") == "GET" and not steps[0].get("form")
        if simple:
            form.url.data, form.expected_status.data = steps[0]["path"], steps[0].get("status", 200)
            form.expected_text.data, form.max_ms.data = steps[0].get("text", ""), steps[0].get("max_ms")
            form.steps.data = ""
        else:
            form.steps.data = json.dumps(steps, ensure_ascii=False, indent=1)
    if form.validate_on_submit():
        steps = _steps_from(form)
        if steps is not None:
            try:
                checks.save_check(check_id, name=form.name.data, service=form.service.data, steps=steps,
                                  interval_minutes=form.interval_minutes.data, active=form.active.data)
            except ServiceError as error:
                for name, messages in (error.errors or {"": [error.message]}).items():
                    target = getattr(form, name, None) if name else None
                    if target is None and name == "steps" and not (form.steps.data or "").strip():
                        target = form.url
                    (target or form.name).errors = [*(target or form.name).errors, *messages]
            else:
                flash(_("Check saved."), "success")
                return redirect(url_for("ops_dashboard.checks_page"))
    results = checks.recent_results(check.id) if check else []
    return render_template("ops/check_edit.html", form=form, check=check, results=results), 200 if request.method == "GET" or not form.errors else 400


@dashboard_bp.route("/checks/<int:check_id>/run", methods=["POST"])
@permission_required("core.ops")
def check_run(check_id: int):
    """Run a check now from the page."""
    from erp.ops import checks

    if checks.get_check(check_id) is None:
        abort(404)
    result = checks.run_check(check_id)
    flash(_("The check passed.") if result.ok else _("The check failed: %(message)s", message=result.message),
          "success" if result.ok else "error")
    return redirect(url_for("ops_dashboard.check_edit", check_id=check_id))


@dashboard_bp.route("/checks/<int:check_id>/delete", methods=["POST"])
@permission_required("core.ops")
def check_delete(check_id: int):
    from erp.ops import checks

    if checks.get_check(check_id) is None:
        abort(404)
    checks.delete_check(check_id)
    flash(_("Check deleted."), "success")
    return redirect(url_for("ops_dashboard.checks_page"))


def _sla_args():
    from erp.common import clock
    from erp.ops import sla

    period = request.args.get("period", "month")
    if period not in sla.PERIODS:
        abort(404)
    raw = request.args.get("day", "")
    try:
        day = date.fromisoformat(raw) if raw else clock.local_today()
    except ValueError:
        abort(400, _("The day must be a date such as 2026-11-01."))
    return period, day


@dashboard_bp.route("/sla")
@permission_required("core.ops")
def sla_page():
    """The SLA report of a day, week or month: availability, error budget, outages, check times and APDEX."""
    from erp.ops import sla

    period, day = _sla_args()
    data = sla.report(period, day)
    return render_template("ops/sla.html", data=data, period=period, day=day, periods=sla.PERIODS,
                           duration_text=sla.duration_text, period_text=sla.period_text(data))


@dashboard_bp.route("/sla.pdf")
@permission_required("core.ops")
def sla_pdf():
    from erp.ops import sla

    period, day = _sla_args()
    data = sla.report(period, day)
    body = sla.to_pdf(data, current_app.config["ERP_ORG_NAME"])
    filename = f"sla-{period}-{data.start.isoformat()}.pdf"
    return Response(body, content_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


# --- refused outbox deliveries: the exceptions a receiver refused, reposted with approval --------------

OUTBOX_ROW = "/outbox/<table>/<int:row_id>"


def _refused_row(table: str, row_id: int):
    """The outbox model of ``table`` and its row, for an official who may see it (404 / 403)."""
    from flask_login import current_user

    from erp.ops import figures

    model = figures.outbox_model(table)
    row = db.session.get(model, row_id) if model is not None else None
    if row is None:
        abort(404)
    if not (current_user.can("core.ops") or current_user.can(model.repost_permission)
            or current_user.can(model.repost_approve_permission)):
        abort(403)
    return model, row


@dashboard_bp.route(OUTBOX_ROW)
@login_only
def outbox_row(table: str, row_id: int):
    """One outbox delivery: what it carries, the receiver's refusal, the repost asked and its approval."""
    from erp.ops.forms import ApproveRepostForm, RepostForm

    model, row = _refused_row(table, row_id)
    return render_template("ops/outbox_row.html", model=model, row=row, table=table, form=RepostForm(),
                           approve_form=ApproveRepostForm())


@dashboard_bp.post(OUTBOX_ROW + "/repost")
@login_only
def outbox_repost(table: str, row_id: int):
    """Ask for the refused delivery to be posted again on the date typed."""
    from erp.common import outbox
    from erp.common.errors import ServiceError
    from erp.ops.forms import ApproveRepostForm, RepostForm
    from erp.web.forms import flash_refusal

    model, row = _refused_row(table, row_id)
    form = RepostForm()
    if form.validate_on_submit():
        try:
            outbox.request_repost(model, row.id, form.repost_on.data)
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("The repost is asked for; the chief accountant approves it."), "success")
            return redirect(url_for("ops_dashboard.outbox_row", table=table, row_id=row_id))
    return render_template("ops/outbox_row.html", model=model, row=db.session.get(model, row_id), table=table, form=form,
                           approve_form=ApproveRepostForm()), 422


@dashboard_bp.post(OUTBOX_ROW + "/approve")
@login_only
def outbox_approve(table: str, row_id: int):
    """Approve the asked repost: the delivery is pending again on its new date and the relay sends it."""
    from erp.common import outbox
    from erp.common.errors import ServiceError
    from erp.ops.forms import ApproveRepostForm
    from erp.web.forms import flash_errors

    model, row = _refused_row(table, row_id)
    if not ApproveRepostForm().validate_on_submit():
        abort(400)
    try:
        outbox.approve_repost(model, row.id)
    except ServiceError as error:
        flash_errors(error.errors or {"": [error.message]})
    else:
        row = db.session.get(model, row_id)
        flash(_("Reposted: posted as %(number)s.", number=row.result_ref) if row.status == outbox.DELIVERED
              else _("Approved: the posting is sent to accounting again."), "success")
    return redirect(url_for("ops_dashboard.outbox_row", table=table, row_id=row_id))
