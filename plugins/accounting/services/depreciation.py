"""How much an asset depreciates each month: straight-line or declining balance (정률법).

Pure functions over plain numbers, so the figures can be checked by hand. Amounts are whole won;
each month's amount is the difference of cumulative amounts truncated to whole won, so the
months add up exactly to the depreciable amount (no drift).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

METHODS = ("straight_line", "declining_balance")
# 정률법 rates are computed as 1 − (residual share)^(1/life) with the residual share at least 5 %
# of cost (법인세법 시행규칙 별표 상각률표: 5 years 0.451, 10 years 0.259, 20 years 0.140 …).
MIN_RESIDUAL_SHARE = Decimal("0.05")


@dataclass(frozen=True)
class AssetTerms:
    acquired_on: date
    cost: int
    residual_value: int
    useful_life_years: int
    method: str


def months_since_acquisition(terms: AssetTerms, year: int, month: int) -> int:
    """1 for the month of acquisition (depreciation counts from it), 0 before it."""
    return max(0, (year - terms.acquired_on.year) * 12 + month - terms.acquired_on.month + 1)


def declining_rate(terms: AssetTerms) -> Decimal:
    share = max(Decimal(terms.residual_value) / Decimal(terms.cost), MIN_RESIDUAL_SHARE)
    rate = 1 - share ** (Decimal(1) / Decimal(terms.useful_life_years))
    return rate.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def accumulated_to(terms: AssetTerms, year: int, month: int) -> int:
    """Depreciation accumulated from acquisition to the end of ``month`` of ``year``."""
    k = months_since_acquisition(terms, year, month)
    life_months = terms.useful_life_years * 12
    depreciable = terms.cost - terms.residual_value
    if k <= 0 or depreciable <= 0:
        return 0
    if k >= life_months:
        return depreciable
    if terms.method == "straight_line":
        return depreciable * k // life_months
    return _declining_accumulated(terms, year, month)


def _declining_accumulated(terms: AssetTerms, year: int, month: int) -> int:
    """정률법: each fiscal year, the book value at its start × rate, spread evenly over the months
    the asset is in use that year; the last year of the life writes the book value down to the
    residual value."""
    rate = declining_rate(terms)
    depreciable = terms.cost - terms.residual_value
    end_index = terms.acquired_on.year * 12 + terms.acquired_on.month - 1 + terms.useful_life_years * 12 - 1
    accumulated = 0
    for y in range(terms.acquired_on.year, year + 1):
        first = terms.acquired_on.month if y == terms.acquired_on.year else 1
        last = min(12, end_index - y * 12 + 1)
        months_in_use = last - first + 1
        if last < 12 or end_index == y * 12 + 11:  # the life ends in this year
            annual = depreciable - accumulated
        else:
            annual = int((Decimal(terms.cost - accumulated) * rate * months_in_use / 12).to_integral_value(rounding="ROUND_FLOOR"))
        if y < year:
            accumulated += annual
        else:
            accumulated += annual * min(month - first + 1, months_in_use) // months_in_use
    return min(accumulated, depreciable)


def monthly_amount(terms: AssetTerms, year: int, month: int) -> int:
    """Depreciation of ``month`` of ``year``."""
    previous_year, previous_month = (year, month - 1) if month > 1 else (year - 1, 12)
    return accumulated_to(terms, year, month) - accumulated_to(terms, previous_year, previous_month)


def schedule(terms: AssetTerms) -> list[tuple[int, int, int, int]]:
    """(year, depreciation of the year, accumulated at its end, book value at its end) for each
    year of the asset's life."""
    rows = []
    last_year = terms.acquired_on.year + terms.useful_life_years
    for y in range(terms.acquired_on.year, last_year + 1):
        before = accumulated_to(terms, y - 1, 12)
        after = accumulated_to(terms, y, 12)
        if after == before and y > terms.acquired_on.year:
            break
        rows.append((y, after - before, after, terms.cost - after))
    return rows
