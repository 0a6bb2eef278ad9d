"""요금 모의 계산: a draft tariff applied to a past year's actual consumption of every customer,
against the tariff in force — what officials try, draft after draft, in a meeting.

The year's regular bills are read grouped by everything the tariff charges on (use type, meter,
households, use, reductions, cycle, mixed meter, own water-use rate) — from the profile each bill
run records when it finishes, not from every bill; each distinct group is priced once under each
tariff by the pure calculation and weighted by how many bills it stands for, so a city's year is a
few thousand calculations, not millions. Settlement and adjusting bills are left out (one-off),
and so is the leak reduction (granted case by case).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from plugins.rates.repositories import bills as bill_repo
from plugins.rates.repositories import tariffs as tariff_repo
from plugins.rates.services import tariff_basis
from plugins.rates.services import tariffs as tariff_service
from plugins.rates.services.calculation import USE_TYPES, QuoteError, QuoteRequest, Reduction, TariffTerms, quote

# A full billing period of each cycle: the draft applies to the whole of it (the days do not matter).
PERIODS = {"monthly": (date(2001, 1, 1), date(2001, 1, 31)), "bimonthly": (date(2001, 1, 1), date(2001, 2, 28))}
WATER = ("meter", "water", "water_reduction")  # the lines that are water revenue (the tariff basis' figure)
SAMPLE_USES = (10, 20, 30)
# Bins of the change of a bill, in per cent: (upper bound, label); the last is open.
BINS = ((-10, "−10% 이하"), (-5, "−10 ~ −5%"), (-0.005, "−5 ~ 0%"), (0.005, "변동 없음"), (5, "0 ~ 5%"), (10, "5 ~ 10%"),
        (20, "10 ~ 20%"), (30, "20 ~ 30%"), (None, "30% 초과"))


@dataclass
class UseTypeOutcome:
    use_type: str
    label: str
    bills: int
    revenue_now: int  # water revenue under the tariff in force
    revenue_draft: int
    total_now: int  # every charge of the bills (sewerage and water-use charge too)
    total_draft: int

    @property
    def change(self) -> Decimal | None:
        return _percent(self.revenue_draft - self.revenue_now, self.revenue_now)


@dataclass
class Sample:
    label: str
    use: int
    now: int
    draft: int

    @property
    def change(self) -> int:
        return self.draft - self.now


@dataclass
class Simulation:
    year: int
    in_force: str  # the name and date of the tariff compared with
    by_use_type: list[UseTypeOutcome]
    samples: list[Sample]
    median_use: int | None
    histogram: list[tuple[str, int]]  # (bin, bills)
    recovery_now: Decimal | None
    recovery_draft: Decimal | None
    total_cost: int
    refused: dict[str, int] = field(default_factory=dict)  # reason -> bills that could not be priced

    @property
    def bills(self) -> int:
        return sum(o.bills for o in self.by_use_type)

    @property
    def revenue_now(self) -> int:
        return sum(o.revenue_now for o in self.by_use_type)

    @property
    def revenue_draft(self) -> int:
        return sum(o.revenue_draft for o in self.by_use_type)

    @property
    def change(self) -> Decimal | None:
        return _percent(self.revenue_draft - self.revenue_now, self.revenue_now)


def _percent(part, whole) -> Decimal | None:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if whole else None


def _request(use_type, diameter, households, use, codes, cycle, mixed, rate) -> QuoteRequest:
    start, end = PERIODS.get(cycle, PERIODS["monthly"])
    return QuoteRequest(use_type=use_type, diameter=diameter, consumption=int(use), period_start=start, period_end=end,
                        households=households, mixed=bool(mixed), water_use_rate=Decimal(str(rate)) if rate is not None else None,
                        reductions=tuple(Reduction(code) for code in codes))


def _priced(request: QuoteRequest, terms: TariffTerms) -> tuple[int, int]:
    """(water revenue, total) of one bill."""
    result = quote(request, [terms])
    return sum(line.amount for line in result.lines if line.code in WATER), result.total


def _bin(change: Decimal) -> int:
    for index, (upper, _label) in enumerate(BINS):
        if upper is None or change <= Decimal(str(upper)):
            return index
    return len(BINS) - 1


def in_force_terms(on: date) -> tuple[str, TariffTerms | None]:
    """The tariff in force on ``on`` (its name and date, and its terms, in force from any date)."""
    version = next((v for v in tariff_repo.all_versions() if v.effective_from <= on), None)
    if version is None:
        return "", None
    terms = dataclasses.replace(tariff_service.terms(version), effective_from=date(1900, 1, 1))
    return f"{version.name} ({version.effective_from.isoformat()})", terms


def simulate(year: int, draft: TariffTerms, today: date) -> Simulation:
    """The draft tariff ``draft`` applied to the regular bills of ``year``, against the tariff in
    force ``today``: water revenue by use type and its change, the new cost-recovery ratio (the
    tariff basis of ``year``), the bills of households using 10, 20 and 30 ㎥ and the median use,
    and how many bills would change by how much."""
    name, now_terms = in_force_terms(today)
    by_type = {code: UseTypeOutcome(code, label, 0, 0, 0, 0, 0) for code, label in USE_TYPES.items()}
    counts = [0] * len(BINS)
    refused: dict[str, int] = {}
    household_uses: dict[int, int] = {}
    for use_type, diameter, households, use, reductions, cycle, mixed, rate, count in bill_repo.regular_use_profile(year):
        codes = tuple(code for code in (reductions or "").split(",") if code and code != "LEAK")
        request = _request(use_type, diameter, households, use, codes, cycle, mixed, rate)
        try:
            if now_terms is None:
                raise QuoteError("No tariff is in force.")
            now_water, now_total = _priced(request, now_terms)
            draft_water, draft_total = _priced(request, draft)
        except QuoteError as error:
            refused[str(error)] = refused.get(str(error), 0) + count
            continue
        outcome = by_type.setdefault(use_type, UseTypeOutcome(use_type, use_type, 0, 0, 0, 0, 0))
        outcome.bills += count
        outcome.revenue_now += now_water * count
        outcome.revenue_draft += draft_water * count
        outcome.total_now += now_total * count
        outcome.total_draft += draft_total * count
        change = _percent(draft_total - now_total, now_total) if now_total else Decimal(0)
        counts[_bin(change)] += count
        if use_type == "household" and households == 1 and cycle != "bimonthly":
            household_uses[int(use)] = household_uses.get(int(use), 0) + count
    median = _median(household_uses)
    samples = []
    if now_terms is not None:
        for label, use in [(f"{u}㎥", u) for u in SAMPLE_USES] + ([("중위 가구", median)] if median is not None else []):
            try:
                request = _request("household", 13, 1, use, (), "monthly", False, None)
                samples.append(Sample(label, use, quote(request, [now_terms]).total, quote(request, [draft]).total))
            except QuoteError as error:
                refused[str(error)] = refused.get(str(error), 0)
    cost = tariff_basis.total_cost(year)
    outcomes = [o for o in by_type.values() if o.bills or o.use_type in USE_TYPES]
    revenue_now = sum(o.revenue_now for o in outcomes)
    revenue_draft = sum(o.revenue_draft for o in outcomes)
    return Simulation(year, name, outcomes, samples, median, [(label, counts[i]) for i, (_u, label) in enumerate(BINS)],
                      _percent(revenue_now, cost), _percent(revenue_draft, cost), cost, refused)


def _median(weights: dict[int, int]) -> int | None:
    """The median of values given with their counts (the lower middle for an even count)."""
    total = sum(weights.values())
    if not total:
        return None
    seen = 0
    for value in sorted(weights):
        seen += weights[value]
        if seen * 2 >= total:
            return value
    return None
