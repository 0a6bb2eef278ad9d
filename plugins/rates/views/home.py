"""The rates clerk's and the meter reader's panels of the home page (declared in the manifest)."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from erp.common.clock import local_today
from erp.common.formatting import fmt_date, number
from erp.web.home import Chart, Figure, Panel, Row, Series
from plugins.rates.repositories import bills as bill_repo
from plugins.rates.repositories import overview
from plugins.rates.services import arrears


def billing() -> Panel:
    """The current bill run, readings held for review, customers the run has not billed."""
    run = overview.latest_run()
    held, newest = overview.held_readings()
    figures, rows = [], []
    if run is not None:
        unbilled = bill_repo.unbilled_count(run.period, run.cycle, run.route_code, run.period_start)
        figures += [Figure(_("Bill run %(period)s", period=run.period),
                           _("running") if run.status == "running" else _("finished"), url_for("rates.bill_run", run_id=run.id),
                           "warn" if run.status == "running" else "ok"),
                    Figure(_("Bills"), run.billed),
                    Figure(_("Customers not billed"), unbilled, url_for("rates.bill_run", run_id=run.id),
                           "warn" if unbilled else "ok")]
    figures.append(Figure(_("Readings held for review"), held, tone="warn" if held else "ok"))
    rows = [Row(f"{customer.account_no} {customer.holder_name}",
                _("%(date)s · %(use)s ㎥ (%(flag)s)", date=fmt_date(reading.read_on), use=number(reading.use),
                  flag=_flag(reading.flag)), url_for("rates.customer_detail", customer_id=customer.id), "warn")
            for reading, customer in newest]
    return Panel(_("Billing"), figures=figures, rows=rows, empty=_("No reading is held for review."),
                 links=[(_("Bill runs"), url_for("rates.bill_runs"))], name="rates-billing")


def _flag(flag: str) -> str:
    return {"zero": _("no use"), "high": _("far above the average")}.get(flag, flag or _("held"))


def receivables() -> Panel:
    """Billed, collected, written off and outstanding at each month's end over the last twelve months."""
    today = local_today()
    months = [(today.year * 12 + today.month - 1 - k) for k in range(11, -1, -1)]
    found = arrears.receivables([f"{m // 12:04d}-{m % 12 + 1:02d}" for m in months])
    chart = Chart("bar", [key[2:].replace("-", ".") for key in found.months], [
        Series(_("Billed"), found.billed),
        Series(_("Collected"), found.collected),
        Series(_("Written off"), found.written_off),
        Series(_("Outstanding at the month's end"), found.outstanding, kind="line"),
    ], unit="won")
    return Panel(_("Receivables, last twelve months"), figures=[
        Figure(_("Outstanding"), found.outstanding[-1], url_for("rates.payments"), unit=_("won")),
        Figure(_("Collected this month"), found.collected[-1], unit=_("won")),
    ], chart=chart, name="rates-receivables")


def routes() -> Panel:
    """The reading routes: customers read this month and not yet read."""
    since = local_today().replace(day=1)
    progress = overview.route_progress(since)
    rows = [Row(_("Route %(route)s", route=route), _("%(done)s read, %(left)s not yet read", done=number(done),
                                                     left=number(total - done)),
                url_for("rates.route_reading", route_code=route), "warn" if done < total else "ok")
            for route, total, done in progress]
    total = sum(t for _r, t, _d in progress)
    done = sum(d for _r, _t, d in progress)
    chart = Chart("bar", [route for route, _t, _d in progress], [
        Series(_("Read"), [d for _r, _t, d in progress]), Series(_("Not yet read"), [t - d for _r, t, d in progress])],
        horizontal=True, stacked=True)
    return Panel(_("My routes this month"), figures=[Figure(_("Read"), done, tone="ok" if done == total else ""),
                                                     Figure(_("Not yet read"), total - done, tone="warn" if done < total else "ok")],
                 rows=rows, chart=chart, empty=_("No route has customers."), name="rates-routes")
