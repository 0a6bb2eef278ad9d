"""The budget plugin's public interface as a type: what ``erp.ports.get("budget")`` offers, in
process (``plugins.budget.api``) and over HTTP (``plugins.budget.rest``) alike."""
from __future__ import annotations

from typing import Protocol

from erp.ports import idempotent
from plugins.budget.data import SettlementSection


class BudgetPort(Protocol):
    @idempotent
    def settlement_section(self, year: int) -> SettlementSection:
        """예산결산 of ``year`` for the accounting settlement report."""
