"""Budget reports: budget against actual by line, department or project; revenue budget against
revenue posted in accounting; the budget settlement (예산결산) for the settlement report."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from erp.ports import PortError, get as port
from plugins.budget.data import SectionLine, SettlementSection
from plugins.budget.repositories import budget as repo


@dataclass
class ActualRow:
    key: str
    name: str
    budget: int
    committed: int
    paid: int

    @property
    def balance(self) -> int:
        return self.budget - self.committed

    @property
    def rate(self) -> float:
        """Execution rate: paid ÷ budget, in per cent (one decimal)."""
        return round(self.paid * 100 / self.budget, 1) if self.budget else 0.0


def budget_vs_actual(year: int, by: str = "line") -> list[ActualRow]:
    """Expenditure budget, committed, paid, balance and execution rate, per line, department or project."""
    groups: dict[str, ActualRow] = {}
    for line in repo.lines(year, side="expenditure"):
        if by == "department":
            key = line.project.department_code if line.project else ""
            name = key
        elif by == "project":
            key = line.project.code if line.project else ""
            name = line.project.name if line.project else ""
        else:
            key, name = line.code, line.name
        row = groups.setdefault(key, ActualRow(key, name, 0, 0, 0))
        row.budget += line.current_amount
        row.committed += line.committed
        row.paid += line.paid
    return list(groups.values())


@dataclass
class RevenueRow:
    code: str
    name: str
    account_code: str
    budget: int
    actual: int | None  # None when accounting is not reachable from here

    @property
    def rate(self) -> float | None:
        if self.actual is None or not self.budget:
            return None
        return round(self.actual * 100 / self.budget, 1)


def revenue_vs_actual(year: int) -> list[RevenueRow]:
    """Revenue budget against the revenue posted in accounting for the same accounts."""
    lines = repo.lines(year, side="income")
    try:
        balances = {b.code: b.balance for b in port("accounting").account_balances(year, 12, [l.account_code for l in lines])}
    except PortError:
        balances = None
    return [RevenueRow(l.code, l.name, l.account_code, l.current_amount,
                       None if balances is None else balances.get(l.account_code, 0)) for l in lines]


def settlement_section(year: int) -> SettlementSection:
    """예산결산: each part's income and expenditure budget against its actual."""
    section = SettlementSection(_("Budget settlement"), [_("Budget"), _("Actual"), _("Difference")])
    revenue = revenue_vs_actual(year)
    income_lines = [SectionLine(r.code, r.name, 1, [r.budget, r.actual or 0, r.budget - (r.actual or 0)]) for r in revenue]
    income_total = [sum(r.budget for r in revenue), sum(r.actual or 0 for r in revenue)]
    income_total.append(income_total[0] - income_total[1])
    spent = budget_vs_actual(year, "line")
    expenditure_lines = [SectionLine(r.key, r.name, 1, [r.budget, r.paid, r.budget - r.paid]) for r in spent]
    spent_total = [sum(r.budget for r in spent), sum(r.paid for r in spent)]
    spent_total.append(spent_total[0] - spent_total[1])
    section.sections = [(_("Income"), income_lines, income_total), (_("Expenditure"), expenditure_lines, spent_total)]
    section.totals = [(_("Income less expenditure"), [i - e for i, e in zip(income_total, spent_total)])]
    return section
