"""Rates tables of collection beyond payments: write-offs of lapsed claims (결손처분) and the
payments recognised on them later, refunds of customers' credits (환불), the citizens' bill
inquiry (its failed look-ups, counted for the rate limit) and their applications for e-billing
or auto-debit."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from erp.common.clock import utcnow
from erp.extensions import PRECISE_DATETIME, db

BIND = "rates"


class WriteOff(db.Model):
    """A write-off proposal (결손처분 결의): drafted by a rates clerk, approved by the chief
    accountant (never the drafter), then posted to accounting. Its bills stay as issued, so a
    payment that arrives later is still matched to them (and booked as a recovery)."""

    __tablename__ = "rates_write_off"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    cutoff: Mapped[date] = mapped_column()  # bills due on or before this day had lapsed
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")  # draft | approved | withdrawn
    total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    drafted_by_id: Mapped[int | None] = mapped_column()
    drafted_by: Mapped[str] = mapped_column(sa.String(50), default="")
    drafted_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column()
    approved_by: Mapped[str] = mapped_column(sa.String(50), default="")
    approved_on: Mapped[date | None] = mapped_column()  # the entry's date (Korea's)
    approved_at: Mapped[datetime | None] = mapped_column(PRECISE_DATETIME)  # payments recorded from then on are recoveries
    posting_key: Mapped[str] = mapped_column(sa.String(120), default="")

    bills: Mapped[list["WriteOffBill"]] = relationship(back_populates="write_off", cascade="all, delete-orphan",
                                                       order_by="WriteOffBill.id")

    def __str__(self) -> str:
        return f"{self.number} {self.status} {self.total}"


class WriteOffBill(db.Model):
    """A bill in a write-off and the balance written off."""

    __tablename__ = "rates_write_off_bill"
    __bind_key__ = BIND
    __audit__ = False  # recorded with its write-off
    __table_args__ = (sa.UniqueConstraint("write_off_id", "bill_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    write_off_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_write_off.id", ondelete="CASCADE"))
    bill_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_bill.id"), index=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    late: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # of the amount, the open late charges (가산금)

    write_off: Mapped[WriteOff] = relationship(back_populates="bills")
    bill = relationship("Bill")


class WriteOffRecovery(db.Model):
    """A payment (or its reversal) applied to a written-off bill after the write-off, booked as a
    recovery (the allowance restored) once — the payment's id is its identity."""

    __tablename__ = "rates_write_off_recovery"
    __bind_key__ = BIND
    __audit__ = False  # derived from the payment, which is recorded

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_payment.id"), unique=True)
    bill_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_bill.id"), index=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    recovered_on: Mapped[date] = mapped_column()
    posting_key: Mapped[str] = mapped_column(sa.String(120), default="")


class Refund(db.Model):
    """A refund (환불) of a customer's credit: listed for payment (the credit is taken off at once,
    by a payment line of kind ``refund``), then paid out to a bank account and posted."""

    __tablename__ = "rates_refund"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_customer.id"), index=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    bank: Mapped[str] = mapped_column(sa.String(40), default="")
    account: Mapped[str] = mapped_column(sa.String(40), default="")
    holder: Mapped[str] = mapped_column(sa.String(100), default="")
    status: Mapped[str] = mapped_column(sa.String(10), default="listed", index=True)  # listed | paid
    listed_by: Mapped[str] = mapped_column(sa.String(50), default="")
    listed_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_on: Mapped[date | None] = mapped_column()
    paid_by: Mapped[str] = mapped_column(sa.String(50), default="")
    posting_key: Mapped[str] = mapped_column(sa.String(120), default="")

    customer = relationship("Customer")

    def __str__(self) -> str:
        return f"refund {self.id} {self.amount} {self.status}"


class Application(db.Model):
    """A citizen's application, after a successful inquiry: e-billing (전자고지, to an e-mail
    address) or auto-debit (자동이체: bank, account, account holder); a clerk processes it."""

    __tablename__ = "rates_application"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_customer.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # e_billing | auto_debit
    email: Mapped[str] = mapped_column(sa.String(200), default="")
    bank: Mapped[str] = mapped_column(sa.String(40), default="")
    account: Mapped[str] = mapped_column(sa.String(40), default="", info={"audit": "redact"})
    holder: Mapped[str] = mapped_column(sa.String(100), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    status: Mapped[str] = mapped_column(sa.String(10), default="received", index=True)  # received | done | refused
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_by: Mapped[str] = mapped_column(sa.String(50), default="")
    processed_at: Mapped[datetime | None] = mapped_column()

    customer = relationship("Customer")

    def __str__(self) -> str:
        return f"application {self.id} {self.kind} {self.status}"
