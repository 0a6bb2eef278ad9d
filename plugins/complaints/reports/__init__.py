"""The complaint statistics as PDF and Excel."""
from __future__ import annotations

from flask_babel import gettext as _
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from erp.common import excel
from erp.common.clock import to_local
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


def receipt_pdf(complaint, *, department: str, org_name: str, org_phone: str = "") -> bytes:
    """The citizen's receipt (민원 접수증): the receipt number, what was filed, when it is due, which
    department handles it, the attachments received, and how to follow it. Every piece of the
    citizen's text is escaped for reportlab's mark-up."""
    styles = pdf_module.styles()
    esc = pdf_module.escape
    phone = complaint.phone
    masked = phone[:3] + "-****-" + phone[-4:] if len(phone) >= 9 else "****"  # a printout lies about; the middle is hidden
    due = to_local(complaint.due_at).strftime("%Y-%m-%d %H:%M") if complaint.due_at and complaint.status != "supplement" \
        else _("paused until you supply what was asked")
    rows = [(_("Receipt number"), complaint.receipt_no), (_("Kind"), complaint.type.name), (_("Title"), complaint.title),
            (_("Applicant"), complaint.name), (_("Telephone"), masked),
            (_("Received"), to_local(complaint.filed_at).strftime("%Y-%m-%d %H:%M")), (_("Due by"), due),
            (_("Department"), department),
            (_("Attachments"), ", ".join(f"{a.original_name} ({a.size:,} B)" for a in complaint.attachments) or _("none"))]
    cell = ParagraphStyle("receipt", parent=styles["body"])
    label = ParagraphStyle("receipt_label", parent=cell, fontName=styles["heading"].fontName)
    body = [[Paragraph(esc(k), label), Paragraph(esc(v), cell)] for k, v in rows]
    grid = Table(body, colWidths=[38 * mm, 142 * mm])
    grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "#808080"), ("BACKGROUND", (0, 0), (0, -1), "#DCE3EC"),
                              ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 4),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    title = _("Complaint receipt")
    note = _("With the receipt number and your telephone number you can follow the complaint and read the reply "
             "on the complaint status page.")
    story = [Paragraph(esc(title), styles["title"]), Spacer(1, 4 * mm), grid, Spacer(1, 6 * mm), Paragraph(esc(note), styles["body"])]
    if org_phone:
        story.append(Paragraph(esc(_("Enquiries: %(phone)s", phone=org_phone)), styles["body"]))
    story += [Spacer(1, 10 * mm), Paragraph(esc(_("This confirms that the complaint above was received.")), styles["body"]),
              Spacer(1, 4 * mm), Paragraph(esc(org_name), styles["heading"])]
    return pdf_module.build_pdf(title, story, org_name=org_name, subtitle=complaint.receipt_no,
                                labels={"page": _("page"), "printed": _("Printed")})
