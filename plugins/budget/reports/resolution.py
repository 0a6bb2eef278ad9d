"""The expenditure resolution (지출결의서) of a commitment: the 결재란 (drafter, reviewer,
approver with names and dates), the budget line it is charged to, the counterparty, the amount in
figures and in words, and the commitment it settles."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import pgettext
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from erp.common import pdf as pdf_module
from erp.common.formatting import fmt_date

WIDTH = 180 * mm


def resolution_pdf(commitment, *, org_name: str, people: dict[str, str], departments: dict[str, str]) -> bytes:
    """``people`` maps user names to the persons' names, ``departments`` codes to names."""
    def person(username: str | None) -> str:
        return people.get(username or "", username or "")

    approved = bool(commitment.resolution_approved_by)
    boxes = pdf_module.approval_box([
        (_("Drafter"), person(commitment.resolved_by), fmt_date(commitment.resolved_on)),
        (_("Reviewer"), "", ""),
        (_("Approver"), person(commitment.resolution_approved_by) if approved else "",
         fmt_date(commitment.resolution_approved_at) if approved else ""),
    ], label=_("Approval"))
    line = commitment.line
    project = line.project
    department = departments.get(project.department_code, project.department_code) if project else ""
    rows = [
        (_("Resolution number"), commitment.number),
        (_("Fiscal year"), str(line.year)),
        (_("Budget line"), f"{line.code} {line.name}"),
        (_("Project"), f"{project.code} {project.name}" if project else ""),
        (_("Department"), department),
        (_("Amount"), f"{pdf_module.korean_amount(commitment.amount)} (₩{commitment.amount:,})"),
        (_("Counterparty"), commitment.vendor),
        (_("What is bought"), commitment.description),
        (_("Commitment"), _("%(number)s of %(date)s, drafted by %(who)s, approved by %(approver)s",
                            number=commitment.number, date=fmt_date(commitment.committed_on),
                            who=person(commitment.created_by), approver=person(commitment.approved_by) or "-")),
        (_("Resolution date"), fmt_date(commitment.resolved_on)),
        (_("Payment date"), fmt_date(commitment.paid_on)),
    ]
    if commitment.is_returned:
        rows.append((_("Returned"), commitment.return_reason))
    story = [pdf_module.document_head(pgettext("form title", "Expenditure resolution"), boxes, WIDTH), Spacer(1, 8 * mm),
             pdf_module.form_table(rows, WIDTH),
             Spacer(1, 8 * mm),
             pdf_module.form_table([(_("Resolution"), _("The above amount is resolved for payment."))], WIDTH)]
    return pdf_module.build_pdf(pgettext("form title", "Expenditure resolution"), story, org_name=org_name, subtitle=commitment.number,
                                labels={"page": _("page"), "printed": _("Printed")})
