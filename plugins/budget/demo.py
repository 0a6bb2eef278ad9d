"""Demo data: this year's original budget and one supplementary budget of a small city's water
utility, a transfer, commitments and payments spread over the months (paid ones posted to
accounting through the outbox), so that every budget page and report shows real figures on first
run. The monthly salaries, power and chemicals are paid here, month by month: the books get
those costs from these payments, never by hand as well (the accounting demo books by hand only
what no other plugin posted)."""
from __future__ import annotations

from datetime import date

from erp.audit.services import acting_as
from erp.common.clock import local_today
from plugins.budget.services import compilation, execution, structure, transfers

PROJECTS = [
    ("policy", "P1", "안정적 수돗물 공급", "", ""),
    ("unit", "U11", "상수도 시설 운영", "P1", ""),
    ("detail", "D111", "정수장 운영", "U11", "WS-PUR"),
    ("detail", "D112", "노후 관로 정비", "U11", "WS-SUP"),
    ("policy", "P2", "상수도 경영 효율화", "", ""),
    ("unit", "U21", "요금 징수 관리", "P2", ""),
    ("detail", "D211", "검침·부과 관리", "U21", "WS-RATE"),
    ("unit", "U22", "사업소 일반 운영", "P2", ""),
    ("detail", "D221", "사업소 운영", "U22", "WS-MGT"),
]
# (part, project, item, sub, name, account, basis rows [(text, unit price, quantity, months)])
LINES = [
    ("revenue", "D111", "201", "02", "공공운영비(정수장 전기요금)", "5208", [("정수장 전력요금", 92_000_000, 1, 12)]),
    ("revenue", "D111", "206", "01", "일반재료비(정수 약품)", "5209", [("응집제(PAC)", 1_150, 18_000, 12), ("소독제(차염)", 980, 9_500, 12)]),
    ("revenue", "D112", "201", "01", "사무관리비(관망 관리)", "5201", [("누수탐사 소모품", 1_250_000, 1, 12)]),
    ("capital", "D112", "401", "01", "시설비(노후 상수관 교체)", "1226", [("DCIP 200mm 교체", 1_480_000, 1_200, 1)]),
    ("revenue", "D211", "201", "11", "지급수수료(검침 위탁)", "5202", [("검침 위탁 (건당)", 1_050, 38_000, 12)]),
    ("revenue", "D221", "101", "01", "보수", "5110", [("일반직 보수", 3_950_000, 42, 12)]),
    ("revenue", "D221", "203", "", "업무추진비", "5206", [("기관운영 업무추진비", 1_500_000, 1, 12)]),
    ("revenue", "D221", "800", "", "예비비", "5229", [("예비비", 50_000_000, 1, 1)]),
]
INCOME = [("revenue", "611", "01", "급수수익(가정용)", "611-01", [("가정용 요금 (㎥)", 720, 11_800_000, 1)]),
          ("revenue", "611", "03", "급수수익(일반용)", "611-03", [("일반용 요금 (㎥)", 1_180, 3_600_000, 1)])]
# The demo users who draft and approve (the manifests' demo users): one drafts, another approves.
OFFICER, APPROVER, ACCOUNTANT = "budget", "budgetlead", "acct"
# Seasonal share (%) of the power and chemicals bills (summer treats and pumps more water).
SEASON = {1: 93, 2: 90, 3: 95, 4: 98, 5: 102, 6: 106, 7: 112, 8: 115, 9: 105, 10: 99, 11: 95, 12: 94}
MONTHLY = [  # (line code, payee, what, amount before the seasonal factor, seasonal)
    ("R-E-D221-101-01", "소속 직원 42명", "보수 지급", 165_900_000, False),
    ("R-E-D111-201-02", "한국전력공사", "정수장 전력요금", 96_000_000, True),
    ("R-E-D111-206-01", "(주)한빛화학", "정수 약품(PAC·차염) 구입", 28_500_000, True),
]
PAYMENTS = [  # (line code, vendor, what, amount, month)
    ("R-E-D211-201-11", "(주)검침서비스", "검침 위탁 상반기", 238_400_000, 3),
    ("C-E-D112-401-01", "(주)대한관로건설", "노후관 교체 1공구 (기성)", 642_000_000, 4),
    ("R-E-D112-201-01", "누수탐사(주)", "누수탐사 장비 소모품", 8_940_000, 5),
]


def load(context) -> None:
    """This year's budget: original, one supplementary budget, a transfer and execution."""
    today = local_today()
    year = today.year
    for level, code, name, parent, dept in PROJECTS:
        structure.add_project(year, level, code, name, parent, dept)
    lines = {}
    for part, project, item, sub, name, account, bases in LINES:
        lines[(project, item, sub)] = (structure.add_line(year, part=part, side="expenditure", item_code=item, sub_code=sub,
                                                          name=name, account_code=account, project_code=project), bases)
    for part, item, sub, name, account, bases in INCOME:
        lines[("", item, sub)] = (structure.add_line(year, part=part, side="income", item_code=item, sub_code=sub,
                                                     name=name, account_code=account), bases)
    original = compilation.open_version(year)
    with acting_as(None, OFFICER):  # the departments' requests, entered by the budget officer
        for line, bases in lines.values():
            for text, price, quantity, months in bases:
                compilation.add_basis(original.id, line.id, text, price, quantity, months)
    # The budget office trims the request for the pipe renewal and rounds the reserve down.
    pipes = lines[("D112", "401", "01")][0]
    compilation.adjust(original.id, pipes.id, 1_650_000_000, "재정 여건상 1공구·2공구만 반영")
    with acting_as(None, APPROVER):
        compilation.approve(original.id)
    supplementary = compilation.open_version(year)
    power = lines[("D111", "201", "02")][0]
    compilation.adjust(supplementary.id, power.id, 1_190_000_000, "전기요금 인상분 반영 (제1회 추경)")
    with acting_as(None, APPROVER):
        compilation.approve(supplementary.id)
    office, chemicals = lines[("D112", "201", "01")][0], lines[("D111", "206", "01")][0]
    with acting_as(None, OFFICER):
        transfer = transfers.request(office.id, chemicals.id, 3_000_000, "정수 약품 단가 인상")
    with acting_as(None, APPROVER):
        transfers.decide(transfer.id, True)

    by_code = {line.code: line for line, _bases in lines.values()}
    # Paid in their own months: the books lock their earlier months only once every plugin's
    # demo data is in and delivered (accounting's ``context.after_all``).
    for month in range(1, today.month + 1):
        for code, payee, what, amount, seasonal in MONTHLY:
            amount = amount * SEASON[month] // 100_000 * 1000 if seasonal else amount  # whole thousands
            _pay(by_code[code].id, year, month, today, payee, f"{month}월 {what}", amount)
    for code, vendor, what, amount, month in PAYMENTS:
        _pay(by_code[code].id, year, min(month, today.month), today, vendor, what, amount)
    with acting_as(None, OFFICER):  # a contract waiting for the approver
        execution.commit(by_code["C-E-D112-401-01"].id, date(year, min(6, today.month), 1), "(주)대한관로건설",
                         "노후관 교체 2공구 (계약)", 780_000_000)
    execution.relay(limit=10_000)


def _pay(line_id: int, year: int, month: int, today: date, vendor: str, what: str, amount: int) -> None:
    """Commitment (officer) → approval → resolution (accountant) → approval → payment, each by its
    own demo user as segregation of duties requires: committed on the 5th, paid on the 20th (or
    today, in the current month)."""
    committed_on = date(year, month, min(5, today.day) if month == today.month else 5)
    settle = max(committed_on, date(year, month, min(today.day, 20) if month == today.month else 20))
    with acting_as(None, OFFICER):
        commitment = execution.commit(line_id, committed_on, vendor, what, amount)
    with acting_as(None, APPROVER):
        execution.approve(commitment.id)
    with acting_as(None, ACCOUNTANT):
        execution.resolve(commitment.id, settle)
    with acting_as(None, APPROVER):
        execution.approve(commitment.id)
    with acting_as(None, ACCOUNTANT):
        execution.pay(commitment.id, settle)
