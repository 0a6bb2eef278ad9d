"""Administration of code tables."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from erp.auth.access import permission_required
from erp.common import codes
from erp.common.errors import ServiceError
from erp.common.forms import CodeForm, CodeGroupForm
from erp.common.models import Code
from erp.extensions import db
from erp.web.forms import flash_refusal

bp = Blueprint("common", __name__, url_prefix="/admin/codes")


@bp.route("/", methods=["GET", "POST"])
@permission_required("core.codes")
def code_groups():
    form = CodeGroupForm()
    if form.validate_on_submit():
        try:
            group = codes.save_group(form.code.data, name=form.name.data, description=form.description.data or "", create=True)
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Code group %(code)s created.", code=group.code), "success")
            return redirect(url_for("common.code_group", group_code=group.code))
    return render_template("common/code_groups.html", groups=codes.list_groups(), form=form)


@bp.route("/<group_code>", methods=["GET", "POST"])
@permission_required("core.codes")
def code_group(group_code: str):
    try:
        group = codes.get_group(group_code)
    except LookupError:
        abort(404)
    code_id = request.args.get("edit", type=int)
    item = db.session.get(Code, code_id) if code_id and 0 < code_id < 2**31 else None
    if item is not None and item.group_code != group.code:
        abort(404)
    form = CodeForm(obj=item)
    if form.validate_on_submit():
        try:
            codes.save_code(group.code, item.id if item else None, code=form.code.data, name=form.name.data,
                            name_en=form.name_en.data or "", sort_order=form.sort_order.data or 0,
                            active=form.active.data)
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Code saved."), "success")
            return redirect(url_for("common.code_group", group_code=group.code))
    return render_template("common/code_group.html", group=group, items=codes.codes(group.code, active_only=False),
                           form=form, item=item)
