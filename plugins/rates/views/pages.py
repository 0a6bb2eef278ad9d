"""Rates pages: the citizens' bill calculator, the tariff versions and the tariff basis."""
from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from erp.auth.access import permission_required, public
from erp.web.limits import limit
from erp.common.clock import local_today
from erp.common.errors import ServiceError
from erp.common.tables import to_pdf, to_xlsx
from erp.web.downloads import printout
from erp.web.forms import flash_refusal, parse_won
from erp.web.paging import int_arg
from plugins.rates.reports import tariff_basis as basis_report
from plugins.rates.repositories import tariffs as repo
from plugins.rates.services import simulation
from plugins.rates.services import tariff_basis as basis_service
from plugins.rates.services import tariffs
from plugins.rates.services.calculation import DIAMETERS, USE_TYPES, QuoteError, QuoteRequest, Reduction

bp = Blueprint("rates", __name__, url_prefix="/rates", template_folder="../templates")


class CalculatorForm(FlaskForm):
    use_type = SelectField(_l("Use type"), choices=list(USE_TYPES.items()))
    diameter = SelectField(_l("Meter diameter (mm)"), coerce=int, choices=[(d, f"{d} mm") for d in DIAMETERS], default=13)
    consumption = IntegerField(_l("Use in the period (㎥)"), validators=[DataRequired(message=_l("Enter the use in ㎥.")),
                                                                        NumberRange(min=0, max=10_000_000)])
    households = IntegerField(_l("Households on the meter"), default=1, validators=[Optional(), NumberRange(min=1, max=1000)])
    period_start = DateField(_l("Period from"), validators=[DataRequired(message=_l("Enter the date as YYYY-MM-DD."))])
    period_end = DateField(_l("Period to"), validators=[DataRequired(message=_l("Enter the date as YYYY-MM-DD."))])
    mixed = BooleanField(_l("Mixed home and business (겸업)"))
    reduction = SelectField(_l("Reduction"), choices=[], validate_choice=False)

    class Meta:
        csrf = False  # a calculator changes nothing: it may be bookmarked and linked


class TariffForm(FlaskForm):
    effective_from = DateField(_l("In force from"), validators=[DataRequired(message=_l("Enter the date as YYYY-MM-DD."))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    source = StringField(_l("Ordinance or source"), validators=[Optional(), Length(max=300)])
    rounding = SelectField(_l("Dropping amounts below 10 won"), choices=[("line", _l("on every line")), ("total", _l("on the total"))])
    water_use_rate = StringField(_l("Water-use charge per ㎥"), default="170", validators=[DataRequired(), Length(max=12)])
    mixed_household_volume = IntegerField(_l("Household volume of a mixed meter (㎥ per household)"), default=15,
                                          validators=[DataRequired(), NumberRange(min=0, max=1000)])
    blocks_text = TextAreaField(_l("Blocks: service,use type,upper ㎥ (empty: open),price"), validators=[DataRequired()])
    meters_text = TextAreaField(_l("Meter charges: diameter,amount"), validators=[DataRequired()])
    reductions_text = TextAreaField(_l("Reductions: code,name,kind,value,applies to"), validators=[Optional()])
    # Arrears settings (가산금, 독촉, 단수 예고, 분납), checked by the service (a field left empty
    # is refused there with its message; a post without them takes the defaults).
    late_percent = DecimalField(_l("One-time late charge once the due date has passed (per cent)"), default=Decimal("3"), places=None,
                                validators=[Optional(),
                                            NumberRange(min=0, max=Decimal("99.99"), message=_l("The rate is a percentage from 0 to under 100."))])
    monthly_percent = DecimalField(_l("Monthly addition (per cent a month, 0 = none)"), default=Decimal("0"), places=None,
                                   validators=[Optional(),
                                               NumberRange(min=0, max=Decimal("99.99"), message=_l("The rate is a percentage from 0 to under 100."))])
    monthly_months = IntegerField(_l("Monthly addition for up to (months)"), default=60,
                                  validators=[Optional(), NumberRange(min=0, max=120)])
    monthly_threshold = IntegerField(_l("Monthly addition only on bills owing at least (won)"), default=0,
                                     validators=[Optional(), NumberRange(min=0, max=10**12)])
    disconnect_months = IntegerField(_l("Disconnection notice after (months overdue, 0 = not by months)"), default=3,
                                     validators=[Optional(), NumberRange(min=0, max=120)])
    disconnect_amount = IntegerField(_l("Disconnection notice from (won owed, 0 = not by amount)"), default=0,
                                     validators=[Optional(), NumberRange(min=0, max=10**12)])
    protected_reductions = StringField(_l("Never disconnected: reduction codes (comma-separated)"),
                                       validators=[Optional(), Length(max=100)])
    reminder_required = BooleanField(_l("Disconnection notice only after a reminder's due date has passed"))
    reminder_days = IntegerField(_l("A reminder's new due date after (days)"), default=10,
                                 validators=[Optional(), NumberRange(min=1, max=90)])
    instalment_grace_days = IntegerField(_l("An unpaid instalment ends its plan after (days)"), default=0,
                                         validators=[Optional(), NumberRange(min=0, max=90)])

    ARREARS = ("late_percent", "monthly_percent", "monthly_months", "monthly_threshold", "disconnect_months",
               "disconnect_amount", "protected_reductions", "reminder_days", "instalment_grace_days", "reminder_required")


@bp.route("/calculator", methods=["GET"])
@public
@limit("ERP_RATELIMIT_CALCULATOR")
def calculator():
    """The citizens' bill calculator (no login), like the ones the cities publish."""
    form = CalculatorForm(request.args)
    today = local_today()
    result, error = None, None
    versions = repo.all_versions()
    # The reductions on offer are those of the tariff in force when the period starts (a version
    # recorded for next year has reductions of its own).
    day = form.period_start.data or today
    in_force = next((v for v in versions if v.effective_from <= day), None)
    reductions = tariffs.terms(in_force).reductions if in_force else {}
    form.reduction.choices = [("", _("(none)"))] + [(code, r.name) for code, r in reductions.items() if r.kind != "leak"]
    if not request.args:
        form.period_start.data = today.replace(day=1)
        form.period_end.data = today
    elif form.validate():
        code = form.reduction.data or ""
        try:
            result = tariffs.quote_request(QuoteRequest(
                use_type=form.use_type.data, diameter=form.diameter.data, consumption=form.consumption.data,
                period_start=form.period_start.data, period_end=form.period_end.data, households=form.households.data or 1,
                mixed=form.mixed.data, reductions=(Reduction(code),) if code else ()))
        except QuoteError as problem:
            error = str(problem)
    return render_template("rates/calculator.html", form=form, result=result, error=error, in_force=in_force)


@bp.route("/tariffs")
@permission_required("rates.view", "rates.tariff")
def tariff_list():
    return render_template("rates/tariffs.html", versions=repo.all_versions())


@bp.route("/tariffs/<id:tariff_id>")
@permission_required("rates.view", "rates.tariff")
def tariff_detail(tariff_id: int):
    tariff = repo.get(tariff_id) or abort(404)
    return render_template("rates/tariff.html", tariff=tariff, terms=tariffs.terms(tariff), use_labels=USE_TYPES,
                           arrears=tariffs.arrears_settings(tariff))


@bp.route("/tariffs/new", methods=["GET", "POST"])
@permission_required("rates.tariff")
def tariff_new():
    form = TariffForm()
    versions = repo.all_versions()
    if request.method == "GET" and versions:
        for key, value in tariffs.as_text(versions[0]).items():
            getattr(form, key).data = value
        form.water_use_rate.data = f"{versions[0].water_use_rate:f}".rstrip("0").rstrip(".")
        form.rounding.data, form.mixed_household_volume.data = versions[0].rounding, versions[0].mixed_household_volume
        for key, value in asdict(tariffs.arrears_settings(versions[0])).items():
            getattr(form, key).data = value
    if form.validate_on_submit():
        try:
            tariff = tariffs.create_version(
                effective_from=form.effective_from.data, name=form.name.data, source=form.source.data or "",
                rounding=form.rounding.data, water_use_rate=form.water_use_rate.data,
                mixed_household_volume=form.mixed_household_volume.data, blocks_text=form.blocks_text.data,
                meters_text=form.meters_text.data, reductions_text=form.reductions_text.data or "",
                # A setting the post does not carry keeps its default (a check box unticked is off).
                arrears=tariffs.ArrearsSettings(**{key: getattr(form, key).data for key in TariffForm.ARREARS
                                                   if key in request.form or key == "reminder_required"}))
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("The tariff in force from %(date)s is saved.", date=tariff.effective_from.isoformat()), "success")
            return redirect(url_for("rates.tariff_detail", tariff_id=tariff.id))
    return render_template("rates/tariff_form.html", form=form)


@bp.route("/tariff-basis")
@permission_required("rates.view", "rates.tariff")
def tariff_basis():
    """요금 산정 기초자료 of a year beside the year before; any figure of the year may be typed
    over (query parameters named by the figures' keys) for a what-if, which changes nothing."""
    year = int_arg("year", local_today().year, 2000, 2100)
    overrides, errors = {}, []
    for key, text in request.args.items():
        if not key.startswith(("cost:", "volume:", "revenue:")) and key not in ("capital", "return_rate"):
            continue
        text = text.strip()
        if not text:
            continue
        try:
            if key == "return_rate":
                value = Decimal(text.replace("%", ""))
                if not value.is_finite() or not 0 <= value <= 100:
                    raise ValueError(text)
                overrides[key] = value
            else:
                overrides[key] = parse_won(text)
        except (ValueError, ArithmeticError):
            errors.append(_("%(value)s is not a figure this line can take.", value=text[:30]))
    basis = basis_service.compute(year, overrides)
    before = basis_service.compute(year - 1)
    made = printout(lambda fmt, org: (to_pdf if fmt == "pdf" else to_xlsx)(basis_report.table(basis, before), org),
                    f"tariff-basis-{year}")
    if made is not None:
        return made
    for error in errors:
        flash(error, "danger")
    return render_template("rates/tariff_basis.html", basis=basis, before=before, year=year,
                           sources=basis_report.SOURCES, earlier={line.use_type: line for line in before.by_use_type},
                           previous={f.key: f.value for f in before.costs})


class SimulationForm(FlaskForm):
    year = IntegerField(_l("Consumption of the year"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    rounding = SelectField(_l("Dropping amounts below 10 won"), choices=[("line", _l("on every line")), ("total", _l("on the total"))])
    water_use_rate = StringField(_l("Water-use charge per ㎥"), default="170", validators=[DataRequired(), Length(max=12)])
    mixed_household_volume = IntegerField(_l("Household volume of a mixed meter (㎥ per household)"), default=15,
                                          validators=[DataRequired(), NumberRange(min=0, max=1000)])
    blocks_text = TextAreaField(_l("Blocks: service,use type,upper ㎥ (empty: open),price"), validators=[DataRequired()])
    meters_text = TextAreaField(_l("Meter charges: diameter,amount"), validators=[DataRequired()])
    reductions_text = TextAreaField(_l("Reductions: code,name,kind,value,applies to"), validators=[Optional()])


@bp.route("/tariff-simulation", methods=["GET", "POST"])
@permission_required("rates.view", "rates.tariff")
def tariff_simulation():
    """A draft tariff tried on last year's bills: typed here, never stored."""
    form = SimulationForm()
    today = local_today()
    result = None
    if request.method == "GET":
        form.year.data = today.year - 1
        version = next((v for v in repo.all_versions() if v.effective_from <= today), None)
        if version is not None:
            for key, value in tariffs.as_text(version).items():
                getattr(form, key).data = value
            form.rounding.data, form.water_use_rate.data = version.rounding, str(version.water_use_rate)
            form.mixed_household_volume.data = version.mixed_household_volume
    elif form.validate_on_submit():
        try:
            draft = tariffs.draft_terms(rounding=form.rounding.data, water_use_rate=form.water_use_rate.data,
                                        mixed_household_volume=form.mixed_household_volume.data,
                                        blocks_text=form.blocks_text.data, meters_text=form.meters_text.data,
                                        reductions_text=form.reductions_text.data or "")
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            result = simulation.simulate(form.year.data, draft, today)
    return render_template("rates/tariff_simulation.html", form=form, result=result)
