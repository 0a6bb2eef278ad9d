"""A report that is one titled table (the budget reports, the tariff basis …) as a PDF (A4, embedded Korean font,
organisation header, page numbers) or an Excel sheet, with the core's helpers."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from erp.common import excel
from erp.common import pdf as pdf_module


@dataclass
class Table:
    title: str
    subtitle: str
    header: list[str]
    rows: list[list]
    numeric: set[int] = field(default_factory=set)
    total: list | None = None
    widths: list[int] | None = None  # relative widths
    landscape: bool = False


def to_pdf(table: Table, org_name: str) -> bytes:
    styles = pdf_module.styles()
    usable = (267 if table.landscape else 180) * mm
    weights = table.widths or [1] * len(table.header)
    widths = [usable * w / sum(weights) for w in weights]
    body = table.rows + ([table.total] if table.total else [])
    grid = pdf_module.money_table(table.header, body, numeric_cols=table.numeric, total_row=bool(table.total), col_widths=widths)
    return pdf_module.build_pdf(table.title, [Paragraph(table.title, styles["title"]), Spacer(1, 4 * mm), grid],
                                org_name=org_name, subtitle=table.subtitle, landscape=table.landscape,
                                labels={"page": _("page"), "printed": _("Printed")})


def to_xlsx(table: Table, org_name: str) -> bytes:
    weights = table.widths or [1] * len(table.header)
    columns = [excel.Column(h, max(10, int(w * 8)), "won" if i in table.numeric else "text")
               for i, (h, w) in enumerate(zip(table.header, weights))]
    return excel.build_workbook([excel.Sheet(table.title, columns, table.rows, subtitle=table.subtitle,
                                             total_row=table.total)], org_name=org_name)
