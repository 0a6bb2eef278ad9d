"""The smart-meter (AMI) devices page: register a head-end with the meters and routes it may
report, rotate or revoke its token. A token is shown once, right after it is made."""
from __future__ import annotations

from flask import abort, flash, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from erp.auth.access import permission_required
from erp.common.errors import ServiceError
from erp.web.forms import flash_refusal
from plugins.rates.services import ami
from plugins.rates.views.pages import bp


class DeviceForm(FlaskForm):
    name = StringField(_l("Device name"), validators=[DataRequired(), Length(max=100)])
    meters = StringField(_l("Meters it may report (serial numbers)"), validators=[Optional(), Length(max=2000)])
    routes = StringField(_l("Routes it may report (4 digits each)"), validators=[Optional(), Length(max=500)])


class ScopeForm(FlaskForm):
    meters = StringField(_l("Meters it may report (serial numbers)"), validators=[Optional(), Length(max=2000)])
    routes = StringField(_l("Routes it may report (4 digits each)"), validators=[Optional(), Length(max=500)])


def _page(form=None, token=None, status=200):
    return render_template("rates/ami_devices.html", devices=ami.devices(), form=form or DeviceForm(prefix="new"),
                           token=token), status


@bp.route("/ami")
@permission_required("rates.manage")
def ami_devices():
    return _page()


@bp.route("/ami/new", methods=["POST"])
@permission_required("rates.manage")
def ami_register():
    form = DeviceForm(prefix="new")
    if form.validate_on_submit():
        try:
            device, token = ami.register_device(form.name.data, form.meters.data or "", form.routes.data or "")
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Device %(name)s registered.", name=device.name), "success")
            return _page(token=(device.name, token))
    return _page(form)


def _device(device_id: int):
    try:
        return ami.device(device_id)
    except LookupError:
        abort(404)


@bp.route("/ami/<id:device_id>/scope", methods=["POST"])
@permission_required("rates.manage")
def ami_scope(device_id: int):
    device = _device(device_id)
    form = ScopeForm()
    if form.validate_on_submit():
        try:
            ami.set_scope(device.id, form.meters.data or "", form.routes.data or "")
        except ServiceError as error:
            flash(f"{device.name}: {error.message}", "danger")
            return _page(status=422)
        flash(_("Saved."), "success")
    return _page()


@bp.route("/ami/<id:device_id>/rotate", methods=["POST"])
@permission_required("rates.manage")
def ami_rotate(device_id: int):
    device = _device(device_id)
    if not FlaskForm().validate_on_submit():
        return _page(status=400)
    device, token = ami.rotate(device.id)
    flash(_("Device %(name)s has a new token; the old one no longer works.", name=device.name), "success")
    return _page(token=(device.name, token))


@bp.route("/ami/<id:device_id>/revoke", methods=["POST"])
@permission_required("rates.manage")
def ami_revoke(device_id: int):
    device = _device(device_id)
    if FlaskForm().validate_on_submit():
        try:
            ami.revoke(device.id)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(_("Device %(name)s can no longer send readings.", name=device.name), "success")
    return _page()
