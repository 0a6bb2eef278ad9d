"""The accounting blueprint and what its feature modules share: labels, dates from the query
string, and the page / PDF / Excel delivery of statements."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, request
from flask_babel import gettext as _

from erp.common.clock import local_today
from erp.i18n import N_
from erp.web.downloads import printout
from plugins.accounting.reports import statements as printouts

bp = Blueprint("accounting", __name__, url_prefix="/accounting", template_folder="../templates")

KIND_LABELS = {"normal": N_("Normal"), "reversal": N_("Reversal"), "closing": N_("Closing"), "opening": N_("Opening")}
CLASS_LABELS = {"asset": N_("Assets"), "liability": N_("Liabilities"), "capital": N_("Capital"),
                "revenue": N_("Revenue"), "expense": N_("Expenses")}


@bp.context_processor
def labels():
    return {"kind_label": lambda kind: _(KIND_LABELS.get(kind, kind)),
            "class_label": lambda name: _(CLASS_LABELS.get(name, name))}


def today() -> date:
    return local_today()


def date_arg(name: str, default: date | None) -> date | None:
    """A YYYY-MM-DD query argument; anything else is a 400."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400)


def deliver(kind: str, payload, filename: str):
    """The same statement as a page, a PDF or an Excel file (``?format=pdf|xlsx``)."""
    return printout(lambda fmt, org: (printouts.pdf if fmt == "pdf" else printouts.xlsx)(kind, payload, org_name=org),
                    filename)
