"""Period pages: the months of a year, locking and opening a month, closing a fiscal year and
undoing the closing."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from erp.auth.access import permission_required
from erp.common.errors import ServiceError
from erp.web.paging import int_arg
from plugins.accounting.services import closing
from plugins.accounting.views.blueprint import bp, today

YEAR = "<int(min=1900, max=2199):year>"
MONTH = YEAR + "/<int(min=1, max=12):month>"


@bp.route("/periods")
@permission_required("accounting.view")
def periods():
    year = int_arg("year", today().year, 2000, 2100)
    return render_template("accounting/periods.html", year=year, months=closing.months(year),
                           closed=closing.is_closed(year), can_close=current_user.can("accounting.close"))


def _set_locked(year: int, month: int, locked: bool, done: str):
    try:
        closing.set_locked(year, month, locked)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(done, "success")
    return redirect(url_for("accounting.periods", year=year))


@bp.post(f"/periods/{MONTH}/lock")
@permission_required("accounting.close")
def period_lock(year: int, month: int):
    return _set_locked(year, month, True, _("%(year)d-%(month)02d is locked.", year=year, month=month))


@bp.post(f"/periods/{MONTH}/unlock")
@permission_required("accounting.close")
def period_unlock(year: int, month: int):
    return _set_locked(year, month, False, _("%(year)d-%(month)02d is open.", year=year, month=month))


@bp.post(f"/years/{YEAR}/close")
@permission_required("accounting.close")
def year_close(year: int):
    try:
        closing.close_year(year)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_("The fiscal year %(year)d is closed.", year=year), "success")
    return redirect(url_for("accounting.periods", year=year))


@bp.post(f"/years/{YEAR}/reopen")
@permission_required("accounting.close")
def year_reopen(year: int):
    try:
        closing.undo_close(year)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_("The closing of %(year)d was undone.", year=year), "success")
    return redirect(url_for("accounting.periods", year=year))
