"""Excel files of the rates lists: the whole list the filters select, not just the page shown."""
from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

from erp.common.tables import Table, to_xlsx
from erp.web.downloads import file_response
from plugins.rates.repositories import customers as repo

EXPORT_LIMIT = 20_000  # rows in one file made during a request; a longer list is narrowed first


def xlsx_of(query, table, filename: str, endpoint: str, **view_args):
    """With ``?format=xlsx``: the rows of ``query`` made into ``table(rows)`` as an Excel file;
    a list longer than EXPORT_LIMIT is refused with a message (narrow it, e.g. by route). None
    when the page itself is asked for."""
    if request.args.get("format") != "xlsx":
        return None
    rows = repo.rows(query, EXPORT_LIMIT)
    if len(rows) > EXPORT_LIMIT:
        flash(_("The list has more than %(n)s rows: narrow it (for example to one route) to download it.",
                n=f"{EXPORT_LIMIT:,}"), "danger")
        args = {k: v for k, v in request.args.items() if k != "format"}
        return redirect(url_for(endpoint, **view_args, **args))
    made: Table = table(rows)
    return file_response(to_xlsx(made, current_app.config["ERP_ORG_NAME"]), "xlsx", filename)
