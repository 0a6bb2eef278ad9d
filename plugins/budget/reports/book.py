"""The budget book (예산서) as a PDF (A4 landscape) and an Excel workbook, amounts in thousand won
as official budget books print them."""
from __future__ import annotations

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from erp.common import excel
from erp.common import pdf as pdf_module
from erp.common.formatting import won_deduction
from plugins.budget.services.book import BudgetBook

INDENT = pdf_module.INDENT
LEVELS = {"part": 0, "policy": 1, "unit": 2, "detail": 3, "line": 4}
HEADINGS = ("part", "policy", "unit", "detail")


def thousands(value: int | None) -> int | None:
    """Won to thousand won, dropping what is below a thousand (towards zero for a decrease)."""
    if value is None:
        return None
    return value // 1000 if value >= 0 else -((-value) // 1000)


def _header(book: BudgetBook) -> list[str]:
    if book.supplementary:
        return [_("Budget item"), _("Budget"), _("Amount in force before"), _("Change"), _("Calculation basis")]
    return [_("Budget item"), _("Budget"), _("Calculation basis")]


def _rows(book: BudgetBook) -> tuple[list[list], set[int], list[tuple[int, int]]]:
    rows, bold, keep = [], set(), []
    for row in book.rows:
        label = INDENT * LEVELS[row.kind] + row.label if row.kind != "basis" else ""
        if book.supplementary:
            values = [label, thousands(row.amount), thousands(row.before), thousands(row.change), row.basis]
        else:
            values = [label, thousands(row.amount), row.basis]
        if row.kind in HEADINGS:
            bold.add(len(rows))
            keep.append((len(rows), len(rows) + 1))  # a heading never ends a page
        rows.append(values)
    return rows, bold, keep


def pdf(book: BudgetBook, *, org_name: str) -> bytes:
    """The book on A4 landscape pages."""
    styles = pdf_module.styles()
    rows, bold, keep = _rows(book)
    header = _header(book)
    numeric = {1, 2, 3} if book.supplementary else {1}
    widths = ["34%", "11%", "11%", "11%", "33%"] if book.supplementary else ["40%", "14%", "46%"]
    table = pdf_module.money_table(header, rows or [[""] + [None] * (len(header) - 2) + [""]], numeric_cols=numeric,
                                   bold_rows=bold, keep_together=[k for k in keep if k[1] < len(rows)],
                                   formatter=won_deduction, col_widths=widths)
    story = [Paragraph(book.title, styles["title"]), Paragraph(_("Unit: thousand won"), styles["small"]),
             Spacer(1, 3 * mm), table]
    return pdf_module.build_pdf(book.title, story, org_name=org_name, subtitle=_("Unit: thousand won"), landscape=True,
                                labels={"page": _("page"), "printed": _("Printed")})


def xlsx(book: BudgetBook, *, org_name: str) -> bytes:
    """The book as one sheet."""
    rows, _bold, _keep = _rows(book)
    kinds = ["text", "won", "won", "won_deduction", "text"] if book.supplementary else ["text", "won", "text"]
    widths = [48, 16, 16, 16, 60] if book.supplementary else [48, 16, 60]
    columns = [excel.Column(h, w, k) for h, w, k in zip(_header(book), widths, kinds)]
    return excel.build_workbook([excel.Sheet(book.title, columns, rows, subtitle=_("Unit: thousand won"))],
                                org_name=org_name)
