"""Rates tables (bind ``rates``): tariffs as versions with effective dates, their blocks per
service and use type, meter charges per diameter, and reduction rules."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from erp.common.clock import utcnow
from erp.common.outbox import OutboxMixin
from erp.extensions import PRECISE_DATETIME, db

BIND = "rates"
Price = sa.Numeric(12, 2)


class Tariff(db.Model):
    """A tariff version: in force from ``effective_from`` until the next version's date."""

    __tablename__ = "rates_tariff"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    source: Mapped[str] = mapped_column(sa.String(300), default="")
    rounding: Mapped[str] = mapped_column(sa.String(10), default="line")  # line | total
    water_use_rate: Mapped[Decimal] = mapped_column(Price, default=Decimal("170"))
    mixed_household_volume: Mapped[int] = mapped_column(default=15)
    late_rate: Mapped[Decimal] = mapped_column(sa.Numeric(6, 4), default=Decimal("0.03"))
    # Arrears settings of the ordinance (services/arrears.py): the monthly addition (0: none) for
    # up to ``late_monthly_months`` months on a bill owing at least ``late_monthly_threshold`` won;
    # the disconnection notice after that many months overdue or that amount (0: not by amount),
    # never for customers holding one of ``protected_reductions``; a reminder's new due date
    # ``reminder_days`` after it is printed; an instalment unpaid ``instalment_grace_days`` after
    # its date ends the plan; with ``reminder_required``, a customer is listed for a disconnection
    # notice only once a reminder (독촉장) has been issued and its new due date has passed.
    late_monthly_rate: Mapped[Decimal] = mapped_column(sa.Numeric(6, 4), default=Decimal("0"))
    late_monthly_months: Mapped[int] = mapped_column(default=60)
    late_monthly_threshold: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    disconnect_months: Mapped[int] = mapped_column(default=3)
    disconnect_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    protected_reductions: Mapped[str] = mapped_column(sa.String(100), default="WELFARE")
    reminder_days: Mapped[int] = mapped_column(default=10)
    instalment_grace_days: Mapped[int] = mapped_column(default=0)
    reminder_required: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(50), default="")

    blocks: Mapped[list["Block"]] = relationship(back_populates="tariff", cascade="all, delete-orphan",
                                                 order_by="Block.service, Block.use_type, Block.upper")
    meter_charges: Mapped[list["MeterCharge"]] = relationship(back_populates="tariff", cascade="all, delete-orphan",
                                                              order_by="MeterCharge.diameter")
    reductions: Mapped[list["ReductionRule"]] = relationship(back_populates="tariff", cascade="all, delete-orphan",
                                                             order_by="ReductionRule.code")

    def __str__(self) -> str:
        return f"{self.effective_from} {self.name}"


class Block(db.Model):
    """Use up to ``upper`` ㎥ (None: and above) is charged ``unit_price`` won per ㎥."""

    __tablename__ = "rates_block"
    __bind_key__ = BIND
    __audit__ = False  # recorded with the tariff version that holds it

    id: Mapped[int] = mapped_column(primary_key=True)
    tariff_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_tariff.id", ondelete="CASCADE"), index=True)
    service: Mapped[str] = mapped_column(sa.String(10))  # water | sewer
    use_type: Mapped[str] = mapped_column(sa.String(20))
    upper: Mapped[int | None] = mapped_column()
    unit_price: Mapped[Decimal] = mapped_column(Price)

    tariff: Mapped[Tariff] = relationship(back_populates="blocks")


class MeterCharge(db.Model):
    __tablename__ = "rates_meter_charge"
    __bind_key__ = BIND
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    tariff_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_tariff.id", ondelete="CASCADE"), index=True)
    diameter: Mapped[int] = mapped_column()
    amount: Mapped[int] = mapped_column()

    tariff: Mapped[Tariff] = relationship(back_populates="meter_charges")


class ReductionRule(db.Model):
    """A reduction kind: ``volume`` (㎥ off before blocks), ``percent`` (off the charges) or
    ``leak`` (a share of the use above the recent average)."""

    __tablename__ = "rates_reduction_rule"
    __bind_key__ = BIND
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    tariff_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_tariff.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(10))
    value: Mapped[Decimal] = mapped_column(sa.Numeric(8, 2))
    applies_to: Mapped[str] = mapped_column(sa.String(10), default="both")  # water | sewer | both

    tariff: Mapped[Tariff] = relationship(back_populates="reductions")


class Customer(db.Model):
    """A water customer (수용가): one metered supply point and its holder."""

    __tablename__ = "rates_customer"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    account_no: Mapped[str] = mapped_column(sa.String(14), unique=True)  # RRRR-NNNNN-C, C a Luhn check digit
    holder_name: Mapped[str] = mapped_column(sa.String(100), index=True)
    phone: Mapped[str] = mapped_column(sa.String(20), default="")  # the holder's, for the citizens' bill inquiry
    address: Mapped[str] = mapped_column(sa.String(300), index=True)
    use_type: Mapped[str] = mapped_column(sa.String(20))
    households: Mapped[int] = mapped_column(default=1)
    mixed: Mapped[bool] = mapped_column(default=False)
    cycle: Mapped[str] = mapped_column(sa.String(10), default="monthly")  # monthly | bimonthly
    route_code: Mapped[str] = mapped_column(sa.String(10), index=True)
    e_billing: Mapped[bool] = mapped_column(default=False)
    auto_debit: Mapped[bool] = mapped_column(default=False)
    virtual_account: Mapped[str] = mapped_column(sa.String(40), default="", index=True)
    water_use_rate: Mapped[Decimal | None] = mapped_column(Price)
    status: Mapped[str] = mapped_column(sa.String(10), default="active")  # active | moved_out
    moved_in_on: Mapped[date | None] = mapped_column()
    moved_out_on: Mapped[date | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meters: Mapped[list["Meter"]] = relationship(back_populates="customer", order_by="Meter.installed_on")
    reductions: Mapped[list["CustomerReduction"]] = relationship(back_populates="customer", cascade="all, delete-orphan",
                                                                 order_by="CustomerReduction.valid_from")
    history: Mapped[list["CustomerEvent"]] = relationship(back_populates="customer", cascade="all, delete-orphan",
                                                          order_by="CustomerEvent.id")

    def __str__(self) -> str:
        return f"{self.account_no} {self.holder_name}"


class CustomerReduction(db.Model):
    """A reduction granted to a customer, with its validity and the evidence seen."""

    __tablename__ = "rates_customer_reduction"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_customer.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    valid_from: Mapped[date] = mapped_column()
    valid_to: Mapped[date | None] = mapped_column()
    evidence: Mapped[str] = mapped_column(sa.String(300), default="")

    customer: Mapped[Customer] = relationship(back_populates="reductions")

    def __str__(self) -> str:
        return f"{self.code} {self.valid_from}~{self.valid_to or ''}"


class CustomerEvent(db.Model):
    """The customer's history: holder changes, moves in and out."""

    __tablename__ = "rates_customer_event"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_customer.id", ondelete="CASCADE"), index=True)
    on: Mapped[date] = mapped_column()
    kind: Mapped[str] = mapped_column(sa.String(20))  # holder_change | move_in | move_out
    before: Mapped[str] = mapped_column(sa.String(100), default="")
    after: Mapped[str] = mapped_column(sa.String(100), default="")
    note: Mapped[str] = mapped_column(sa.String(300), default="")

    customer: Mapped[Customer] = relationship(back_populates="history")

    def __str__(self) -> str:
        return f"{self.kind} {self.on}"


class Meter(db.Model):
    __tablename__ = "rates_meter"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_customer.id"), index=True)
    serial: Mapped[str] = mapped_column(sa.String(30), unique=True)
    diameter: Mapped[int] = mapped_column()
    installed_on: Mapped[date] = mapped_column()
    start_reading: Mapped[int] = mapped_column(default=0)
    removed_on: Mapped[date | None] = mapped_column()
    final_reading: Mapped[int | None] = mapped_column()
    max_reading: Mapped[int] = mapped_column(default=99999)  # the dial rolls over after this

    customer: Mapped[Customer] = relationship(back_populates="meters")

    def __str__(self) -> str:
        return f"{self.serial} {self.diameter}mm"


class Reading(db.Model):
    """A meter reading (검침) and the use it gives since the previous one."""

    __tablename__ = "rates_reading"
    __bind_key__ = BIND
    __table_args__ = (sa.UniqueConstraint("meter_id", "read_on"), sa.Index("ix_rates_reading_customer_read_on", "customer_id", "read_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_customer.id"), index=True)
    meter_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_meter.id"), index=True)
    read_on: Mapped[date] = mapped_column(index=True)
    value: Mapped[int] = mapped_column()
    use: Mapped[int] = mapped_column()
    rollover: Mapped[bool] = mapped_column(default=False)
    flag: Mapped[str] = mapped_column(sa.String(10), default="")  # "" | zero | high
    held: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(sa.String(10), default="reader")  # reader | csv | ami
    entered_by: Mapped[str] = mapped_column(sa.String(50), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship()

    def __str__(self) -> str:
        return f"{self.read_on} {self.value} (+{self.use})"


class RouteAssignment(db.Model):
    """Which meter reader reads a route (검침 구역). A route has one reader at a time; the reader
    is a core user, named here as they were when assigned."""

    __tablename__ = "rates_route_assignment"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    route_code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    reader_id: Mapped[int] = mapped_column(index=True)
    reader_name: Mapped[str] = mapped_column(sa.String(100))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by: Mapped[str] = mapped_column(sa.String(50), default="")

    def __str__(self) -> str:
        return f"{self.route_code} {self.reader_name}"


class AmiDevice(db.Model):
    """A smart-meter head-end (AMI) allowed to send readings; only the token's hash is kept."""

    __tablename__ = "rates_ami_device"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, info={"audit": "redact"})
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rotated_at: Mapped[datetime | None] = mapped_column()  # when the token was last replaced
    revoked_at: Mapped[datetime | None] = mapped_column()

    scope: Mapped[list["AmiScope"]] = relationship(back_populates="device", cascade="all, delete-orphan",
                                                   order_by="(AmiScope.kind, AmiScope.value)")

    def __str__(self) -> str:
        return self.name


class AmiScope(db.Model):
    """What a device may report: one meter (by serial) or every meter on a route. A device with
    no scope reports nothing."""

    __tablename__ = "rates_ami_scope"
    __bind_key__ = BIND
    __table_args__ = (sa.UniqueConstraint("device_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_ami_device.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # meter | route
    value: Mapped[str] = mapped_column(sa.String(30))

    device: Mapped[AmiDevice] = relationship(back_populates="scope")

    def __str__(self) -> str:
        return f"{self.kind} {self.value}"


class AmiBatch(db.Model):
    """A batch a device sent, by its idempotency key, with the answer given: a retry of the same
    batch gets the same answer and records nothing again."""

    __tablename__ = "rates_ami_batch"
    __bind_key__ = BIND
    __audit__ = False  # the readings it recorded are audited themselves
    __table_args__ = (sa.UniqueConstraint("device_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_ami_device.id", ondelete="CASCADE"), index=True)
    idempotency_key: Mapped[str] = mapped_column(sa.String(100))
    body_hash: Mapped[str] = mapped_column(sa.String(64))
    answer: Mapped[str] = mapped_column(sa.Text)  # the JSON answered
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class BillRun(db.Model):
    """정기부과: one billing of a period and cycle (optionally one route). Its progress is kept
    here, so a run that was interrupted is resumed where it stopped."""

    __tablename__ = "rates_bill_run"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(sa.String(7), index=True)  # YYYY-MM, the first month billed
    cycle: Mapped[str] = mapped_column(sa.String(10))
    route_code: Mapped[str] = mapped_column(sa.String(10), default="")  # "" = every route
    period_start: Mapped[date] = mapped_column()
    period_end: Mapped[date] = mapped_column()
    issued_on: Mapped[date] = mapped_column()
    due_on: Mapped[date] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(10), default="running")  # running | finished
    expected: Mapped[int] = mapped_column(default=0)  # customers in scope when the run started
    billed: Mapped[int] = mapped_column(default=0)
    total_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    started_by: Mapped[str] = mapped_column(sa.String(50), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()

    def __str__(self) -> str:
        return f"{self.period} {self.cycle} {self.route_code or '*'} {self.status}"


class RunProfile(db.Model):
    """What a finished bill run billed, grouped by everything the tariff charges on: how many
    regular bills of each (use type, meter, households, use, reductions, cycle, mixed meter, own
    water-use rate). Written once when the run finishes; the tariff simulation reads a year of it
    instead of every bill."""

    __tablename__ = "rates_run_profile"
    __bind_key__ = BIND
    __audit__ = False  # derived from the bills, which are audited by their run

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_bill_run.id"), index=True)
    use_type: Mapped[str] = mapped_column(sa.String(20))
    diameter: Mapped[int] = mapped_column()
    households: Mapped[int] = mapped_column()
    use: Mapped[int] = mapped_column()
    reductions: Mapped[str] = mapped_column(sa.String(60), default="")
    cycle: Mapped[str] = mapped_column(sa.String(10))
    mixed: Mapped[bool] = mapped_column(default=False)
    water_use_rate: Mapped[Decimal | None] = mapped_column(Price)
    bills: Mapped[int] = mapped_column()


class Bill(db.Model):
    """A bill (고지서) as issued; never edited. Its charge lines are columns, the fixed set a
    Korean water bill prints, so a run writes one row per bill. A correction is an ``adjusting``
    bill holding the differences and naming the original."""

    __tablename__ = "rates_bill"
    __bind_key__ = BIND
    __audit__ = False  # written in bulk by a run: the run is audited, and an issued bill never changes
    __table_args__ = (sa.UniqueConstraint("customer_id", "period", "kind", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(30), unique=True)  # 고지번호
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rates_bill_run.id"), index=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_customer.id"))  # indexed first in the unique key
    period: Mapped[str] = mapped_column(sa.String(7))
    kind: Mapped[str] = mapped_column(sa.String(10), default="regular")  # regular | settlement | adjusting
    reference: Mapped[str] = mapped_column(sa.String(40), default="")  # what an adjusting bill answers
    original_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rates_bill.id"))
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    use_type: Mapped[str] = mapped_column(sa.String(20))
    diameter: Mapped[int] = mapped_column()
    households: Mapped[int] = mapped_column(default=1)
    period_start: Mapped[date] = mapped_column()
    period_end: Mapped[date] = mapped_column()
    read_on: Mapped[date | None] = mapped_column()
    issued_on: Mapped[date] = mapped_column()
    due_on: Mapped[date] = mapped_column()
    prev_reading: Mapped[int] = mapped_column(default=0)
    curr_reading: Mapped[int] = mapped_column(default=0)
    use: Mapped[int] = mapped_column(default=0)
    reductions: Mapped[str] = mapped_column(sa.String(60), default="")  # codes applied, comma-separated
    meter_amount: Mapped[int] = mapped_column(default=0)  # 기본요금
    water_amount: Mapped[int] = mapped_column(default=0)  # 상수도 사용료
    sewer_amount: Mapped[int] = mapped_column(default=0)  # 하수도 사용료
    water_use_amount: Mapped[int] = mapped_column(default=0)  # 물이용부담금
    water_reduction: Mapped[int] = mapped_column(default=0)  # 감면 (negative)
    sewer_reduction: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # 체납액: what earlier bills and their late charges still owed when this bill was issued,
    # printed as its own line; not part of ``total`` (those bills are receivables already).
    # A server default: the bill run's bulk insert does not name the column.
    arrears: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship()
    original: Mapped["Bill | None"] = relationship(remote_side="Bill.id")

    def __str__(self) -> str:
        return f"{self.number} {self.total}"


class Outbox(OutboxMixin, db.Model):
    """Receivable and revenue postings owed to accounting (``erp.common.outbox``)."""

    __tablename__ = "rates_outbox"
    __bind_key__ = BIND

    # Postings refused by accounting (a locked month) are reposted on an open date that the chief
    # accountant approves (accounting's permission, named here as data: no import of accounting).
    repost_dates = {"post_entry": ("request.entry_date", "entry_date_is_open")}
    repost_permission = ("rates.billing", "rates.payments")
    repost_approve_permission = "accounting.approve"
    relay_job = "rates.relay"


class Payment(db.Model):
    """A payment line received through a channel (가상계좌, 지로, CMS, card, counter), as the bank
    reported it, and what it paid: ``applied`` to the bill, ``credit`` left to the customer (an
    overpayment), or nothing yet (``status`` suspense: unmatched, kept for a clerk to match).
    Its identity is (channel, transaction id): a line seen again is known, never counted twice.
    A wrong payment is never deleted: a ``reversal`` row with the opposite amounts names it."""

    __tablename__ = "rates_payment"
    __bind_key__ = BIND
    __audit__ = False  # written in bulk by an import: the import is audited, manual changes explicitly
    __table_args__ = (sa.UniqueConstraint("channel", "txn_id"),
                      sa.Index("ix_rates_payment_day_channel", "received_on", "channel"))

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(10))  # va | giro | cms | card | counter
    txn_id: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(10), default="payment")  # payment | reversal
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rates_payment.id"))
    received_on: Mapped[date] = mapped_column()  # 수납일
    transferred_on: Mapped[date | None] = mapped_column()  # 이체일
    bank_code: Mapped[str] = mapped_column(sa.String(3), default="")
    branch_code: Mapped[str] = mapped_column(sa.String(4), default="")
    giro_no: Mapped[str] = mapped_column(sa.String(10), default="")
    reference: Mapped[str] = mapped_column(sa.String(40), default="")  # e-payment number, virtual account or bill number as sent
    payer: Mapped[str] = mapped_column(sa.String(100), default="")
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    bill_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rates_bill.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rates_customer.id"), index=True)
    applied: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    credit: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    status: Mapped[str] = mapped_column(sa.String(10), default="matched")  # matched | suspense
    source: Mapped[str] = mapped_column(sa.String(60), default="")  # the layout and file, the gateway, or "counter"
    posting_key: Mapped[str] = mapped_column(sa.String(120), default="")  # the outbox entry that booked it
    matched_on: Mapped[date | None] = mapped_column()  # a suspense line matched by a clerk
    # when: matched after a write-off's approval, the line is a recovery (collection.unrecognised_recoveries)
    matched_at: Mapped[datetime | None] = mapped_column(PRECISE_DATETIME)
    created_by: Mapped[str] = mapped_column(sa.String(50), default="")
    # to the microsecond: a payment recorded after a write-off's approval, even in the same second, is a recovery
    created_at: Mapped[datetime] = mapped_column(PRECISE_DATETIME, default=utcnow)

    bill: Mapped["Bill | None"] = relationship()
    customer: Mapped["Customer | None"] = relationship()

    def __str__(self) -> str:
        return f"{self.channel}:{self.txn_id} {self.amount}"


class PaymentGateway(db.Model):
    """A bank gateway allowed to push payment lines to ``POST /api/rates/payments``; only the
    token's hash is kept (like a smart-meter device, but a token of its own kind)."""

    __tablename__ = "rates_payment_gateway"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, info={"audit": "redact"})
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __str__(self) -> str:
        return self.name


class CmsDebit(db.Model):
    """A CMS auto-debit (자동이체) asked of the bank for a bill on its due date, and the bank's
    answer: ``paid`` (a payment line of channel cms records the money) or ``failed`` with the
    bank's reason — the bill then stays a normal bill to pay, and the customer is sent a notice."""

    __tablename__ = "rates_cms_debit"
    __bind_key__ = BIND
    __table_args__ = (sa.UniqueConstraint("bill_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    due_on: Mapped[date] = mapped_column(index=True)
    bill_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_bill.id"))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_customer.id"), index=True)
    txn_id: Mapped[str] = mapped_column(sa.String(30), unique=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[str] = mapped_column(sa.String(10), default="requested")  # requested | paid | failed
    result_code: Mapped[str] = mapped_column(sa.String(10), default="")
    reason: Mapped[str] = mapped_column(sa.String(100), default="")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column()

    bill: Mapped["Bill"] = relationship()
    customer: Mapped["Customer"] = relationship()

    def __str__(self) -> str:
        return f"CMS {self.txn_id} {self.status}"


class ArrearsRun(db.Model):
    """A monthly arrears run (체납 정리): customers' credits applied to what they owe, instalment
    plans reviewed, late charges assessed as of ``as_of`` — one run per day, repeated safely."""

    __tablename__ = "rates_arrears_run"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(unique=True)
    charges: Mapped[int] = mapped_column(default=0)
    amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    credit_used: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    plans_ended: Mapped[int] = mapped_column(default=0)
    started_by: Mapped[str] = mapped_column(sa.String(50), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __str__(self) -> str:
        return f"{self.as_of} {self.charges} {self.amount}"


class LateCharge(db.Model):
    """A late charge (가산금) on an overdue bill: the one-time percentage (``once``, seq 0) or the
    monthly addition of month ``seq``. Unique per bill, kind and seq: a run repeated adds nothing.
    ``paid`` grows as the customer's credit is applied to it."""

    __tablename__ = "rates_late_charge"
    __bind_key__ = BIND
    __audit__ = False  # written in bulk by a run, which is audited
    __table_args__ = (sa.UniqueConstraint("bill_id", "kind", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_bill.id"))  # indexed first in the unique key
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_customer.id"), index=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_arrears_run.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # once | monthly
    seq: Mapped[int] = mapped_column(default=0)
    assessed_on: Mapped[date] = mapped_column()
    base: Mapped[int] = mapped_column(sa.BigInteger)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    paid: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class InstalmentPlan(db.Model):
    """분납: a customer's arrears (the bills due up to ``covered_through`` and their late charges,
    ``amount`` in all) split into dated instalments. While it is kept the covered bills take no
    late charges and the customer gets no disconnection notice; a missed instalment ends it."""

    __tablename__ = "rates_instalment_plan"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_customer.id"), index=True)
    created_on: Mapped[date] = mapped_column()
    covered_through: Mapped[date] = mapped_column()
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[str] = mapped_column(sa.String(10), default="active")  # active | completed | ended
    ended_on: Mapped[date | None] = mapped_column()
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    created_by: Mapped[str] = mapped_column(sa.String(50), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    instalments: Mapped[list["Instalment"]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                           order_by="Instalment.seq")

    def __str__(self) -> str:
        return f"{self.created_on} {self.amount} {self.status}"


class Instalment(db.Model):
    __tablename__ = "rates_instalment"
    __bind_key__ = BIND
    __audit__ = False  # recorded with its plan

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_instalment_plan.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column()
    due_on: Mapped[date] = mapped_column()
    amount: Mapped[int] = mapped_column(sa.BigInteger)

    plan: Mapped[InstalmentPlan] = relationship(back_populates="instalments")


class ReminderNotice(db.Model):
    """A reminder (독촉장) issued on an overdue bill: when, the new due date it gave, and what the
    bill owed then (balance and open late charges). Printed again the same day, it is the same
    reminder, with the due date of the last print."""

    __tablename__ = "rates_reminder"
    __bind_key__ = BIND
    __audit__ = False  # a route's reminders are audited once, as one issue
    __table_args__ = (sa.UniqueConstraint("bill_id", "issued_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_bill.id"))  # indexed first in the unique key
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_customer.id"), index=True)
    issued_on: Mapped[date] = mapped_column()
    due_on: Mapped[date] = mapped_column()
    owed: Mapped[int] = mapped_column(sa.BigInteger)
    issued_by: Mapped[str] = mapped_column(sa.String(50), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    bill: Mapped[Bill] = relationship()


class SupplyEvent(db.Model):
    """A disconnection (단수) or reconnection of a customer's supply: when, by whom, why."""

    __tablename__ = "rates_supply_event"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("rates_customer.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(12))  # disconnect | reconnect
    on: Mapped[date] = mapped_column()
    reason: Mapped[str] = mapped_column(sa.String(300))
    recorded_by: Mapped[str] = mapped_column(sa.String(50), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __str__(self) -> str:
        return f"{self.kind} {self.on}"


from plugins.rates.models.collection import (  # noqa: E402,F401  (tables of the same bind, kept apart)
    Application, Refund, WriteOff, WriteOffBill, WriteOffRecovery)
