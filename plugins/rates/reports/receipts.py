"""The counter payment's receipt (상하수도요금 영수증) and the daily reconciliation's PDF/Excel."""
from __future__ import annotations

from datetime import date

from reportlab.platypus import Paragraph, Spacer

from erp.common.excel import Column, Sheet, build_workbook
from erp.common.pdf import build_pdf, escape, money_table, styles
from plugins.rates.models import Payment
from plugins.rates.services.payment_layouts import CHANNEL_LABELS
from plugins.rates.services.payments import Balance, ReconciliationRow


def receipt_pdf(payment: Payment, balance: Balance | None, org_name: str) -> bytes:
    """One A4 receipt of a counter payment, in Korean, the Nanum font embedded."""
    st = styles()
    bill, customer = payment.bill, payment.customer
    rows = [["수납번호", payment.txn_id], ["수납일", payment.received_on.isoformat()],
            ["수납방법", CHANNEL_LABELS.get(payment.channel, payment.channel)],
            ["고객번호", customer.account_no if customer else ""], ["성명", customer.holder_name if customer else ""],
            ["납부자", payment.payer], ["고지번호", bill.number if bill else payment.reference],
            ["부과월", bill.period if bill else ""], ["고지금액", f"{bill.total:,}원" if bill else ""],
            ["수납금액", f"{payment.amount:,}원"], ["요금 충당액", f"{payment.applied:,}원"],
            ["과오납 선수금", f"{payment.credit:,}원"]]
    if balance is not None:
        rows.append(["남은 금액", f"{max(balance.balance, 0):,}원"])
    story = [Paragraph(escape("위 금액을 정히 영수합니다."), st["body"]), Spacer(1, 8),
             money_table(["항목", "내용"], rows, col_widths=["35%", "65%"]), Spacer(1, 16),
             Paragraph(escape(f"{org_name} 수납담당 {payment.created_by}"), st["body"])]
    return build_pdf("상하수도요금 영수증", story, org_name=org_name, subtitle=payment.received_on.isoformat())


def _rows(rows: list[ReconciliationRow]) -> list[list]:
    return [[r.label, r.lines, r.receipts, r.applied, r.credit, r.suspense, r.booked, r.cash_posted, r.difference] for r in rows]


HEADER = ["수납방법", "건수", "수납액", "요금 충당", "선수금", "가수금", "분개 대상", "현금 전기액", "차이"]


def _total(rows: list[ReconciliationRow]) -> list:
    return ["합계", *(sum(values) for values in list(zip(*_rows(rows)))[1:])] if rows else ["합계", 0, 0, 0, 0, 0, 0, 0, 0]


def reconciliation_pdf(day: date, rows: list[ReconciliationRow], org_name: str) -> bytes:
    table = money_table(HEADER, _rows(rows) + [_total(rows)], numeric_cols=set(range(1, 9)), total_row=True)
    return build_pdf("일일 수납 대사표", [table], org_name=org_name, subtitle=day.isoformat(), landscape=True)


def reconciliation_xlsx(day: date, rows: list[ReconciliationRow], org_name: str) -> bytes:
    columns = [Column("수납방법", 16), Column("건수", 10, "int")] + [Column(h, 16, "won") for h in HEADER[2:]]
    sheet = Sheet(f"수납대사 {day.isoformat()}", columns, _rows(rows), subtitle=day.isoformat(), total_row=_total(rows))
    return build_workbook([sheet], org_name=org_name)
