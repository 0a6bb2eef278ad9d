"""Accounting tables (bind ``accounting``): chart of accounts, journal entries and lines, monthly
balances, periods and fiscal years. Amounts are integer won (BIGINT)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from erp.common.approvals import ReturnMixin
from erp.common.clock import utcnow
from erp.extensions import db

BIND = "accounting"
Money = sa.BigInteger().with_variant(sa.Integer, "sqlite")

CLASSES = ("asset", "liability", "capital", "revenue", "expense")
SIDES = ("debit", "credit")


class Account(db.Model):
    __tablename__ = "accounting_account"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(150), default="")
    account_class: Mapped[str] = mapped_column(sa.String(10), index=True)
    normal_side: Mapped[str] = mapped_column(sa.String(6))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounting_account.id"))
    postable: Mapped[bool] = mapped_column(default=True)  # header accounts only sum their children
    active: Mapped[bool] = mapped_column(default=True)
    sort_key: Mapped[str] = mapped_column(sa.String(60), default="")

    parent: Mapped["Account | None"] = relationship(remote_side=[id])

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class JournalEntry(ReturnMixin, db.Model):
    """A journal entry (전표): a draft awaits the chief accountant's approval, which posts it; a draft
    can be returned (반려) to its drafter with a reason."""

    __tablename__ = "accounting_entry"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(sa.String(20), unique=True)  # given at posting
    entry_date: Mapped[date] = mapped_column(index=True)
    memo: Mapped[str] = mapped_column(sa.String(300))
    status: Mapped[str] = mapped_column(sa.String(10), index=True)  # draft | posted
    kind: Mapped[str] = mapped_column(sa.String(10), default="normal")  # normal | reversal | closing | opening
    source: Mapped[str] = mapped_column(sa.String(80), default="")  # e.g. "rates:bill-run:42"
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounting_entry.id"), unique=True)
    total: Mapped[int] = mapped_column(Money, default=0)
    created_by: Mapped[str] = mapped_column(sa.String(50), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    posted_by: Mapped[str | None] = mapped_column(sa.String(50))
    posted_at: Mapped[datetime | None] = mapped_column()

    lines: Mapped[list["JournalLine"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="JournalLine.line_no", lazy="selectin"
    )
    reverses: Mapped["JournalEntry | None"] = relationship(remote_side=[id], foreign_keys=[reverses_id])

    def __str__(self) -> str:
        return f"{self.number or 'draft'} {self.entry_date} {self.memo}"


class JournalLine(db.Model):
    __tablename__ = "accounting_line"
    __bind_key__ = BIND
    __audit__ = False  # recorded as part of their entry's audit record
    __table_args__ = (
        sa.CheckConstraint("debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0)", name="one_side"),
        sa.Index("ix_accounting_line_account_date", "account_id", "entry_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("accounting_entry.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column()
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounting_account.id"))
    debit: Mapped[int] = mapped_column(Money, default=0)
    credit: Mapped[int] = mapped_column(Money, default=0)
    memo: Mapped[str] = mapped_column(sa.String(200), default="")
    department_code: Mapped[str] = mapped_column(sa.String(20), default="")
    budget_ref: Mapped[str] = mapped_column(sa.String(60), default="")
    entry_date: Mapped[date] = mapped_column()  # copied from the entry so ledgers read one table

    entry: Mapped[JournalEntry] = relationship(back_populates="lines")
    account: Mapped[Account] = relationship(lazy="joined")


class MonthlyBalance(db.Model):
    """Posted debits and credits per account and month, kept at posting time so that trial
    balances and statements read a few thousand rows instead of millions of lines."""

    __tablename__ = "accounting_balance"
    __bind_key__ = BIND
    __audit__ = False

    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounting_account.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    debit: Mapped[int] = mapped_column(Money, default=0)
    credit: Mapped[int] = mapped_column(Money, default=0)


class Period(db.Model):
    """A month that can be locked; a month with no row is open."""

    __tablename__ = "accounting_period"
    __bind_key__ = BIND

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    locked: Mapped[bool] = mapped_column(default=False)
    changed_by: Mapped[str] = mapped_column(sa.String(50), default="")
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} {'locked' if self.locked else 'open'}"


class FiscalYear(db.Model):
    __tablename__ = "accounting_year"
    __bind_key__ = BIND

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    closed: Mapped[bool] = mapped_column(default=False)
    closing_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounting_entry.id"))
    opening_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounting_entry.id"))
    closed_by: Mapped[str] = mapped_column(sa.String(50), default="")
    closed_at: Mapped[datetime | None] = mapped_column()

    def __str__(self) -> str:
        return f"{self.year} {'closed' if self.closed else 'open'}"


class FixedAsset(db.Model):
    """A fixed asset (pipes, treatment plant, pumps, meters, vehicles …)."""

    __tablename__ = "accounting_asset"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    category: Mapped[str] = mapped_column(sa.String(20))
    acquired_on: Mapped[date] = mapped_column()
    cost: Mapped[int] = mapped_column(Money)
    residual_value: Mapped[int] = mapped_column(Money, default=0)
    useful_life_years: Mapped[int] = mapped_column()
    method: Mapped[str] = mapped_column(sa.String(20))  # straight_line | declining_balance
    department_code: Mapped[str] = mapped_column(sa.String(20), default="")
    status: Mapped[str] = mapped_column(sa.String(10), default="active")  # active | disposed
    disposed_on: Mapped[date | None] = mapped_column()
    disposal_proceeds: Mapped[int | None] = mapped_column(Money)
    acquisition_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounting_entry.id"))
    disposal_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounting_entry.id"))

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Depreciation(db.Model):
    """One month's depreciation of one asset, posted by that month's run."""

    __tablename__ = "accounting_depreciation"
    __bind_key__ = BIND
    __audit__ = False  # the run's entry is audited

    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("accounting_asset.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    amount: Mapped[int] = mapped_column(Money)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("accounting_entry.id"))


class DepreciationRun(db.Model):
    """A month's depreciation run; its primary key makes a second run of the month a no-op."""

    __tablename__ = "accounting_depreciation_run"
    __bind_key__ = BIND

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounting_entry.id"))
    total: Mapped[int] = mapped_column(Money, default=0)
    assets: Mapped[int] = mapped_column(default=0)
    run_by: Mapped[str] = mapped_column(sa.String(50), default="")
    run_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __str__(self) -> str:
        return f"depreciation {self.year}-{self.month:02d}"
