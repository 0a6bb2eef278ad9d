"""The mid-term financial plan (중기지방재정계획): five years from next year, per line, from this
year's budget and the growth the budget office assumes."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from flask_babel import gettext as _

from erp.common import tx
from erp.common.tx import transactional
from plugins.budget.models import Growth, Line
from plugins.budget.repositories import budget as repo
from plugins.budget.services.common import refuse

YEARS = 5


@transactional
def set_growth(base_year: int, scope: str, rate_percent) -> Growth:
    """Assume ``rate_percent`` a year for a part ("revenue", "capital") or one line (its code)."""
    try:
        rate = Decimal(str(rate_percent).strip()) / 100
    except (InvalidOperation, ValueError):
        refuse(_("Enter the growth as a percentage, e.g. 3.5."), "rate")
    if not rate.is_finite() or not Decimal("-0.5") <= rate <= Decimal("1"):
        refuse(_("The growth must lie between -50 and 100 per cent."), "rate")
    scope = (scope or "").strip()
    if scope not in ("revenue", "capital") and repo.line_by_code(base_year, scope) is None:
        refuse(_("Choose a part or a line of %(year)d.", year=base_year), "scope")
    existing = next((g for g in repo.growth(base_year) if g.scope == scope), None)
    growth = existing or repo.add(Growth(base_year=base_year, scope=scope, rate=rate))
    growth.rate = rate.quantize(Decimal("0.0001"))
    tx.commit()
    return growth


@dataclass
class PlanRow:
    line: Line
    base: int
    rate: Decimal
    years: list[int]


def plan(base_year: int) -> tuple[list[int], list[PlanRow]]:
    """(the plan's years, one row per line): base × (1 + growth)^n, in whole thousand won."""
    rates = {g.scope: g.rate for g in repo.growth(base_year)}
    years = [base_year + n for n in range(1, YEARS + 1)]
    rows = []
    for line in repo.lines(base_year):
        rate = rates.get(line.code, rates.get(line.part, Decimal(0)))
        amounts = []
        for n in range(1, YEARS + 1):
            value = Decimal(line.current_amount) * (1 + rate) ** n
            amounts.append(int((value / 1000).to_integral_value(rounding=ROUND_FLOOR)) * 1000)
        rows.append(PlanRow(line, line.current_amount, rate, amounts))
    return years, rows
