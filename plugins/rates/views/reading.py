"""Meter reading (검침): the routes with their readers and progress, the supervisor's assignment
of routes to readers, and the reader's route page made for a phone — the meters not yet read
first, searchable and paged; a refused reading stays as typed with the reason beside it, and a
use far above the customer's average is saved only once the reader confirms it."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from erp.auth.access import permission_required
from erp.common.clock import local_today
from erp.common.errors import ServiceError
from erp.extensions import db
from erp.i18n import N_
from erp.common.tables import Table
from erp.web.paging import page_arg
from plugins.rates.repositories import customers as repo
from plugins.rates.repositories import routes as routes_repo
from plugins.rates.services import customers as service
from plugins.rates.services import routes
from plugins.rates.views.exports import xlsx_of
from plugins.rates.views.pages import bp

PER_PAGE = 20


@bp.route("/routes", endpoint="routes")
@permission_required("rates.read")
def routes_list():
    """The routes to read: the reader's own first, each with its progress this round."""
    rows = routes.overview()
    mine = [r for r in rows if r["reader"] and r["reader"].reader_id == current_user.id]
    others = [r for r in rows if r not in mine]
    return render_template("rates/routes.html", mine=mine, others=others, since=routes.round_start())


@bp.route("/routes/assign", methods=["GET", "POST"])
@permission_required("rates.manage")
def route_assignments():
    """The supervisor's page: a reader for every route, and how far each route has got."""
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            abort(400)
        code = request.form.get("route_code", "")[:10]
        raw = request.form.get("reader_id", "").strip()
        try:
            if raw and not (raw.isdigit() and len(raw) < 10):
                raise ServiceError(_("Choose a meter reader."))
            routes.assign(code, int(raw) if raw else None)
        except ServiceError as error:
            flash(f"{code}: {error.message}", "danger")
        else:
            flash(_("Route %(route)s: saved.", route=code), "success")
        return redirect(url_for("rates.route_assignments"))
    return render_template("rates/route_assign.html", rows=routes.overview(), readers=routes.readers(),
                           since=routes.round_start())


def _route_code(route_code: str) -> str:
    if not route_code.isdigit() or len(route_code) != 4:
        abort(404)
    return route_code


def _render(route_code: str, text: str, page: int, *, typed=None, errors=None, confirm=None, first=()):
    since = routes.round_start()
    pagination = routes_repo.route_page(route_code, since, text, page, PER_PAGE)
    people = list(first) + [c for c in pagination.items if c not in first]
    in_service = repo.active_meters(c.id for c in people)
    meters = {c.id: in_service.get(c.id) for c in people}
    last_of = repo.last_readings(m.id for m in in_service.values())
    last = {c.id: (last_of.get(meters[c.id].id) if meters[c.id] else None) for c in people}
    read, total = routes_repo.progress(since).get(route_code, (0, 0))
    return render_template("rates/route.html", route_code=route_code, people=people, meters=meters, last=last,
                           pagination=pagination, q=text, since=since, read=read, total=total,
                           assignment=routes_repo.assignment(route_code), typed=typed or {}, errors=errors or {},
                           confirm=confirm or {}, read_on=(request.form.get("read_on") or local_today().isoformat()))


@bp.route("/routes/<route_code>")
@permission_required("rates.read")
def route_reading(route_code: str):
    """The meter reader's page for one route."""
    return _render(_route_code(route_code), request.args.get("q", "").strip()[:50], page_arg())


@bp.route("/routes/<route_code>", methods=["POST"])
@permission_required("rates.read")
def route_save(route_code: str):
    """Save what was typed. A refused reading, or a high use not yet confirmed, comes back on top
    of the page as typed, with the reason; the rest are saved."""
    route_code = _route_code(route_code)
    if not FlaskForm().validate_on_submit():
        abort(400)
    text = request.form.get("q", "").strip()[:50]
    page = request.form.get("page", "1")
    page = int(page) if page.isdigit() and len(page) < 6 else 1
    typed, errors, confirm, saved = {}, {}, {}, 0
    try:
        on = date.fromisoformat(request.form.get("read_on", ""))
    except ValueError:
        on = None
    posted = {int(k[8:]): v.strip() for k, v in request.form.items()
              if k.startswith("reading-") and k[8:].isdigit() and len(k) < 20 and v.strip()}
    customers = [c for c in (repo.get(cid) for cid in posted) if c is not None and c.route_code == route_code]
    for customer in customers:
        raw, cid = posted[customer.id], customer.id
        typed[cid] = raw[:12]
        rollover = request.form.get(f"rollover-{cid}") == "y"
        if on is None:
            errors[cid] = _("Enter the date as YYYY-MM-DD.")
            continue
        if not raw.isdigit() or len(raw) > 9:
            errors[cid] = _("Enter the reading as a whole number.")
            continue
        try:
            found = service.assess(cid, on, int(raw), rollover=rollover)
            if found.flag == "high" and request.form.get(f"confirm-{cid}") != "y":
                confirm[cid] = _("%(use)s ㎥ is far above this customer's average of %(average)s ㎥. Check the meter, "
                                 "then confirm the reading.", use=f"{found.use:,}", average=f"{round(found.average or 0):,}")
                continue
            service.read(cid, on, int(raw), rollover=rollover)
            saved += 1
            del typed[cid]
        except ServiceError as error:
            errors[cid] = error.message
    if saved:
        flash(_("%(n)d readings saved.", n=saved), "success")
    if errors or confirm:
        if errors:
            flash(_("Some readings were not saved: see the reason beside each."), "danger")
        if confirm:
            flash(_("Confirm the readings marked below: their use is far above the average."), "warning")
        first = [c for c in customers if c.id in errors or c.id in confirm]
        return _render(route_code, text, page, typed=typed, errors=errors, confirm=confirm, first=first)
    if not saved:
        flash(_("Nothing was typed."), "info")
    return redirect(url_for("rates.route_reading", route_code=route_code, q=text or None, page=page if page > 1 else None))


FLAGS = {"": "", "zero": N_("no use"), "high": N_("far above the average")}


@bp.route("/readings")
@permission_required("rates.view")
def readings():
    """The readings by route, day and flag (flagged or held ones), as a page and an Excel file."""
    route = request.args.get("route", "")[:10]
    flag = request.args.get("flag", "") if request.args.get("flag") in ("flagged", "held") else ""
    try:
        start = date.fromisoformat(request.args.get("from") or routes.round_start().isoformat())
        end = date.fromisoformat(request.args.get("to") or local_today().isoformat())
    except ValueError:
        abort(400)
    if not 1900 < start.year < 2200 or not 1900 < end.year < 2200:
        abort(400)
    query = repo.readings_query(route, start, end, flag)

    def table(rows):
        return Table(_("Meter readings"), f"{start} ~ {end}" + (" · " + _("Route %(route)s", route=route) if route else ""),
                     [_("Read on"), _("Account number"), _("Holder"), _("Route"), _("Reading"), _("Use (㎥)"), _("Flag"),
                      _("Held"), _("Source"), _("Entered by")],
                     [[r.read_on.isoformat(), r.customer.account_no, r.customer.holder_name, r.customer.route_code, r.value,
                       r.use, _(FLAGS.get(r.flag, r.flag)) if r.flag else "", _("held") if r.held else "", r.source,
                       r.entered_by] for r in rows],
                     numeric={4, 5}, widths=[1.2, 1.8, 1.5, 0.8, 1, 1, 1.5, 0.8, 0.8, 1.2])

    return xlsx_of(query, table, f"readings-{start}-{end}", "rates.readings") \
        or render_template("rates/readings.html", pagination=db.paginate(query, page=page_arg(), per_page=50, error_out=False),
                           route=route, flag=flag, start=start, end=end, routes=repo.routes(), flags=FLAGS)
