"""Payment reminders (독촉장) of a route: one page per customer owing on overdue bills, with the
bills, their late charges, the total and the new due date (납부기한)."""
from __future__ import annotations

from datetime import date

from reportlab.platypus import PageBreak, Paragraph, Spacer

from erp.common.pdf import build_pdf, escape, money_table, styles
from plugins.rates.services.arrears import Reminder


def reminders_pdf(route_code: str, issued_on: date, due_on: date, reminders: list[Reminder], org_name: str) -> bytes:
    st = styles()
    story: list = []
    for index, reminder in enumerate(reminders):
        customer, due = reminder.customer, reminder.due
        if index:
            story.append(PageBreak())
        story += [
            Paragraph(escape(f"고객번호 {customer.account_no} · {customer.holder_name} 님"), st["heading"]),
            Paragraph(escape(f"사용장소: {customer.address}"), st["body"]),
            Spacer(1, 6),
            Paragraph(escape("아래 상하수도요금이 납기일까지 납부되지 않아 지방세외수입금의 징수 등에 관한 법률과 "
                             "수도급수조례에 따라 독촉합니다. 납부기한까지 납부하여 주십시오."), st["body"]),
            Spacer(1, 6),
        ]
        rows = [[item.bill.number, item.bill.period, item.bill.due_on.isoformat(), item.balance, item.late_charges,
                 item.balance + item.late_charges] for item in due.items if item.days_overdue > 0]
        rows.append(["합계", "", "", sum(r[3] for r in rows), sum(r[4] for r in rows), sum(r[5] for r in rows)])
        story.append(money_table(["고지번호", "부과월", "당초 납기", "미납 요금", "가산금", "계"], rows,
                                 numeric_cols={3, 4, 5}, total_row=True))
        story += [
            Spacer(1, 8),
            Paragraph(escape(f"납부할 금액: {max(0, due.overdue - due.credit):,}원"
                             + (f" (선수금 {due.credit:,}원 충당 후)" if due.credit else "")), st["heading"]),
            Paragraph(escape(f"납부기한: {due_on.isoformat()}"), st["heading"]),
            Paragraph(escape(f"고객 전용 가상계좌: {customer.virtual_account or '-'}"), st["body"]),
            Spacer(1, 6),
            Paragraph(escape("· 납부기한까지 납부하지 않으면 급수 정지(단수) 예고 대상이 될 수 있습니다. "
                             "생활이 어려운 경우 분할 납부(분납)를 신청할 수 있습니다."), st["small"]),
            Paragraph(escape(f"· 이미 납부하셨다면 이 독촉장은 무시하여 주십시오. 발행일 {issued_on.isoformat()}"), st["small"]),
        ]
    if not story:
        story = [Paragraph(escape(f"{route_code} 구역에 독촉할 체납 고객이 없습니다."), st["body"])]
    return build_pdf("상하수도요금 독촉장", story, org_name=org_name, subtitle=f"{route_code} 구역 · 납부기한 {due_on.isoformat()}")
