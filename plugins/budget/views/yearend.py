"""Year end: explicit carry-overs (명시이월) requested and approved, the year-end run, and the
carry-over and lapse report."""
from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _

from erp.auth.access import permission_required
from erp.common.tables import Table
from erp.web.forms import flash_errors, parse_won
from plugins.budget.repositories import budget as repo
from plugins.budget.services import yearend
from plugins.budget.views.blueprint import act, bp, deliver, line_choices, year_arg
from plugins.budget.views.forms import CarryForm


def _form(year: int) -> CarryForm:
    form = CarryForm()
    form.line_id.choices = line_choices(year)
    return form


@bp.get("/year-end")
@permission_required("budget.view")
def year_end():
    year = year_arg()
    rows = yearend.lapse_report(year)
    table = Table(_("Carry-over and lapse %(year)d", year=year), "",
                  [_("Code"), _("Name"), _("Budget"), _("Paid"), _("Explicit carry-over"), _("Accident carry-over"), _("Lapsed")],
                  [[r.line.code, r.line.name, r.budget, r.paid, r.explicit, r.accident, r.lapsed] for r in rows],
                  numeric={2, 3, 4, 5, 6}, widths=[4, 6, 3, 3, 3, 3, 3], landscape=True)
    return deliver(table, f"year-end-{year}") or render_template(
        "budget/year_end.html", year=year, rows=rows, carries=repo.carryovers(year), form=_form(year),
        processed=repo.year_end(year) is not None)


def _act(year: int, action, done: str):
    return act(action, done, url_for("budget.year_end", year=year))


@bp.post("/year-end/carry-overs")
@permission_required("budget.review")
def carry_request():
    year = year_arg()
    form = _form(year)
    if not form.validate_on_submit():
        flash_errors(form.errors)
        return redirect(url_for("budget.year_end", year=year))
    return _act(year, lambda: yearend.request_explicit(form.line_id.data, parse_won(form.amount.data) or 0, form.reason.data),
                _("Carry-over requested."))


@bp.post("/year-end/carry-overs/<id:carry_id>/approve")
@permission_required("budget.approve")
def carry_approve(carry_id: int):
    return _act(year_arg(), lambda: yearend.approve_explicit(carry_id), _("Carry-over approved."))


@bp.post("/year-end/process")
@permission_required("budget.approve")
def year_end_process():
    year = year_arg()
    return _act(year, lambda: yearend.process(year),
                _("Year end of %(year)d processed: carry-overs are in %(next)d's lines.", year=year, next=year + 1))
