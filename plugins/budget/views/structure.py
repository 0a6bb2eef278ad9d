"""The budget structure: policy programmes, unit and detail projects, and budget lines."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from erp.auth.access import permission_required
from erp.common.errors import ServiceError
from erp.web.forms import flash_refusal
from plugins.budget.repositories import budget as repo
from plugins.budget.services import structure
from plugins.budget.views.blueprint import bp, year_arg
from plugins.budget.views.forms import LineForm, ProjectForm


def _page(year: int, project_form: ProjectForm, line_form: LineForm):
    return render_template("budget/structure.html", year=year, projects=repo.projects(year), lines=repo.lines(year, side=None),
                           project_form=project_form, line_form=line_form)


@bp.get("/structure")
@permission_required("budget.view")
def structure_page():
    return _page(year_arg(), ProjectForm(prefix="p"), LineForm(prefix="l"))


@bp.post("/structure/projects")
@permission_required("budget.review")
def project_add():
    year = year_arg()
    form = ProjectForm(prefix="p")
    if form.validate_on_submit():
        try:
            structure.add_project(year, form.level.data, form.code.data, form.name.data, form.parent_code.data or "",
                                  form.department_code.data or "")
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Project added."), "success")
            return redirect(url_for("budget.structure_page", year=year))
    return _page(year, form, LineForm(prefix="l", formdata=None))


@bp.post("/structure/lines")
@permission_required("budget.review")
def line_add():
    year = year_arg()
    form = LineForm(prefix="l")
    if form.validate_on_submit():
        try:
            structure.add_line(year, part=form.part.data, side=form.side.data, item_code=form.item_code.data,
                               sub_code=form.sub_code.data or "", name=form.name.data,
                               account_code=form.account_code.data, project_code=form.project_code.data or "")
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Budget line added."), "success")
            return redirect(url_for("budget.structure_page", year=year))
    return _page(year, ProjectForm(prefix="p", formdata=None), form)
