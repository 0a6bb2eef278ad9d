"""The budget blueprint and what its feature modules share: labels, the year argument, page /
PDF / Excel delivery, line choices and showing a refusal."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect
from flask_babel import gettext as _

from erp.common.clock import local_today
from erp.common.errors import ServiceError
from erp.common.tables import Table, to_pdf, to_xlsx
from erp.i18n import N_
from erp.web.downloads import printout
from erp.web.forms import flash_errors
from erp.web.paging import int_arg
from plugins.budget.repositories import budget as repo
from plugins.budget.services.common import RESERVE_ITEM

bp = Blueprint("budget", __name__, url_prefix="/budget", template_folder="../templates")

STATUS_LABELS = {"committed": N_("Commitment made"), "resolved": N_("Expenditure resolved"), "paid": N_("Payment made"),
                 "cancelled": N_("Cancelled")}


@bp.context_processor
def labels():
    return {"status_label": lambda status: _(STATUS_LABELS.get(status, status))}


def year_arg() -> int:
    return int_arg("year", local_today().year, 2000, 2100)


def deliver(table: Table, filename: str):
    """The table as a page (None: the caller renders it), a PDF or an Excel file (``?format=``)."""
    return printout(lambda fmt, org: (to_pdf if fmt == "pdf" else to_xlsx)(table, org), filename)


def line_choices(year: int, side: str | None = "expenditure", *, committable: bool = False):
    """Lines for a select box; ``committable`` leaves out the contingency reserve (spent only
    through a transfer)."""
    return [(l.id, f"{l.code} {l.name} ({l.available:,})") for l in repo.lines(year, side=side)
            if not (committable and l.item_code == RESERVE_ITEM)]


def refused(error: ServiceError):
    flash_errors(error.errors or {"": [error.message]})


def act(action, done: str, back: str):
    """Run one change: on success ``done`` is flashed, a refusal is shown, an unknown row is a 404;
    then back to the page at ``back``."""
    try:
        action()
    except ServiceError as error:
        refused(error)
    except LookupError:
        abort(404)
    else:
        flash(done, "success")
    return redirect(back)
