"""요금 산정 기초자료: the basis officials set the water tariff on (총괄원가, 요금 현실화율).

total cost (총괄원가) = operating costs by nature (인건비, 동력비, 약품비, 원수구입비, 수선비,
감가상각비 … — from the books, through the accounting port) + a fair return on the invested
capital (요금기저: the operating fixed assets net of depreciation at year end, from the books,
× a rate that is a setting);
cost per ㎥ = total cost ÷ billed volume; average tariff per ㎥ = water revenue ÷ billed volume
(both from the bills of the year's billing months); cost-recovery ratio (요금 현실화율) = average
tariff ÷ cost per ㎥; shortfall = total cost − water revenue. By use type, each type's average
tariff is set against the one cost per ㎥.

Any figure can be typed over for a what-if (``overrides``); the result says which figures come
from the books or the bills and which were typed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from flask import current_app

from erp import ports
from plugins.rates.repositories import bills as bill_repo
from plugins.rates.services.calculation import USE_TYPES

OPERATING_ASSETS = "122"  # 가동설비자산 (1222 토지 … 1235): the invested capital the return is earned on
OPERATING_ASSETS_HEADER = "1221"
DEFAULT_RETURN_PERCENT = "3.0"  # 적정투자보수율; ERP_RATES_FAIR_RETURN_PERCENT sets the city's


@dataclass
class Figure:
    """One figure of the basis: ``key`` names it for an override; ``source`` is books, bills,
    setting, typed (an override) or computed."""

    key: str
    label: str
    value: int | Decimal
    source: str


@dataclass
class UseTypeLine:
    use_type: str
    label: str
    volume: Figure
    revenue: Figure
    average_tariff: Decimal | None  # won per ㎥
    recovery: Decimal | None  # %


@dataclass
class TariffBasis:
    year: int
    costs: list[Figure]
    operating_cost: int
    capital: Figure
    return_rate: Figure  # per cent
    fair_return: int
    total_cost: int
    volume: int
    revenue: int
    cost_per_m3: Decimal | None
    average_tariff: Decimal | None
    recovery: Decimal | None  # %
    shortfall: int
    by_use_type: list[UseTypeLine] = field(default_factory=list)

    @property
    def typed(self) -> bool:
        figures = self.costs + [self.capital, self.return_rate]
        figures += [f for line in self.by_use_type for f in (line.volume, line.revenue)]
        return any(f.source == "typed" for f in figures)


def _figure(key: str, label: str, value, source: str, overrides: dict) -> Figure:
    if key in overrides and overrides[key] is not None and overrides[key] != value:
        return Figure(key, label, overrides[key], "typed")
    return Figure(key, label, value, source)


def _ratio(numerator, denominator, places: str = "0.01") -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _cost(year: int, overrides: dict):
    """(costs by nature, operating cost, capital, return rate, fair return, total cost) of ``year``."""
    accounting = ports.get("accounting")
    costs = [_figure(f"cost:{line.code}", line.name, line.amount, "books", overrides)
             for line in accounting.costs_by_category(year)]
    capital_books = sum(b.balance for b in accounting.account_balances(year, 12)
                        if b.code.startswith(OPERATING_ASSETS) and b.code != OPERATING_ASSETS_HEADER)
    capital = _figure("capital", "요금기저 (가동설비자산 순액)", capital_books, "books", overrides)
    setting = Decimal(str(current_app.config.get("ERP_RATES_FAIR_RETURN_PERCENT", DEFAULT_RETURN_PERCENT)))
    return_rate = _figure("return_rate", "적정투자보수율 (%)", setting, "setting", overrides)
    operating = sum(int(f.value) for f in costs)
    fair_return = int((Decimal(capital.value) * Decimal(return_rate.value) / 100).to_integral_value(rounding=ROUND_FLOOR))
    return costs, operating, capital, return_rate, fair_return, operating + fair_return


def total_cost(year: int) -> int:
    """총괄원가 of ``year`` from the books (operating costs and the fair return), without the bills."""
    return _cost(year, {})[-1]


def compute(year: int, overrides: dict | None = None) -> TariffBasis:
    """The tariff basis of ``year`` from the books and the bills, with ``overrides`` (figure key
    -> typed value: ``cost:<account code>``, ``capital``, ``return_rate`` (per cent),
    ``volume:<use type>``, ``revenue:<use type>``) taking the place of those figures."""
    overrides = overrides or {}
    costs, operating, capital, return_rate, fair_return, total_cost = _cost(year, overrides)

    billed = bill_repo.volume_and_revenue_by_use_type(year)
    lines = []
    for use_type, label in USE_TYPES.items():
        volume, revenue = billed.get(use_type, (0, 0))
        lines.append(UseTypeLine(use_type, label, _figure(f"volume:{use_type}", label, volume, "bills", overrides),
                                 _figure(f"revenue:{use_type}", label, revenue, "bills", overrides), None, None))
    volume = sum(int(line.volume.value) for line in lines)
    revenue = sum(int(line.revenue.value) for line in lines)
    cost_per_m3 = _ratio(total_cost, volume)
    average = _ratio(revenue, volume)
    for line in lines:
        line.average_tariff = _ratio(line.revenue.value, line.volume.value)
        # average tariff ÷ cost per ㎥, from the unrounded quotients
        line.recovery = _ratio(Decimal(line.revenue.value) * volume * 100, Decimal(line.volume.value) * total_cost) \
            if line.volume.value and total_cost else None
    return TariffBasis(year, costs, operating, capital, return_rate, fair_return, total_cost, volume, revenue,
                       cost_per_m3, average, _ratio(revenue * 100, total_cost) if volume else None, total_cost - revenue, lines)
