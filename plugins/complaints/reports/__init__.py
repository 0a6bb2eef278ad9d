"""The complaint statistics as PDF and Excel."""
from __future__ import annotations

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from erp.common import excel
from erp.common import pdf as pdf_module


def _table(rows):
    header = [_("Group"), _("Received"), _("Completed"), _("On time"), _("Average working days"), _("Overdue now")]
    body = [[r.key, r.received, r.completed, "" if r.on_time_rate is None else f"{r.on_time_rate:.1f}%",
             "" if r.average_days is None else f"{r.average_days:.1f}", r.overdue_now] for r in rows]
    total = [_("Total"), sum(r.received for r in rows), sum(r.completed for r in rows), "", "", sum(r.overdue_now for r in rows)]
    return header, body, total


def statistics_file(fmt: str, rows, start, end, by: str, org_name: str) -> bytes:
    """The statistics as a PDF (``fmt`` pdf) or an Excel workbook."""
    header, body, total = _table(rows)
    title = _("Complaint statistics")
    subtitle = f"{start} ~ {end}"
    if fmt == "pdf":
        styles = pdf_module.styles()
        grid = pdf_module.money_table(header, body + [total], numeric_cols={1, 2, 3, 4, 5}, total_row=True,
                                      col_widths=[60 * mm, 22 * mm, 22 * mm, 24 * mm, 30 * mm, 22 * mm])
        data = pdf_module.build_pdf(title, [Paragraph(title, styles["title"]), Spacer(1, 4 * mm), grid],
                                    org_name=org_name, subtitle=subtitle, labels={"page": _("page"), "printed": _("Printed")})
        return data
    columns = [excel.Column(header[0], 30), excel.Column(header[1], 10, "int"), excel.Column(header[2], 10, "int"),
               excel.Column(header[3], 10), excel.Column(header[4], 14), excel.Column(header[5], 10, "int")]
    return excel.build_workbook([excel.Sheet(title, columns, body, subtitle=subtitle, total_row=total)], org_name=org_name)
