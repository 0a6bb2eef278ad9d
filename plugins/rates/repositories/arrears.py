"""Queries over arrears: bills' balances, late charges, credits to apply, instalment plans,
disconnections, and the set-based statements of the arrears run (INSERT … SELECT). A bill written
off (결손처분) is out of all of them: its claim is no longer collected."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import sqlalchemy as sa

from erp.common.sql import drop_temporary, insert_ignore, rows_for_keys, upsert
from erp.extensions import db
from plugins.rates.models import (ArrearsRun, Bill, Customer, CustomerReduction, InstalmentPlan, LateCharge, Payment,
                                  ReminderNotice, SupplyEvent, Tariff)
from plugins.rates.repositories.collection import written_off

CHARGE_COLUMNS = ["bill_id", "customer_id", "run_id", "kind", "seq", "assessed_on", "base", "amount", "paid"]


def tariff_on(day: date) -> Tariff | None:
    """The tariff version in force on ``day`` (its arrears settings)."""
    return db.session.execute(sa.select(Tariff).where(Tariff.effective_from <= day)
                              .order_by(Tariff.effective_from.desc()).limit(1)).scalar_one_or_none()


def _paid():
    """bill id → the amount applied to it (payments, reversals and credit uses)."""
    return (sa.select(Payment.bill_id, sa.func.sum(Payment.applied).label("paid"))
            .where(Payment.bill_id.is_not(None)).group_by(Payment.bill_id).subquery("paid"))


def _late_open():
    """bill id → its late charges not paid yet."""
    return (sa.select(LateCharge.bill_id, sa.func.sum(LateCharge.amount - LateCharge.paid).label("late"))
            .group_by(LateCharge.bill_id).subquery("late"))


def in_plan(as_of_bill=Bill):
    """SQL: the bill is covered by its customer's active instalment plan."""
    return sa.exists(sa.select(InstalmentPlan.id).where(
        InstalmentPlan.customer_id == as_of_bill.customer_id, InstalmentPlan.status == "active",
        as_of_bill.due_on <= InstalmentPlan.covered_through))


# --- the run ------------------------------------------------------------------------------------------

def take_run(day: date, started_by: str, now) -> ArrearsRun:
    """The run of ``day``, made now if there is none, and locked for the transaction: one run of a
    day at a time (a second started meanwhile waits, then finds the first's work done)."""
    table = ArrearsRun.__table__
    db.session.execute(upsert(table, {"as_of": day}, {"started_by": started_by, "created_at": now, "charges": 0, "amount": 0,
                                                     "credit_used": 0, "plans_ended": 0}, [("as_of", table.c.as_of)]))
    return db.session.execute(sa.select(ArrearsRun).where(ArrearsRun.as_of == day)
                              .execution_options(populate_existing=True)).scalar_one()


def runs(limit: int = 24) -> list[ArrearsRun]:
    return list(db.session.execute(sa.select(ArrearsRun).order_by(ArrearsRun.as_of.desc()).limit(limit)).scalars())


# The bills a run charges, computed once per run: a temporary table (one per connection, so
# concurrent runs do not see each other's) read by each INSERT … SELECT of the charges. Keyed by
# due date first, so the monthly additions read each month's range of bills, not the whole table.
# With each bill, what it has been charged already (the one-time charge; how many monthly
# additions and the last one's month), so that the statements leave out the charges that exist:
# the unique key still guarantees it, but a duplicate refused by the key costs InnoDB more than
# an insert.
OWING = sa.Table("rates_tmp_owing", sa.MetaData(), sa.Column("due_on", sa.Date, primary_key=True),
                 sa.Column("bill_id", sa.Integer, primary_key=True), sa.Column("customer_id", sa.Integer, nullable=False),
                 sa.Column("balance", sa.BigInteger, nullable=False), sa.Column("once_done", sa.Integer, nullable=False),
                 sa.Column("months_done", sa.Integer, nullable=False), sa.Column("months_last", sa.Integer, nullable=False),
                 prefixes=["TEMPORARY"], sqlite_with_rowid=False)


def _charged():
    """bill id → its one-time charges (0 or 1), monthly additions and the last addition's month."""
    monthly = LateCharge.kind == "monthly"
    return (sa.select(LateCharge.bill_id, sa.func.sum(sa.case((LateCharge.kind == "once", 1), else_=0)).label("once"),
                      sa.func.sum(sa.case((monthly, 1), else_=0)).label("months"),
                      sa.func.max(sa.case((monthly, LateCharge.seq), else_=0)).label("last"))
            .group_by(LateCharge.bill_id).subquery("charged"))


@contextmanager
def owing_bills(as_of: date):
    """The bills overdue on ``as_of`` that still owe money and are not covered by a kept
    instalment plan, with their balances (the payments summed once), in the temporary table
    ``OWING`` for the ``with`` block."""
    connection = db.session.connection(bind_arguments={"clause": Bill.__table__})
    drop_temporary(connection, OWING)  # left over on a pooled MariaDB connection by a failed run
    OWING.create(connection)
    try:
        paid, charged = _paid(), _charged()
        balance = Bill.total - sa.func.coalesce(paid.c.paid, 0)
        db.session.execute(sa.insert(OWING).from_select(
            ["due_on", "bill_id", "customer_id", "balance", "once_done", "months_done", "months_last"],
            sa.select(Bill.due_on, Bill.id, Bill.customer_id, balance, sa.func.coalesce(charged.c.once, 0),
                      sa.func.coalesce(charged.c.months, 0), sa.func.coalesce(charged.c.last, 0)).select_from(Bill)
            .outerjoin(paid, paid.c.bill_id == Bill.id).outerjoin(charged, charged.c.bill_id == Bill.id)
            .where(Bill.due_on < as_of, Bill.total > 0, balance > 0, ~in_plan(), ~written_off())),
            bind_arguments={"clause": Bill.__table__})  # through the session: its pending changes flushed first
        yield OWING
    finally:
        drop_temporary(connection, OWING)


def last_charge_id() -> int:
    return db.session.execute(sa.select(sa.func.coalesce(sa.func.max(LateCharge.id), 0))).scalar()


def charges_after(charge_id: int, run_id: int) -> tuple[int, int]:
    """(count, amount) of the late charges of run ``run_id`` written after ``charge_id`` (a range
    of the key: no index on the run to keep up on every insert)."""
    count, amount = db.session.execute(sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(LateCharge.amount), 0))
                                       .where(LateCharge.id > charge_id, LateCharge.run_id == run_id)).one()
    return int(count), int(amount)


def assess_once(run_id: int, as_of: date, charge) -> None:
    """One INSERT … SELECT over the owing bills: the one-time charge on each; a bill charged
    already keeps its charge (the unique key bill, kind, seq)."""
    amount = charge(OWING.c.balance)  # the SQL expression of the charge on the balance
    select = (sa.select(OWING.c.bill_id, OWING.c.customer_id, sa.literal(run_id), sa.literal("once"), sa.literal(0),
                        sa.literal(as_of, sa.Date), OWING.c.balance, amount, sa.literal(0))
              .where(OWING.c.once_done == 0, amount > 0))
    db.session.execute(insert_ignore(LateCharge.__table__).from_select(CHARGE_COLUMNS, select))


def assess_monthly(run_id: int, as_of: date, months: list[tuple[int, date]], charge, threshold: int) -> None:
    """One INSERT … SELECT over the owing bills owing at least ``threshold``: the monthly addition
    of each month ``(seq, before)`` on the bills due before ``before``; those charged already are
    kept (the unique key)."""
    amount = charge(OWING.c.balance)  # the SQL expression of the charge on the balance
    seqs = sa.union_all(*[sa.select(sa.literal(seq).label("seq"), sa.literal(before, sa.Date).label("before"))
                          for seq, before in months]).subquery("seqs")
    select = (sa.select(OWING.c.bill_id, OWING.c.customer_id, sa.literal(run_id), sa.literal("monthly"), seqs.c.seq,
                        sa.literal(as_of, sa.Date), OWING.c.balance, amount, sa.literal(0))
              .select_from(seqs).join(OWING, OWING.c.due_on < seqs.c.before)
              # Months 1 … last all charged (the usual case): only the months after them.
              .where(sa.or_(OWING.c.months_done < OWING.c.months_last, seqs.c.seq > OWING.c.months_last),
                     OWING.c.balance >= threshold, amount > 0))
    db.session.execute(insert_ignore(LateCharge.__table__).from_select(CHARGE_COLUMNS, select))


# --- balances -----------------------------------------------------------------------------------------

def open_items(customer_ids: list[int] | None = None) -> list[tuple]:
    """(customer id, bill id, due date, bill balance, late charges open) of the bills still owing
    money or late charges, oldest due first."""
    paid, late = _paid(), _late_open()
    balance = Bill.total - sa.func.coalesce(paid.c.paid, 0)
    late_open = sa.func.coalesce(late.c.late, 0)
    query = (sa.select(Bill.customer_id, Bill.id, Bill.due_on, balance, late_open)
             .outerjoin(paid, paid.c.bill_id == Bill.id).outerjoin(late, late.c.bill_id == Bill.id)
             .where(sa.or_(sa.and_(Bill.total > 0, balance > 0), late_open > 0), ~written_off())
             .order_by(Bill.customer_id, Bill.due_on, Bill.id))
    if customer_ids is not None:
        query = query.where(Bill.customer_id.in_(customer_ids))
    return [(c, b, d, max(0, int(bal)), int(lt)) for c, b, d, bal, lt in db.session.execute(query)]


def customer_bills_owing(customer_id: int) -> list[tuple[Bill, int, int]]:
    """(bill, balance, late charges open) of a customer's bills still owing, oldest due first."""
    paid, late = _paid(), _late_open()
    balance = Bill.total - sa.func.coalesce(paid.c.paid, 0)
    late_open = sa.func.coalesce(late.c.late, 0)
    query = (sa.select(Bill, balance, late_open).outerjoin(paid, paid.c.bill_id == Bill.id)
             .outerjoin(late, late.c.bill_id == Bill.id)
             .where(Bill.customer_id == customer_id, sa.or_(sa.and_(Bill.total > 0, balance > 0), late_open > 0),
                    ~written_off())
             .order_by(Bill.due_on, Bill.id))
    return [(bill, max(0, int(bal)), int(lt)) for bill, bal, lt in db.session.execute(query)]


def open_charges(bill_ids: list[int]) -> list[LateCharge]:
    if not bill_ids:
        return []
    query = (sa.select(LateCharge).where(LateCharge.bill_id.in_(bill_ids), LateCharge.amount > LateCharge.paid)
             .order_by(LateCharge.bill_id, LateCharge.kind.desc(), LateCharge.seq)
             .execution_options(populate_existing=True))  # as committed now, not as read before in the transaction
    return list(db.session.execute(query).scalars())


def bills_charged_once(customer_id: int) -> set[int]:
    return set(db.session.execute(sa.select(LateCharge.bill_id).join(Bill, Bill.id == LateCharge.bill_id)
                                  .where(Bill.customer_id == customer_id, LateCharge.kind == "once")).scalars())


def charges_of_bill(bill_id: int) -> list[LateCharge]:
    return list(db.session.execute(sa.select(LateCharge).where(LateCharge.bill_id == bill_id)
                                   .order_by(LateCharge.kind.desc(), LateCharge.seq)).scalars())


def customers_with_credit(customer_ids=None) -> dict[int, int]:
    """customer id → credit (선수금) held, of the customers holding one (of ``customer_ids``, if given)."""
    if customer_ids is not None:
        rows = rows_for_keys(Payment.__table__, "SELECT customer_id, SUM(credit) FROM rates_payment "
                             "WHERE customer_id IN ({in}) GROUP BY customer_id", customer_ids)
        return {customer_id: int(amount) for customer_id, amount in rows if amount and amount > 0}
    credit = sa.func.sum(Payment.credit)
    query = (sa.select(Payment.customer_id, credit).where(Payment.customer_id.is_not(None))
             .group_by(Payment.customer_id).having(credit > 0))
    return {customer_id: int(amount) for customer_id, amount in db.session.execute(query)}


def overdue_by_customer(before: date, exclude_run: int | None = None, customer_id: int | None = None) -> dict[int, int]:
    """customer id → what the bills due before ``before`` still owe with their open late charges
    (of every customer, or of ``customer_id``)."""
    paid, late = _paid(), _late_open()
    owed = Bill.total - sa.func.coalesce(paid.c.paid, 0)
    late_open = sa.func.coalesce(late.c.late, 0)
    item = sa.case((owed > 0, owed), else_=0) + late_open
    query = (sa.select(Bill.customer_id, sa.func.sum(item)).outerjoin(paid, paid.c.bill_id == Bill.id)
             .outerjoin(late, late.c.bill_id == Bill.id).where(Bill.due_on < before, ~written_off())
             .group_by(Bill.customer_id).having(sa.func.sum(item) > 0))
    if exclude_run is not None:
        query = query.where(sa.or_(Bill.run_id.is_(None), Bill.run_id != exclude_run))
    if customer_id is not None:
        query = query.where(Bill.customer_id == customer_id)
    return {customer: int(amount) for customer, amount in db.session.execute(query)}


def set_arrears(run_id: int, amounts: dict[int, int]) -> None:
    """Write the 체납액 of the run's bills (one executemany)."""
    if not amounts:
        return
    statement = (sa.update(Bill.__table__).where(Bill.__table__.c.run_id == sa.bindparam("run"),
                                                 Bill.__table__.c.customer_id == sa.bindparam("customer"))
                 .values(arrears=sa.bindparam("amount")))
    db.session.execute(statement, [{"run": run_id, "customer": c, "amount": a} for c, a in amounts.items()])


def ageing(as_of: date, edges: list[date], group) -> list[tuple]:
    """(group, bucket, bills, amount) of what overdue bills owe (balance and open late charges)
    on ``as_of``: bucket i holds the bills due on or after ``edges[i]`` (the last bucket the rest)."""
    paid, late = _paid(), _late_open()
    owed = Bill.total - sa.func.coalesce(paid.c.paid, 0)
    item = sa.case((owed > 0, owed), else_=0) + sa.func.coalesce(late.c.late, 0)
    bucket = sa.case(*[(Bill.due_on >= edge, index) for index, edge in enumerate(edges)], else_=len(edges))
    query = (sa.select(group, bucket, sa.func.count(), sa.func.sum(item))
             .select_from(Bill).join(Customer, Customer.id == Bill.customer_id)
             .outerjoin(paid, paid.c.bill_id == Bill.id).outerjoin(late, late.c.bill_id == Bill.id)
             .where(Bill.due_on < as_of, item > 0, ~written_off()).group_by(group, bucket).order_by(group, bucket))
    return [(g, int(b), int(n), int(a or 0)) for g, b, n, a in db.session.execute(query)]


def overdue_summary(as_of: date) -> list[tuple]:
    """(customer, oldest due date, owed) of every customer owing on bills due before ``as_of``."""
    paid, late = _paid(), _late_open()
    owed = Bill.total - sa.func.coalesce(paid.c.paid, 0)
    item = sa.case((owed > 0, owed), else_=0) + sa.func.coalesce(late.c.late, 0)
    per_customer = (sa.select(Bill.customer_id.label("customer_id"), sa.func.min(Bill.due_on).label("oldest"),
                              sa.func.sum(item).label("owed"))
                    .outerjoin(paid, paid.c.bill_id == Bill.id).outerjoin(late, late.c.bill_id == Bill.id)
                    .where(Bill.due_on < as_of, item > 0, ~written_off()).group_by(Bill.customer_id).subquery())
    query = (sa.select(Customer, per_customer.c.oldest, per_customer.c.owed)
             .join(per_customer, per_customer.c.customer_id == Customer.id).order_by(Customer.route_code, Customer.account_no))
    return [(customer, oldest if isinstance(oldest, date) else date.fromisoformat(str(oldest)[:10]), int(owed))
            for customer, oldest, owed in db.session.execute(query)]


def protected_customers(codes: list[str], on: date) -> set[int]:
    if not codes:
        return set()
    query = sa.select(CustomerReduction.customer_id).where(
        CustomerReduction.code.in_(codes), CustomerReduction.valid_from <= on,
        sa.or_(CustomerReduction.valid_to.is_(None), CustomerReduction.valid_to >= on))
    return set(db.session.execute(query).scalars())


# --- instalment plans ---------------------------------------------------------------------------------

def active_plans() -> list[InstalmentPlan]:
    return list(db.session.execute(sa.select(InstalmentPlan).where(InstalmentPlan.status == "active")
                                   .order_by(InstalmentPlan.id)).scalars())


def plans_of(customer_id: int) -> list[InstalmentPlan]:
    return list(db.session.execute(sa.select(InstalmentPlan).where(InstalmentPlan.customer_id == customer_id)
                                   .order_by(InstalmentPlan.id.desc())).scalars())


def active_plan_of(customer_id: int) -> InstalmentPlan | None:
    return db.session.execute(sa.select(InstalmentPlan).where(InstalmentPlan.customer_id == customer_id,
                                                              InstalmentPlan.status == "active")).scalars().first()


def customers_in_plans() -> set[int]:
    return set(db.session.execute(sa.select(InstalmentPlan.customer_id).where(InstalmentPlan.status == "active")).scalars())


def plan(plan_id: int) -> InstalmentPlan | None:
    return db.session.get(InstalmentPlan, plan_id)


def covered_owing(customer_id: int, through: date) -> int:
    """What the customer's bills due up to ``through`` still owe with their open late charges."""
    return sum(balance + late for bill, balance, late in customer_bills_owing(customer_id) if bill.due_on <= through)


# --- credit uses and reminders -------------------------------------------------------------------

def credit_uses(customer_id: int) -> list[Payment]:
    """The customer's credit uses (lines of channel ``credit`` that paid a bill from the credit),
    newest first; a use partly returned already shows as a later line of the opposite sign."""
    return list(db.session.execute(sa.select(Payment).where(Payment.customer_id == customer_id, Payment.channel == "credit")
                                   .order_by(Payment.id.desc())).scalars())


def paid_charges(bill_id: int) -> list[LateCharge]:
    """A bill's late charges paid in part or whole, the last paid first (the reverse of the order
    credits pay them)."""
    return list(db.session.execute(sa.select(LateCharge).where(LateCharge.bill_id == bill_id, LateCharge.paid > 0)
                                   .order_by(LateCharge.kind, LateCharge.seq.desc())).scalars())


def reminders_on(bill_ids: list[int], issued_on: date) -> dict[int, ReminderNotice]:
    """bill id → the reminder issued on it on ``issued_on``."""
    if not bill_ids:
        return {}
    query = sa.select(ReminderNotice).where(ReminderNotice.bill_id.in_(bill_ids), ReminderNotice.issued_on == issued_on)
    return {notice.bill_id: notice for notice in db.session.execute(query).scalars()}


def reminders_of(customer_id: int) -> list[ReminderNotice]:
    return list(db.session.execute(sa.select(ReminderNotice).where(ReminderNotice.customer_id == customer_id)
                                   .order_by(ReminderNotice.issued_on.desc(), ReminderNotice.bill_id)).scalars())


def reminded_before(day: date) -> set[int]:
    """Customers sent a reminder whose new due date is before ``day``."""
    return set(db.session.execute(sa.select(ReminderNotice.customer_id).where(ReminderNotice.due_on < day).distinct()).scalars())


# --- supply ----------------------------------------------------------------------------------------

def supply_events(customer_id: int) -> list[SupplyEvent]:
    return list(db.session.execute(sa.select(SupplyEvent).where(SupplyEvent.customer_id == customer_id)
                                   .order_by(SupplyEvent.on.desc(), SupplyEvent.id.desc())).scalars())


def disconnected() -> set[int]:
    """Customers whose last supply event is a disconnection."""
    last = (sa.select(SupplyEvent.customer_id, sa.func.max(SupplyEvent.id).label("last_id"))
            .group_by(SupplyEvent.customer_id).subquery())
    query = sa.select(SupplyEvent.customer_id).join(last, last.c.last_id == SupplyEvent.id).where(SupplyEvent.kind == "disconnect")
    return set(db.session.execute(query).scalars())


def customers_on_route(route_code: str) -> list[int]:
    return list(db.session.execute(sa.select(Customer.id).where(Customer.route_code == route_code)
                                   .order_by(Customer.account_no)).scalars())


def add(obj):
    db.session.add(obj)
    db.session.flush()
    return obj
