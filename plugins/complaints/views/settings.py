"""Complaint types (their departments and deadlines) and the statistics."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from erp.auth.access import permission_required
from erp.common.clock import local_today
from erp.common.errors import ServiceError
from erp.web.downloads import printout
from erp.web.forms import flash_refusal
from erp.web.paging import id_arg
from plugins.complaints.reports import statistics_file
from plugins.complaints.repositories import complaints as repo
from plugins.complaints.services import complaints as service
from plugins.complaints.services import stats
from plugins.complaints.views.blueprint import bp
from plugins.complaints.views.forms import TypeForm


@bp.route("/stats")
@permission_required("complaints.view")
def statistics():
    today = local_today()
    try:
        start = date.fromisoformat(request.args.get("from") or f"{today.year}-01-01")
        end = date.fromisoformat(request.args.get("to") or today.isoformat())
    except ValueError:
        abort(400)
    if end < start or not 1900 < start.year < 2200 or not 1900 < end.year < 2200:
        abort(400)
    by = request.args.get("by") if request.args.get("by") in ("type", "department", "month") else "type"
    rows = stats.statistics(start, end, by)
    return printout(lambda fmt, org: statistics_file(fmt, rows, start, end, by, org), f"complaints-{start}-{end}") \
        or render_template("complaints/stats.html", rows=rows, start=start, end=end, by=by)


@bp.route("/types", methods=["GET", "POST"])
@permission_required("complaints.view")
def types():
    kinds = repo.types(active_only=False)
    edit = id_arg("edit")
    kind = repo.type_by_id(edit) if edit else None
    form = TypeForm(obj=kind)
    if request.method == "POST":
        if not current_user.can("complaints.settings") or kind is None:
            abort(403 if kind else 404)
        if form.validate_on_submit():
            try:
                service.update_type(kind.id, name=form.name.data, department_code=form.department_code.data,
                                    deadline_value=form.deadline_value.data or 0, deadline_unit=form.deadline_unit.data,
                                    documents=form.documents.data or "", active=form.active.data)
            except ServiceError as error:
                flash_refusal(form, error)
            else:
                flash(_("Saved."), "success")
                return redirect(url_for("complaints.types"))
    return render_template("complaints/types.html", kinds=kinds, form=form, kind=kind)
