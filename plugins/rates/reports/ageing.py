"""The arrears ageing report (체납 연령 분석) as PDF and Excel: what overdue bills owe by days past due."""
from __future__ import annotations

from datetime import date

from reportlab.platypus import Paragraph, Spacer

from erp.common.excel import Column, Sheet, build_workbook
from erp.common.pdf import build_pdf, escape, money_table, styles
from plugins.rates.services.arrears import BUCKET_LABELS, AgeingRow
from plugins.rates.services.calculation import USE_TYPES

GROUP_TITLES = {"route": "검침 구역", "use_type": "업종"}


def _label(key: str, by: str) -> str:
    return USE_TYPES.get(key, key) if by == "use_type" else key


def _rows(rows: list[AgeingRow], by: str) -> list[list]:
    return [[_label(row.key, by), sum(row.bills), *row.amounts, row.total] for row in rows]


def _header(by: str) -> list[str]:
    return [GROUP_TITLES[by], "건수", *(f"{label}일" for label in BUCKET_LABELS), "합계"]


def ageing_pdf(as_of: date, by: str, rows: list[AgeingRow], total: AgeingRow, org_name: str) -> bytes:
    st = styles()
    table = money_table(_header(by), _rows(rows, by) + [["합계", sum(total.bills), *total.amounts, total.total]],
                        numeric_cols=set(range(1, 9)), total_row=True)
    story = [Paragraph(escape(f"기준일 {as_of.isoformat()} · 납기 경과 일수별 미납 요금과 가산금 (원)"), st["body"]),
             Spacer(1, 6), table]
    return build_pdf("체납액 연령 분석", story, org_name=org_name, subtitle=f"{as_of.isoformat()} · {GROUP_TITLES[by]}별",
                     landscape=True)


def ageing_xlsx(as_of: date, by: str, rows: list[AgeingRow], total: AgeingRow, org_name: str) -> bytes:
    columns = [Column(GROUP_TITLES[by], 14), Column("건수", 10, "int")] + [Column(h, 16, "won") for h in _header(by)[2:]]
    sheet = Sheet(f"체납 연령 {as_of.isoformat()}", columns, _rows(rows, by), subtitle=f"기준일 {as_of.isoformat()}",
                  total_row=["합계", sum(total.bills), *total.amounts, total.total])
    return build_workbook([sheet], org_name=org_name)
