"""Compiling the budget: versions (본예산, 추가경정예산), the departments' calculation bases, the
budget office's adjustments, approval, and the comparison and budget book printouts."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from erp.auth.access import permission_required
from erp.common.errors import ServiceError
from erp.common.tables import Table
from erp.web.downloads import printout
from erp.web.forms import ReturnForm, flash_errors, parse_won
from plugins.budget.repositories import budget as repo
from plugins.budget.reports import book as book_report
from plugins.budget.services import book, compilation
from plugins.budget.views.blueprint import act, bp, deliver, refused, year_arg
from plugins.budget.views.forms import AdjustForm, BasisForm

VERSION = "/versions/<id:version_id>"


@bp.get("/versions")
@permission_required("budget.view")
def versions():
    year = year_arg()
    return render_template("budget/versions.html", year=year, versions=repo.versions(year), name=compilation.version_name)


@bp.post("/versions")
@permission_required("budget.review")
def version_open():
    year = year_arg()
    try:
        version = compilation.open_version(year)
    except ServiceError as error:
        refused(error)
        return redirect(url_for("budget.versions", year=year))
    flash(_("%(name)s opened.", name=compilation.version_name(version)), "success")
    return redirect(url_for("budget.version_detail", version_id=version.id))


def _version_or_404(version_id: int):
    return repo.version(version_id) or abort(404)


def _forms(version) -> tuple[BasisForm, AdjustForm]:
    basis_form, adjust_form = BasisForm(prefix="b"), AdjustForm(prefix="a")
    lines = repo.lines(version.year, side=None)
    adjust_form.line_id.choices = [(l.id, f"{l.code} {l.name}") for l in lines]
    # A department's clerk is offered the lines of their department only.
    basis_form.line_id.choices = [(l.id, f"{l.code} {l.name}") for l in lines if compilation.may_request(l)]
    return basis_form, adjust_form


@bp.get(VERSION)
@permission_required("budget.view")
def version_detail(version_id: int):
    version = _version_or_404(version_id)
    basis_form, adjust_form = _forms(version)
    rows = compilation.comparison(version.id)
    name = compilation.version_name(version)
    if request.args.get("print") == "book":
        printed = book.budget_book(version.id)
        delivered = printout(lambda fmt, org: (book_report.pdf if fmt == "pdf" else book_report.xlsx)(printed, org_name=org),
                             f"budget-book-{version.year}-{version.number}")
    else:
        table = Table(_("Budget comparison: %(name)s %(year)d", name=name, year=version.year), _("in won"),
                      [_("Code"), _("Name"), _("Before"), _("Change"), _("After")],
                      _comparison_rows(rows), numeric={2, 3, 4}, widths=[4, 6, 3, 3, 3])
        delivered = deliver(table, f"budget-comparison-{version.year}-{version.number}")
    return delivered or render_template("budget/version.html", version=version, name=name, rows=rows,
                                        line_codes={r.line.id: r.line.code for r in rows},
                                        bases=repo.bases(version.id), basis_form=basis_form, adjust_form=adjust_form,
                                        return_form=ReturnForm(),
                                        requestable={line_id for line_id, _label in basis_form.line_id.choices})


def _back(version_id: int):
    return redirect(url_for("budget.version_detail", version_id=version_id))


def _act(version_id: int, action, done: str):
    """Run one change of a version and come back to it."""
    return act(action, done, url_for("budget.version_detail", version_id=version_id))


@bp.post(VERSION + "/bases")
@permission_required("budget.request")
def basis_add(version_id: int):
    version = _version_or_404(version_id)
    form, _adjust = _forms(version)
    if not form.validate_on_submit():
        flash_errors(form.errors)
        return _back(version.id)
    return _act(version.id, lambda: compilation.add_basis(version.id, form.line_id.data, form.description.data,
                                                          form.unit_price.data, form.quantity.data, form.months.data),
                _("Calculation basis added."))


@bp.post(VERSION + "/bases/<id:basis_id>/delete")
@permission_required("budget.request")
def basis_delete(version_id: int, basis_id: int):
    version = _version_or_404(version_id)
    basis = repo.basis(basis_id)
    if basis is None or basis.version_id != version.id:
        abort(404)
    return _act(version.id, lambda: compilation.delete_basis(basis.id), _("Calculation basis removed."))


@bp.post(VERSION + "/adjust")
@permission_required("budget.review")
def version_adjust(version_id: int):
    version = _version_or_404(version_id)
    _basis, form = _forms(version)
    if not form.validate_on_submit():
        flash_errors(form.errors)
        return _back(version.id)
    return _act(version.id, lambda: compilation.adjust(version.id, form.line_id.data, parse_won(form.adjusted.data),
                                                       form.note.data or ""),
                _("Budget office figure saved."))


@bp.post(VERSION + "/approve")
@permission_required("budget.approve")
def version_approve(version_id: int):
    version = _version_or_404(version_id)
    return _act(version.id, lambda: compilation.approve(version.id),
                _("%(name)s approved: the budgets are in force.", name=compilation.version_name(version)))


@bp.post(VERSION + "/return")
@permission_required("budget.approve")
def version_return(version_id: int):
    version = _version_or_404(version_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        flash_errors(form.errors)
        return _back(version.id)
    return _act(version.id, lambda: compilation.return_version(version.id, form.reason.data),
                _("The budget request went back to the departments with your reason."))


@bp.post(VERSION + "/resubmit")
@permission_required("budget.request")
def version_resubmit(version_id: int):
    version = _version_or_404(version_id)
    return _act(version.id, lambda: compilation.resubmit_version(version.id), _("The budget request is waiting for approval again."))


def _comparison_rows(rows) -> list[list]:
    """Income lines, then expenditure lines, each side with its own total."""
    body = []
    for side, label in (("income", _("Income")), ("expenditure", _("Expenditure"))):
        part = [r for r in rows if r.line.side == side]
        body += [[r.line.code, r.line.name, r.before, r.change, r.after] for r in part]
        body.append(["", _("Total %(section)s", section=label), sum(r.before for r in part), sum(r.change for r in part),
                     sum(r.after for r in part)])
    return body
