"""The journal voucher (전표) of one entry: the 결재란 (drafter, reviewer, approver with names and
dates), the entry's number, date and description, and its lines with debit and credit totals."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import pgettext
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from erp.common import pdf as pdf_module
from erp.common.formatting import fmt_date

WIDTH = 180 * mm


def voucher_pdf(entry, *, org_name: str, people: dict[str, str], departments: dict[str, str]) -> bytes:
    """``people`` maps user names to the persons' names, ``departments`` codes to names."""
    def person(username: str | None) -> str:
        return people.get(username or "", username or "")

    posted = entry.status == "posted"
    boxes = pdf_module.approval_box([
        (_("Drafter"), person(entry.created_by), fmt_date(entry.created_at)),
        (_("Reviewer"), "", ""),
        (_("Approver"), person(entry.posted_by) if posted else "", fmt_date(entry.posted_at) if posted else ""),
    ], label=_("Approval"))
    if posted:
        status = _("Posted")
    elif entry.is_returned:
        status = _("Returned: %(reason)s", reason=entry.return_reason)
    else:
        status = _("Draft awaiting approval")
    head = pdf_module.form_table([
        (_("Voucher number"), entry.number or _("(draft)")), (_("Date"), fmt_date(entry.entry_date)),
        (_("Entry description"), entry.memo), (_("Status"), status)], WIDTH)
    rows = [[f"{line.account.code} {line.account.name}", line.memo, departments.get(line.department_code, line.department_code),
             line.debit or None, line.credit or None] for line in entry.lines]
    lines = pdf_module.money_table(
        [_("Account"), _("Line memo"), _("Department"), _("Debit"), _("Credit")],
        rows + [[_("Total"), "", "", entry.total, entry.total]], numeric_cols={3, 4}, total_row=True,
        col_widths=[50 * mm, 46 * mm, 28 * mm, 28 * mm, 28 * mm])
    story = [pdf_module.document_head(pgettext("form title", "Journal voucher"), boxes, WIDTH), Spacer(1, 6 * mm), head, Spacer(1, 6 * mm), lines]
    return pdf_module.build_pdf(pgettext("form title", "Journal voucher"), story, org_name=org_name, subtitle=entry.number or _("(draft)"),
                                labels={"page": _("page"), "printed": _("Printed")})
