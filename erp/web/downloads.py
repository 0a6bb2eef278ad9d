"""Printouts of a page: ``?format=pdf`` or ``?format=xlsx`` answers the same data as a file."""
from __future__ import annotations

from typing import Callable

from flask import Response, current_app, request

MIMETYPES = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def file_response(data: bytes, fmt: str, filename: str) -> Response:
    """PDFs open in the browser; spreadsheets are downloaded."""
    disposition = "inline" if fmt == "pdf" else "attachment"
    return Response(data, mimetype=MIMETYPES[fmt], headers={"Content-Disposition": f"{disposition}; filename={filename}.{fmt}"})


def printout(make: Callable[[str, str], bytes], filename: str) -> Response | None:
    """The file the request asks for, made by ``make(format, organisation name)``; None when the
    request asks for the page itself."""
    fmt = request.args.get("format")
    if fmt not in MIMETYPES:
        return None
    return file_response(make(fmt, current_app.config["ERP_ORG_NAME"]), fmt, filename)


def list_export(title: str, columns: list, rows: Callable[[], list[list]], filename: str,
                subtitle: str = "") -> Response | None:
    """``?format=xlsx`` on a list page: every row its filters find (``rows()``, called only then)
    as one Excel sheet with ``columns`` (``erp.common.excel.Column``); None when the request asks
    for the page."""
    if request.args.get("format") != "xlsx":
        return None
    from erp.common import excel

    data = excel.build_workbook([excel.Sheet(title, columns, rows(), subtitle=subtitle)],
                                org_name=current_app.config["ERP_ORG_NAME"])
    return file_response(data, "xlsx", filename)
