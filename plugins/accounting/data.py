"""Plain data objects (standard library only) passed across the accounting plugin's interface.

Amounts are integer won. Dates are ``datetime.date``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class PostingLine:
    """One line of an entry: exactly one of ``debit`` and ``credit`` is positive."""

    account_code: str
    debit: int = 0
    credit: int = 0
    memo: str = ""
    department_code: str = ""
    budget_ref: str = ""


@dataclass(frozen=True)
class PostingRequest:
    """A balanced entry another plugin asks to post.

    ``idempotency_key`` makes the request safe to repeat: the same key always returns the entry
    the first request created. ``source`` says where it comes from (``"rates:bill-run:42"``).
    """

    entry_date: date
    memo: str
    lines: tuple[PostingLine, ...]
    idempotency_key: str
    source: str = ""


@dataclass(frozen=True)
class EntryRef:
    id: int
    number: str
    entry_date: date
    total: int
    created: bool  # False when the idempotency key had already been used


@dataclass(frozen=True)
class AccountBalance:
    code: str
    name: str
    account_class: str
    debit: int
    credit: int

    @property
    def balance(self) -> int:
        """Signed on the account's normal side (assets, expenses: debit − credit)."""
        return self.debit - self.credit if self.account_class in ("asset", "expense") else self.credit - self.debit


@dataclass(frozen=True)
class TrialBalanceRow:
    code: str
    name: str
    account_class: str
    level: int
    postable: bool
    debit_total: int
    credit_total: int
    debit_balance: int
    credit_balance: int


@dataclass(frozen=True)
class TrialBalance:
    year: int
    month_from: int
    month_to: int
    rows: tuple[TrialBalanceRow, ...] = field(default_factory=tuple)
    debit_total: int = 0
    credit_total: int = 0

    @property
    def balanced(self) -> bool:
        return self.debit_total == self.credit_total


@dataclass(frozen=True)
class CostLine:
    """Operating cost of one nature (인건비, 동력비, 약품비 …) for a year."""

    code: str
    name: str
    amount: int
