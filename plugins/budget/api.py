"""Public interface of the budget plugin: the only module other plugins may use, through
``erp.ports.get("budget")``. It returns the plain objects of ``data.py`` only.
"""
from __future__ import annotations

from plugins.budget.data import SettlementSection
from plugins.budget.services import reports

__all__ = ["settlement_section"]


def settlement_section(year: int) -> SettlementSection:
    """예산결산 of ``year`` for the accounting settlement report: income and expenditure budget
    against actual, in the shape of a statement (title, columns, sections, totals)."""
    return reports.settlement_section(year)
