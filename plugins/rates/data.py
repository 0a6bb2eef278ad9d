"""Plain data objects (standard library only) passed across the rates plugin's interface.

Amounts are integer won; dates are ``datetime.date``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class BillInfo:
    """A bill as other plugins see it. ``kind`` is regular, settlement or adjusting; an
    adjusting bill's ``total`` is the difference it makes and ``original_number`` names the bill
    it corrects."""

    number: str
    account_no: str
    holder_name: str
    period: str  # YYYY-MM
    kind: str
    use: int  # ㎥
    total: int
    due_on: date
    original_number: str = ""
