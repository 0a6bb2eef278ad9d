"""Demo data: a believable year of books of a small city's water utility, and the closed year
before it, so that every statement shows real figures on first run."""
from __future__ import annotations

import random
from datetime import date

from erp.audit.services import acting_as
from erp.common.clock import local_today
from plugins.accounting.data import PostingLine, PostingRequest
from plugins.accounting.services import assets, closing, journal

# Monthly figures in won, before the seasonal factor (summer uses more water and power).
REVENUE = {"611-01": 705_000_000, "611-03": 352_000_000, "611-05": 118_000_000, "611-04": 21_000_000}
WATER_USE_CHARGE = 96_000_000  # 물이용부담금 collected on the bills for the basin fund
COSTS = {"5110": 212_000_000, "5160": 41_000_000, "5208": 108_000_000, "5209": 34_500_000,
         "5210": 158_000_000, "5212": 57_000_000, "5213": 44_000_000, "5201": 18_500_000}
DEPRECIATION = {"1227": 118_000_000, "1229": 46_000_000, "1235": 12_500_000}
SEASON = {1: 0.93, 2: 0.9, 3: 0.95, 4: 0.98, 5: 1.02, 6: 1.06, 7: 1.12, 8: 1.15, 9: 1.05, 10: 0.99, 11: 0.95, 12: 0.94}


def _won(value: float) -> int:
    return int(value) // 10 * 10  # whole tens of won, as bills and invoices are


def _post(key: str, day: date, memo: str, lines: list[PostingLine]) -> None:
    journal.post_request(PostingRequest(day, memo, tuple(lines), idempotency_key=f"demo:{key}", source="demo"))


def _costs(rng: random.Random, year: int, month: int, elsewhere: frozenset[str] = frozenset()) -> None:
    """A month's operating costs, depreciation of the older network and the water-use charge
    remitted; the costs another plugin posted for the month (``elsewhere``: e.g. the salaries the
    budget plugin paid) are not booked again."""
    factor = SEASON[month]
    costs = {code: _won(amount * (factor if code in ("5208", "5209", "5210") else 1) * rng.uniform(0.95, 1.05))
             for code, amount in COSTS.items()}
    costs = {code: amount for code, amount in costs.items() if code not in elsewhere}
    _post(f"{year}-{month}-costs", date(year, month, 28), f"{year}년 {month}월 운영비 지급",
          [PostingLine(code, debit=amount) for code, amount in costs.items()]
          + [PostingLine("1111", credit=sum(costs.values()), memo="운영비 지급")])
    _post(f"{year}-{month}-dep", date(year, month, 28) if month != 2 else date(year, 2, 27), f"{year}년 {month}월 감가상각",
          [PostingLine("5216", debit=sum(DEPRECIATION.values()))]
          + [PostingLine(code, credit=amount) for code, amount in DEPRECIATION.items()])
    if month in (3, 6, 9, 12):
        charge = _won(WATER_USE_CHARGE * factor)
        _post(f"{year}-{month}-remit", date(year, month, 20), f"{year}년 {month}월 물이용부담금 납부",
              [PostingLine("2115", debit=charge * 3), PostingLine("1111", credit=charge * 3)])


def _posted_elsewhere(year: int, month: int) -> frozenset[str]:
    """The cost accounts that another plugin (its postings carry their source key, such as
    ``budget:payment:…``) debited in a month's posted entries."""
    import sqlalchemy as sa

    from erp.extensions import db
    from plugins.accounting.models import Account, JournalEntry, JournalLine

    start = date(year, month, 1)
    end = date(year + month // 12, month % 12 + 1, 1)
    codes = db.session.execute(sa.select(Account.code).distinct()
                               .join(JournalLine, JournalLine.account_id == Account.id)
                               .join(JournalEntry, JournalLine.entry_id == JournalEntry.id)
                               .where(JournalEntry.status == "posted", JournalEntry.entry_date >= start,
                                      JournalEntry.entry_date < end, JournalEntry.source.notin_(("", "demo")),
                                      Account.code.in_(list(COSTS)), JournalLine.debit > 0)).scalars()
    return frozenset(codes)


def _month_sums(year: int, month: int) -> tuple[int, int]:
    """(water revenue credited, receivables debited) in a month's posted entries, whatever posted them."""
    import sqlalchemy as sa

    from erp.extensions import db
    from plugins.accounting.models import Account, JournalEntry, JournalLine

    start = date(year, month, 1)
    end = date(year + month // 12, month % 12 + 1, 1)
    in_month = sa.and_(JournalEntry.status == "posted", JournalEntry.entry_date >= start, JournalEntry.entry_date < end)
    revenue = db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(JournalLine.credit - JournalLine.debit), 0))
                                 .join(JournalEntry, JournalLine.entry_id == JournalEntry.id)
                                 .join(Account, JournalLine.account_id == Account.id)
                                 .where(in_month, Account.code.like("611-%"))).scalar_one()
    billed = db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(JournalLine.debit), 0))
                                .join(JournalEntry, JournalLine.entry_id == JournalEntry.id)
                                .join(Account, JournalLine.account_id == Account.id)
                                .where(in_month, Account.code == "1113")).scalar_one()
    return int(revenue), int(billed)


def _revenue(rng: random.Random, year: int, month: int) -> None:
    """A month's water bills and their collection. A month billed by the water-rates plugin (its
    runs post the revenue, its payment imports the collection) is neither billed nor collected
    again by hand."""
    factor = SEASON[month]
    revenue, billed = _month_sums(year, month)
    if revenue:
        return
    amounts = {code: _won(amount * factor * rng.uniform(0.97, 1.03)) for code, amount in REVENUE.items()}
    charge = _won(WATER_USE_CHARGE * factor)
    billed = sum(amounts.values()) + charge
    _post(f"{year}-{month}-bill", date(year, month, 10), f"{year}년 {month}월 정기분 상수도요금 부과",
          [PostingLine("1113", debit=billed, memo="요금 미수금")]
          + [PostingLine(code, credit=amount, memo="급수수익") for code, amount in amounts.items()]
          + [PostingLine("2115", credit=charge, memo="물이용부담금 예수")])
    collected = _won(billed * rng.uniform(0.9, 0.97))
    _post(f"{year}-{month}-collect", date(year, month, 25), f"{year}년 {month}월 상수도요금 수납",
          [PostingLine("1111", debit=collected, memo="가상계좌·지로 수납"), PostingLine("1113", credit=collected)])


def load(context) -> None:
    """Two years of books: last year closed, this year up to the current month, with a few fixed
    assets depreciated month by month (the older network's depreciation is booked directly).

    This year's costs, the water bills, the closing of last year and the locking of this year's
    earlier months wait until every plugin's demo data is in (``context.after_all``): the budget
    plugin's payments and the water-rates plugin's bill runs and receipts post first, into months
    still open, and are not booked twice."""
    today = local_today()
    year = today.year
    # Seeded so the demo books are the same on every machine; nothing secret depends on it.
    rng = random.Random(20261122)  # nosec B311
    prior = year - 1
    _post(f"{prior}-opening", date(prior, 1, 2), f"{prior}년 기초 자산·부채 등록", [
        PostingLine("1111", debit=6_850_000_000, memo="예금"),
        PostingLine("1222", debit=4_200_000_000, memo="정수장·배수지 부지"),
        PostingLine("1224", debit=3_100_000_000, memo="정수장 관리동"),
        PostingLine("1226", debit=48_600_000_000, memo="송·배수관로"),
        PostingLine("1228", debit=12_400_000_000, memo="가압장 펌프·정수설비"),
        PostingLine("1234", debit=2_300_000_000, memo="급수관·계량기"),
        PostingLine("1227", credit=14_900_000_000, memo="관로 감가상각누계액"),
        PostingLine("1229", credit=5_100_000_000, memo="설비 감가상각누계액"),
        PostingLine("1235", credit=700_000_000, memo="계량기 감가상각누계액"),
        PostingLine("2215", credit=9_800_000_000, memo="금융기관 차입금"),
        PostingLine("3100", credit=36_850_000_000, memo="자본금"),
        PostingLine("3210", credit=10_100_000_000, memo="국고보조금"),
    ])
    assets.register(assets.AssetInput("업무용 화물차 (급수공사용)", "vehicle", date(prior, 7, 1), 48_000_000, 5,
                                      "straight_line", 2_400_000, "WS-SUP", paid_from="1111"))
    for month in range(1, 13):
        _costs(rng, prior, month)
        assets.run_month(prior, month)
    assets.register(assets.AssetInput("제2가압장 펌프 교체", "machinery", date(year, 2, 10), 320_000_000, 10,
                                      "declining_balance", 0, "WS-SUP", paid_from="2111"))
    assets.register(assets.AssetInput("원격검침(AMI) 계량기 1,200대", "meters", date(year, 3, 5), 85_000_000, 8,
                                      "straight_line", 0, "WS-RATE", paid_from="1111"))
    for month in range(1, today.month):
        assets.run_month(year, month)
    # Work in progress: two drafts of the accountant awaiting the chief accountant, and one
    # corrected mistake.
    with acting_as(None, "acct"):
        journal.create_draft(date(year, today.month, min(today.day, 28)), "정수장 여과지 보수 공사비", [
            PostingLine("5212", debit=23_650_000, memo="여과지 보수", department_code="WS-PUR"),
            PostingLine("2111", credit=23_650_000, memo="미지급금")])
        journal.create_draft(date(year, today.month, min(today.day, 28)), "검침 단말기 통신요금", [
            PostingLine("5201", debit=1_870_000, memo="AMI 통신요금", department_code="WS-RATE"),
            PostingLine("1111", credit=1_870_000)])
        wrong = journal.create_draft(date(year, 1, 15), "차량 유류비 (계정 오류)", [
            PostingLine("5209", debit=480_000), PostingLine("1111", credit=480_000)])
    with acting_as(None, "chiefacct"):
        journal.approve(wrong.id)
        journal.reverse(wrong.id, date(year, 1, 20), "약품비가 아닌 일반운영비로 처리")
    _post(f"{year}-1-fuel", date(year, 1, 20), "차량 유류비", [PostingLine("5201", debit=480_000), PostingLine("1111", credit=480_000)])
    context.after_all(lambda: _finish(rng, year, today.month))


def _finish(rng: random.Random, year: int, month_now: int) -> None:
    # This year's costs once the budget plugin's payments are in: booked by hand only where no
    # plugin posted them (each cost once in the books).
    for month in range(1, month_now + 1):
        _costs(rng, year, month, _posted_elsewhere(year, month))
    for month in range(1, 13):
        _revenue(rng, year - 1, month)
    for month in range(1, month_now + 1):
        _revenue(rng, year, month)
    closing.close_year(year - 1)
    for month in range(1, max(1, month_now - 1)):
        closing.set_locked(year, month, True)
