"""Budget tables (bind ``budget``): the project structure, budget lines, versions (original and
supplementary budgets) with calculation bases, transfers, execution, the outbox to accounting,
carry-overs and the mid-term plan's assumptions. Amounts are integer won."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from erp.common.clock import utcnow
from erp.common.approvals import ReturnMixin
from erp.common.outbox import OutboxMixin
from erp.extensions import db

BIND = "budget"
Money = sa.BigInteger().with_variant(sa.Integer, "sqlite")


class Project(db.Model):
    """정책사업 → 단위사업 → 세부사업 (level policy / unit / detail)."""

    __tablename__ = "budget_project"
    __bind_key__ = BIND
    __table_args__ = (sa.UniqueConstraint("year", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    level: Mapped[str] = mapped_column(sa.String(10))
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(120))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("budget_project.id"))
    department_code: Mapped[str] = mapped_column(sa.String(20), default="")

    parent: Mapped["Project | None"] = relationship(remote_side=[id])

    def __str__(self) -> str:
        return f"{self.year} {self.code} {self.name}"


class Line(db.Model):
    """A budget line: an expenditure item (편성목-통계목) of a detail project, or a revenue item,
    tied to the accounting account its actuals are posted to."""

    __tablename__ = "budget_line"
    __bind_key__ = BIND
    __table_args__ = (
        sa.UniqueConstraint("year", "code"),
        sa.CheckConstraint("committed >= 0 AND paid >= 0 AND paid <= committed", name="execution"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    code: Mapped[str] = mapped_column(sa.String(40))  # e.g. "R-E-2100-201-01"
    part: Mapped[str] = mapped_column(sa.String(10))  # revenue | capital
    side: Mapped[str] = mapped_column(sa.String(12))  # income | expenditure
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("budget_project.id"))
    item_code: Mapped[str] = mapped_column(sa.String(3))  # 편성목 (or 수입 목)
    sub_code: Mapped[str] = mapped_column(sa.String(2), default="")  # 통계목
    name: Mapped[str] = mapped_column(sa.String(120))
    account_code: Mapped[str] = mapped_column(sa.String(20))
    # Kept current by approvals, transfers and carry-overs; execution checks against it.
    current_amount: Mapped[int] = mapped_column(Money, default=0)
    carried_in: Mapped[int] = mapped_column(Money, default=0)
    committed: Mapped[int] = mapped_column(Money, default=0)  # active commitments (paid included)
    paid: Mapped[int] = mapped_column(Money, default=0)
    carried_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("budget_line.id"))

    project: Mapped[Project | None] = relationship(lazy="joined")

    @property
    def available(self) -> int:
        return self.current_amount - self.committed

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Version(ReturnMixin, db.Model):
    """본예산 (number 0) and 추가경정예산 (1, 2, …) of a year."""

    __tablename__ = "budget_version"
    __bind_key__ = BIND
    __table_args__ = (sa.UniqueConstraint("year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    number: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(10), default="compiling")  # compiling | approved
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column()
    approved_by: Mapped[str] = mapped_column(sa.String(50), default="")

    def __str__(self) -> str:
        return f"{self.year} v{self.number} {self.status}"


class Amount(db.Model):
    """A line's figures in a version: what the department requested and what the office set."""

    __tablename__ = "budget_amount"
    __bind_key__ = BIND

    version_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_version.id"), primary_key=True)
    line_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_line.id"), primary_key=True)
    requested: Mapped[int] = mapped_column(Money, default=0)
    adjusted: Mapped[int | None] = mapped_column(Money)  # None: the office has not adjusted; the request stands
    note: Mapped[str] = mapped_column(sa.String(300), default="")

    @property
    def amount(self) -> int:
        return self.requested if self.adjusted is None else self.adjusted

    def __str__(self) -> str:
        return f"version {self.version_id} line {self.line_id}: {self.requested}/{self.adjusted}"


class Basis(db.Model):
    """산출기초: item × unit price × quantity × months, with text."""

    __tablename__ = "budget_basis"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_version.id"), index=True)
    line_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_line.id"), index=True)
    description: Mapped[str] = mapped_column(sa.String(200))
    unit_price: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    months: Mapped[int] = mapped_column(default=1)
    amount: Mapped[int] = mapped_column(Money)
    created_by: Mapped[str] = mapped_column(sa.String(50), default="")  # the department official who requested it

    def __str__(self) -> str:
        return f"{self.description}: {self.unit_price} × {self.quantity} × {self.months} = {self.amount}"


class Transfer(ReturnMixin, db.Model):
    """이용 (between projects) or 전용 (between items of a project)."""

    __tablename__ = "budget_transfer"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    from_line_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_line.id"))
    to_line_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_line.id"))
    amount: Mapped[int] = mapped_column(Money)
    kind: Mapped[str] = mapped_column(sa.String(10))  # 이용 use | 전용 diversion
    reason: Mapped[str] = mapped_column(sa.String(300))
    status: Mapped[str] = mapped_column(sa.String(10), default="requested")  # requested | approved | rejected
    requested_by: Mapped[str] = mapped_column(sa.String(50), default="")
    decided_by: Mapped[str] = mapped_column(sa.String(50), default="")
    decided_at: Mapped[datetime | None] = mapped_column()

    from_line: Mapped[Line] = relationship(foreign_keys=[from_line_id], lazy="joined")
    to_line: Mapped[Line] = relationship(foreign_keys=[to_line_id], lazy="joined")

    def __str__(self) -> str:
        return f"transfer {self.amount} {self.from_line_id}->{self.to_line_id} {self.status}"


class Commitment(ReturnMixin, db.Model):
    """지출원인행위 (a contract or order) → 지출결의 → 지급, each cancellable before the next. The
    commitment and the resolution are each drafted by one official and approved by another; the
    one waiting for approval can be returned (반려) with a reason."""

    __tablename__ = "budget_commitment"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    line_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_line.id"), index=True)
    committed_on: Mapped[date] = mapped_column()
    vendor: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.String(300))
    amount: Mapped[int] = mapped_column(Money)
    status: Mapped[str] = mapped_column(sa.String(12), default="committed")  # committed | resolved | paid | cancelled
    resolved_on: Mapped[date | None] = mapped_column()
    paid_on: Mapped[date | None] = mapped_column()
    created_by: Mapped[str] = mapped_column(sa.String(50), default="")
    approved_by: Mapped[str] = mapped_column(sa.String(50), default="")  # empty: the commitment awaits approval
    approved_at: Mapped[datetime | None] = mapped_column()
    resolved_by: Mapped[str] = mapped_column(sa.String(50), default="")
    resolution_approved_by: Mapped[str] = mapped_column(sa.String(50), default="")
    resolution_approved_at: Mapped[datetime | None] = mapped_column()

    line: Mapped[Line] = relationship(lazy="joined")

    @property
    def awaiting(self) -> str:
        """What waits for an approver: "commitment", "resolution", or "" (nothing)."""
        if self.status == "committed" and not self.approved_by:
            return "commitment"
        if self.status == "resolved" and not self.resolution_approved_by:
            return "resolution"
        return ""

    def __str__(self) -> str:
        return f"{self.number} {self.amount} {self.status}"


class Outbox(OutboxMixin, db.Model):
    """Payment postings to accounting, written in the budget's own transaction (``erp.common.outbox``)."""

    __tablename__ = "budget_outbox"
    __bind_key__ = BIND

    # Postings refused by accounting (a locked month) are reposted on an open date that the chief
    # accountant approves (accounting's permission, named here as data: no import of accounting).
    repost_dates = {"post_entry": ("request.entry_date", "entry_date_is_open")}
    repost_permission = "budget.execute"
    repost_approve_permission = "accounting.approve"
    relay_job = "budget.relay"


class CarryOver(db.Model):
    """명시이월 (approved in advance) or 사고이월 (committed, unpaid at year end)."""

    __tablename__ = "budget_carryover"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    line_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_line.id"))
    kind: Mapped[str] = mapped_column(sa.String(10))  # explicit | accident
    amount: Mapped[int] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    status: Mapped[str] = mapped_column(sa.String(10), default="requested")  # requested | approved | carried
    target_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("budget_line.id"))

    line: Mapped[Line] = relationship(foreign_keys=[line_id], lazy="joined")

    def __str__(self) -> str:
        return f"carry-over {self.kind} {self.amount} of line {self.line_id}"


class YearEnd(db.Model):
    __tablename__ = "budget_year_end"
    __bind_key__ = BIND

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    processed_by: Mapped[str] = mapped_column(sa.String(50), default="")
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Growth(db.Model):
    """The office's growth assumption for the mid-term plan: per part, or per line."""

    __tablename__ = "budget_growth"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    base_year: Mapped[int] = mapped_column(index=True)
    scope: Mapped[str] = mapped_column(sa.String(40))  # "revenue" | "capital" | a line code
    rate: Mapped[Decimal] = mapped_column(sa.Numeric(6, 4))  # 0.0350 = 3.5 % a year

    def __str__(self) -> str:
        return f"growth {self.base_year} {self.scope} {self.rate}"
