"""The rates plugin's public interface as a type: what ``erp.ports.get("rates")`` offers, in
process (``plugins.rates.api``) and over HTTP (``plugins.rates.rest``) alike.

The reads are idempotent. The operations that issue a bill are idempotent only when they carry a
``reference`` (a complaint's receipt number): the same reference returns the first bill; without
one each call issues a new bill, so such a call is never sent twice.
"""
from __future__ import annotations

from datetime import date
from typing import Protocol

from erp.ports import idempotent
from plugins.rates.data import BillInfo


class RatesPort(Protocol):
    @idempotent
    def account_number(self, route_code: str, sequence: int) -> str:
        """The account number (with its check digit) of customer ``sequence`` on a route."""

    @idempotent
    def bill(self, number: str) -> BillInfo | None:
        """The bill with this notice number, if it was issued."""

    @idempotent
    def latest_bill(self, account_no: str) -> BillInfo | None:
        """The customer's latest regular or settlement bill."""

    @idempotent(key="reference")
    def adjust_bill(self, number: str, *, corrected_use: int | None, reason: str, reference: str) -> BillInfo:
        """An adjusting bill for the bill ``number`` with the corrected use (objection upheld)."""

    @idempotent(key="reference")
    def leak_reduction(self, number: str, *, reason: str, reference: str) -> BillInfo:
        """The leak reduction of the bill ``number``, as an adjusting bill."""

    @idempotent(key="reference")
    def settle_move_out(self, account_no: str, *, on: date, final_reading: int, reference: str) -> BillInfo:
        """The final reading, the move-out and the settlement bill of the customer."""
