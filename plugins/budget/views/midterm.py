"""The mid-term financial plan (중기지방재정계획) and its growth assumptions."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from erp.auth.access import permission_required
from erp.common.errors import ServiceError
from erp.common.tables import Table
from erp.web.forms import flash_refusal
from plugins.budget.repositories import budget as repo
from plugins.budget.services import midterm
from plugins.budget.views.blueprint import bp, deliver, year_arg
from plugins.budget.views.forms import GrowthForm


def _page(year: int, form: GrowthForm):
    years, rows = midterm.plan(year)
    table = Table(_("Mid-term financial plan %(first)d–%(last)d", first=years[0], last=years[-1]),
                  _("Base: the %(year)d budget in force; unit: won", year=year),
                  [_("Budget line"), _("Growth")] + [str(y) for y in years],
                  [[f"{r.line.code} {r.line.name}", f"{r.rate * 100:.2f}%"] + r.years for r in rows],
                  numeric=set(range(2, 2 + len(years))), widths=[6, 2] + [3] * len(years), landscape=True,
                  total=[_("Total"), ""] + [sum(r.years[i] for r in rows) for i in range(len(years))])
    return deliver(table, f"midterm-{year}") or render_template("budget/midterm.html", year=year, table=table, form=form,
                                                                 growth=repo.growth(year))


@bp.get("/midterm")
@permission_required("budget.view")
def midterm_plan():
    return _page(year_arg(), GrowthForm())


@bp.post("/midterm")
@permission_required("budget.review")
def growth_set():
    year = year_arg()
    form = GrowthForm()
    if form.validate_on_submit():
        try:
            midterm.set_growth(year, form.scope.data, form.rate.data)
        except ServiceError as error:
            flash_refusal(form, error)
        else:
            flash(_("Growth assumption saved."), "success")
            return redirect(url_for("budget.midterm_plan", year=year))
    return _page(year, form)
