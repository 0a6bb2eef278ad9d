"""Fixed-asset pages: the register, one asset with its schedule, registering, disposal, and the
monthly depreciation run."""
from __future__ import annotations


from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from erp.auth.access import permission_required
from erp.common.clock import local_today
from erp.common.errors import ServiceError
from erp.web.forms import flash_errors, flash_refusal, parse_won
from plugins.accounting.repositories import assets as asset_repo
from plugins.accounting.services import assets
from plugins.accounting.services.depreciation import declining_rate, schedule
from plugins.accounting.views.forms import AssetForm, DisposeForm, RunForm
from plugins.accounting.views.blueprint import bp, deliver


@bp.app_context_processor
def asset_labels():
    return {"category_label": lambda code: _(assets.CATEGORIES[code][0]) if code in assets.CATEGORIES else code}


@bp.route("/assets")
@permission_required("accounting.view")
def asset_register():
    rows = assets.register_rows()
    today = local_today()
    form = RunForm(year=today.year, month=today.month)
    return deliver("asset_register", rows, f"asset-register-{today}") or render_template(
        "accounting/assets.html", rows=rows, run_form=form, runs=asset_repo.runs(today.year), year=today.year)


@bp.route("/assets/new", methods=["GET", "POST"])
@permission_required("accounting.assets")
def asset_new():
    form = AssetForm()
    form.category.choices = [(code, _(label)) for code, (label, _a, _b) in assets.CATEGORIES.items()]
    if form.validate_on_submit():
        try:
            asset = assets.register(assets.AssetInput(
                name=form.name.data, category=form.category.data, acquired_on=form.acquired_on.data,
                cost=parse_won(form.cost.data) or 0, residual_value=parse_won(form.residual_value.data) or 0,
                useful_life_years=form.useful_life_years.data, method=form.method.data,
                department_code=form.department_code.data or "", paid_from=form.paid_from.data))
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Asset %(number)s registered.", number=asset.number), "success")
            return redirect(url_for("accounting.asset_detail", asset_id=asset.id))
    return render_template("accounting/asset_form.html", form=form)


@bp.route("/assets/<id:asset_id>")
@permission_required("accounting.view")
def asset_detail(asset_id: int):
    asset = asset_repo.get(asset_id) or abort(404)
    rate = declining_rate(assets.terms(asset)) if asset.method == "declining_balance" else None
    return render_template("accounting/asset_detail.html", asset=asset, schedule=schedule(assets.terms(asset)), rate=rate,
                           recorded=asset_repo.recorded_total(asset.id), dispose_form=DisposeForm(disposed_on=local_today()))


@bp.route("/assets/<id:asset_id>/dispose", methods=["POST"])
@permission_required("accounting.assets")
def asset_dispose(asset_id: int):
    asset_repo.get(asset_id) or abort(404)
    form = DisposeForm()
    if form.validate_on_submit():
        try:
            asset = assets.dispose(asset_id, form.disposed_on.data, parse_won(form.proceeds.data) or 0)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(_("%(number)s was disposed of.", number=asset.number), "success")
    else:
        flash_errors(form.errors)
    return redirect(url_for("accounting.asset_detail", asset_id=asset_id))


@bp.route("/assets/depreciation", methods=["POST"])
@permission_required("accounting.assets")
def depreciation_run():
    form = RunForm()
    if not form.validate_on_submit():
        flash(_("Choose a year and months from 1 to 12."), "danger")
        return redirect(url_for("accounting.asset_register"))
    try:
        result = assets.run_month(form.year.data, form.month.data)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        if result.created:
            flash(_("Depreciation of %(year)d-%(month)02d posted: %(total)s won for %(count)d assets.",
                    year=result.year, month=result.month, total=f"{result.total:,}", count=result.assets), "success")
        else:
            flash(_("Depreciation of %(year)d-%(month)02d was posted before; nothing new was posted.",
                    year=result.year, month=result.month), "info")
    return redirect(url_for("accounting.asset_register", _anchor="runs"))
