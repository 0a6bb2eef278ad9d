"""The accounting plugin's public interface as a type: what ``erp.ports.get("accounting")`` offers,
in process (``plugins.accounting.api``) and over HTTP (``plugins.accounting.rest``) alike.

Only ``data.py`` objects, dates and plain values cross it. Every operation is idempotent: the
reads trivially, ``post_entry`` through its request's idempotency key (required: an empty key is
refused).
"""
from __future__ import annotations

from datetime import date
from typing import Protocol

from erp.ports import idempotent
from plugins.accounting.data import AccountBalance, CostLine, EntryRef, PostingRequest, TrialBalance


class AccountingPort(Protocol):
    @idempotent(key="request.idempotency_key")
    def post_entry(self, request: PostingRequest) -> EntryRef:
        """Post a balanced entry; the same idempotency key twice returns the first entry
        (``created=False``). Refusals raise ``ServiceError``."""

    @idempotent
    def account_balances(self, year: int, month_to: int = 12, codes: list[str] | None = None) -> list[AccountBalance]:
        """Posted debits and credits per postable account of ``year`` up to ``month_to``."""

    @idempotent
    def costs_by_category(self, year: int) -> list[CostLine]:
        """Operating costs of ``year`` by nature, for the tariff-setting basis."""

    @idempotent
    def trial_balance(self, year: int, month_from: int = 1, month_to: int = 12) -> TrialBalance:
        """합계잔액시산표 for months of ``year``."""

    @idempotent
    def entry_date_is_open(self, day: date) -> bool:
        """Whether an entry dated ``day`` could be posted."""
