"""Excel exports (openpyxl): every report's spreadsheet looks the same — organisation, title,
period, a bold header row, frozen panes, a filter, amounts as numbers with thousands separators."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from erp.common.clock import local_now

FORMATS = {"won": "#,##0", "won_deduction": '#,##0;"△"#,##0', "int": "#,##0", "date": "yyyy-mm-dd", "percent": "0.0%", "text": "@"}
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(top=_THIN, bottom=_THIN, left=_THIN, right=_THIN)
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
HEADER_ROW = 5  # rows 1–3: organisation, title, subtitle and printed date; row 4 blank


@dataclass
class Column:
    header: str
    width: int = 14
    kind: str = "text"  # text | won | won_deduction (negatives as △1,234) | int | date | percent


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: list[list]
    subtitle: str = ""
    total_row: list | None = field(default=None)


def sheet_title(title: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = _BAD_TITLE.sub("_", title).strip() or "Sheet"
    candidate, n = base[:31], 2
    while candidate in taken:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


def _check(value, column: Column):
    if column.kind in ("won", "won_deduction") and isinstance(value, float):
        raise TypeError(f"column {column.header!r} holds money: integer won, not float {value!r}")
    return value


def build_workbook(sheets: list[Sheet], *, org_name: str, printed_at: datetime | None = None) -> bytes:
    """Write the sheets into one .xlsx file and return its bytes."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    printed = (printed_at or local_now()).strftime("%Y-%m-%d %H:%M")
    for spec in sheets:
        ws = book.create_sheet(sheet_title(spec.title, taken))
        ws["A1"] = org_name
        ws["A1"].font = Font(size=10, color="595959")
        ws["A2"] = spec.title
        ws["A2"].font = Font(size=14, bold=True)
        ws["A3"] = f"{spec.subtitle}   ({printed})" if spec.subtitle else f"({printed})"
        ws["A3"].font = Font(size=10, color="595959")
        for index, column in enumerate(spec.columns, start=1):
            cell = ws.cell(row=HEADER_ROW, column=index, value=column.header)
            cell.font, cell.fill, cell.border = Font(bold=True), _HEADER_FILL, _BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(index)].width = column.width
        row_number = HEADER_ROW
        for row in spec.rows:
            row_number += 1
            _write_row(ws, row_number, row, spec.columns)
        if spec.total_row is not None:
            row_number += 1
            _write_row(ws, row_number, spec.total_row, spec.columns, total=True)
        ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
        if spec.columns:
            last_data = HEADER_ROW + len(spec.rows)
            ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(spec.columns))}{max(last_data, HEADER_ROW)}"
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        ws.page_setup.orientation = "landscape" if len(spec.columns) > 7 else "portrait"
        ws.page_setup.fitToWidth = 1
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _write_row(ws, row_number: int, values: list, columns: list[Column], total: bool = False) -> None:
    for index, column in enumerate(columns, start=1):
        value = _check(values[index - 1] if index - 1 < len(values) else None, column)
        if isinstance(value, datetime) and column.kind == "date":
            value = value.date()
        cell = ws.cell(row=row_number, column=index, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # text stays text: "=HYPERLINK(…)" typed by someone is never a formula
        cell.border = _BORDER
        if column.kind in ("won", "won_deduction", "int", "percent") or (column.kind == "date" and isinstance(value, date)):
            cell.number_format = FORMATS[column.kind]
        if column.kind in ("won", "won_deduction", "int", "percent"):
            cell.alignment = Alignment(horizontal="right")
        if total:
            cell.font, cell.fill = Font(bold=True), _TOTAL_FILL
