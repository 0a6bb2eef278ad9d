"""Queries of collection: write-off candidates and proposals, payments on written-off bills,
refunds, the bill inquiry's failed look-ups and the citizens' applications."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from erp.common.sql import key_chunks
from erp.extensions import db
from plugins.rates.models import (Application, Bill, Customer, LateCharge, Payment, Refund, WriteOff, WriteOffBill,
                                  WriteOffRecovery)


def _paid_by_bill():
    """bill id → amount applied to it (reversals counted off), as a subquery."""
    return (sa.select(Payment.bill_id.label("bill_id"), sa.func.sum(Payment.applied).label("paid"))
            .where(Payment.bill_id.is_not(None)).group_by(Payment.bill_id).subquery())


def _claimed():
    """Bills in a write-off that is drafted or approved (a bill is proposed once)."""
    return (sa.select(WriteOffBill.bill_id).join(WriteOff, WriteOff.id == WriteOffBill.write_off_id)
            .where(WriteOff.status.in_(("draft", "approved"))))


def _approved_bills():
    """(bill id, approved at) of the bills written off and of their adjusting bills: a write-off
    takes a bill with its adjustments (what they ask for together is what was owed)."""
    own = (sa.select(WriteOffBill.bill_id.label("bill_id"), WriteOff.approved_at.label("approved_at"))
           .join(WriteOff, WriteOff.id == WriteOffBill.write_off_id).where(WriteOff.status == "approved"))
    adjusting = (sa.select(Bill.id.label("bill_id"), WriteOff.approved_at.label("approved_at"))
                 .join(WriteOffBill, WriteOffBill.bill_id == Bill.original_id)
                 .join(WriteOff, WriteOff.id == WriteOffBill.write_off_id).where(WriteOff.status == "approved"))
    return sa.union_all(own, adjusting).subquery()


def written_off(bill=Bill):
    """SQL: ``bill`` (the model or an alias) is written off by an approved write-off, itself or as
    an adjusting bill of one written off. A test on the bill's own row against the few ids written
    off, which the database reads once: a query over every bill joins nothing (the adjusting bills'
    ``original_id`` has no index)."""
    approved = (sa.select(WriteOffBill.bill_id).join(WriteOff, WriteOff.id == WriteOffBill.write_off_id)
                .where(WriteOff.status == "approved"))
    return sa.or_(bill.id.in_(approved),
                  sa.and_(bill.kind == "adjusting", bill.original_id.is_not(None), bill.original_id.in_(approved)))


def written_off_ids():
    """Select of the ids of bills written off by an approved write-off (with their adjusting bills)."""
    approved = _approved_bills()
    return sa.select(approved.c.bill_id)


def written_off_among(bill_ids: list[int]) -> list[int]:
    if not bill_ids:
        return []
    approved = _approved_bills()
    return list(db.session.execute(sa.select(approved.c.bill_id).where(approved.c.bill_id.in_(bill_ids))).scalars())


def lapsed(cutoff: date, limit: int | None = None, claimed_by: int | None = None) -> list[tuple[Bill, int]]:
    """(bill, balance) of the bills due on or before ``cutoff`` that still owe something and are in
    no write-off yet (or: are in write-off ``claimed_by``), oldest due first. A bill's balance is
    its family's: the bill and its adjusting bills, less what was applied to them, with their late
    charges not paid yet (가산금 lapse with the charge). A bill covered by an active instalment plan
    is not lapsed: the plan acknowledges the debt."""
    from plugins.rates.repositories.arrears import in_plan  # arrears reads written_off from here

    paid = _paid_by_bill()
    late = (sa.select(LateCharge.bill_id.label("bill_id"), sa.func.sum(LateCharge.amount - LateCharge.paid).label("late"))
            .group_by(LateCharge.bill_id).subquery())
    adjustment = aliased(Bill)
    adjusting = (sa.select(adjustment.original_id.label("original_id"),
                           sa.func.sum(adjustment.total - sa.func.coalesce(paid.c.paid, 0)
                                       + sa.func.coalesce(late.c.late, 0)).label("owed"))
                 .outerjoin(paid, paid.c.bill_id == adjustment.id).outerjoin(late, late.c.bill_id == adjustment.id)
                 .where(adjustment.kind == "adjusting").group_by(adjustment.original_id).subquery())
    balance = (Bill.total - sa.func.coalesce(paid.c.paid, 0) + sa.func.coalesce(late.c.late, 0)
               + sa.func.coalesce(adjusting.c.owed, 0))
    scope = (Bill.id.in_(sa.select(WriteOffBill.bill_id).where(WriteOffBill.write_off_id == claimed_by))
             if claimed_by is not None else Bill.id.not_in(_claimed()))
    query = (sa.select(Bill, balance).outerjoin(paid, paid.c.bill_id == Bill.id).outerjoin(late, late.c.bill_id == Bill.id)
             .outerjoin(adjusting, adjusting.c.original_id == Bill.id)
             .where(Bill.due_on <= cutoff, Bill.kind != "adjusting", Bill.total > 0, balance > 0, scope, ~in_plan())
             .order_by(Bill.due_on, Bill.id))
    if limit:
        query = query.limit(limit)
    return [(bill, int(amount)) for bill, amount in db.session.execute(query)]


def open_late_charges(bill_ids: list[int]) -> dict[int, int]:
    """bill id → the late charges not paid yet of the bill and of its adjusting bills (as a
    write-off takes them together)."""
    root = sa.case((Bill.kind == "adjusting", Bill.original_id), else_=Bill.id)
    found: dict[int, int] = {}
    for part in key_chunks(bill_ids):
        query = (sa.select(root, sa.func.sum(LateCharge.amount - LateCharge.paid)).join(LateCharge, LateCharge.bill_id == Bill.id)
                 .where(sa.or_(Bill.id.in_(part), sa.and_(Bill.kind == "adjusting", Bill.original_id.in_(part)))).group_by(root))
        found.update((bill_id, int(late or 0)) for bill_id, late in db.session.execute(query))
    return found


def write_off(write_off_id: int, lock: bool = False) -> WriteOff | None:
    """The write-off; ``lock``: read afresh and locked for the transaction (one approval of it)."""
    return db.session.get(WriteOff, write_off_id, with_for_update=lock, populate_existing=lock)


def write_offs(limit: int = 200) -> list[WriteOff]:
    return list(db.session.execute(sa.select(WriteOff).order_by(WriteOff.id.desc()).limit(limit)).scalars())


def next_write_off_sequence(year: int) -> int:
    count = db.session.execute(sa.select(sa.func.count()).select_from(WriteOff)
                               .where(WriteOff.number.like(f"WO-{year}-%"))).scalar_one()
    return count + 1


def write_off_of_bill(bill_id: int) -> WriteOff | None:
    """The approved write-off holding the bill, if any."""
    query = (sa.select(WriteOff).join(WriteOffBill, WriteOffBill.write_off_id == WriteOff.id)
             .where(WriteOffBill.bill_id == bill_id, WriteOff.status == "approved"))
    return db.session.execute(query).scalars().first()


def unrecognised_recoveries() -> list[tuple[int, int, int, date]]:
    """(payment id, bill id, applied, received on) of payments and reversals applied to written-off
    bills after their write-off — recorded after its approval, or a suspense line matched to the
    bill after it — and not booked as recoveries yet. Driven by the (few) written-off
    bills, so cheap after an import of any size: the IN names them to SQLite's planner, which
    otherwise read every payment (twice, one per arm of the union) after each import."""
    approved = _approved_bills()
    query = (sa.select(Payment.id, Payment.bill_id, Payment.applied, Payment.received_on)
             .join(approved, approved.c.bill_id == Payment.bill_id)
             .outerjoin(WriteOffRecovery, WriteOffRecovery.payment_id == Payment.id)
             .where(Payment.bill_id.in_(written_off_ids()),
                    WriteOffRecovery.id.is_(None), Payment.applied != 0,
                    sa.func.coalesce(Payment.matched_at, Payment.created_at) >= approved.c.approved_at)
             .order_by(Payment.id))
    return [(row[0], row[1], int(row[2]), row[3]) for row in db.session.execute(query)]


def recoveries_of(bill_ids: list[int]) -> dict[int, int]:
    if not bill_ids:
        return {}
    query = (sa.select(WriteOffRecovery.bill_id, sa.func.sum(WriteOffRecovery.amount))
             .where(WriteOffRecovery.bill_id.in_(bill_ids)).group_by(WriteOffRecovery.bill_id))
    return {bill_id: int(total or 0) for bill_id, total in db.session.execute(query)}


def recovered_payment_ids(payment_ids: list[int]) -> set[int]:
    if not payment_ids:
        return set()
    return set(db.session.execute(sa.select(WriteOffRecovery.payment_id)
                                  .where(WriteOffRecovery.payment_id.in_(payment_ids))).scalars())


# --- refunds --------------------------------------------------------------------------------------

def refund(refund_id: int, lock: bool = False) -> Refund | None:
    """The refund; ``lock``: read afresh and locked for the transaction (paid out once)."""
    return db.session.get(Refund, refund_id, with_for_update=lock, populate_existing=lock)


def refunds(status: str | None = None, limit: int = 500) -> list[Refund]:
    query = sa.select(Refund).order_by(Refund.status, Refund.id.desc()).limit(limit)
    if status:
        query = query.where(Refund.status == status)
    return list(db.session.execute(query).scalars())


def adjusting_credit_line(bill_id: int) -> Payment | None:
    return db.session.execute(sa.select(Payment).where(Payment.bill_id == bill_id, Payment.kind == "credit")).scalars().first()


def family(original_id: int) -> list[Bill]:
    """The bill and its adjusting bills."""
    return list(db.session.execute(sa.select(Bill).where(sa.or_(Bill.id == original_id, Bill.original_id == original_id))
                                   .order_by(Bill.id)).scalars())




def customer_bills(customer_id: int, limit: int | None = None) -> list[Bill]:
    query = sa.select(Bill).where(Bill.customer_id == customer_id).order_by(Bill.issued_on.desc(), Bill.id.desc())
    if limit:
        query = query.limit(limit)
    return list(db.session.execute(query).scalars())


def owed_sums(customer_id: int) -> tuple[int, int]:
    """(total billed, total applied) of the customer's bills not written off."""
    kept = sa.and_(Bill.customer_id == customer_id, Bill.id.not_in(written_off_ids()))
    billed = db.session.execute(sa.select(sa.func.sum(Bill.total)).where(kept)).scalar()
    paid = db.session.execute(sa.select(sa.func.sum(Payment.applied)).join(Bill, Bill.id == Payment.bill_id)
                              .where(kept)).scalar()
    return int(billed or 0), int(paid or 0)


def customer_payments(customer_id: int, limit: int = 20) -> list[Payment]:
    query = (sa.select(Payment).where(Payment.customer_id == customer_id, Payment.kind.in_(("payment", "reversal", "refund")))
             .order_by(Payment.received_on.desc(), Payment.id.desc()).limit(limit))
    return list(db.session.execute(query).scalars())


def application(application_id: int) -> Application | None:
    return db.session.get(Application, application_id)


def applications(status: str | None = "received", limit: int = 500) -> list[Application]:
    query = sa.select(Application).order_by(Application.received_at, Application.id).limit(limit)
    if status:
        query = query.where(Application.status == status)
    return list(db.session.execute(query).scalars())


def open_application(customer_id: int, kind: str) -> Application | None:
    return db.session.execute(sa.select(Application).where(Application.customer_id == customer_id, Application.kind == kind,
                                                           Application.status == "received")).scalars().first()


def customer(customer_id: int, lock: bool = False) -> Customer | None:
    """The customer; ``lock``: read afresh and locked for the transaction — one writer taking
    from the customer's credit at a time (a refund, a reversal's undoing of credit uses)."""
    return db.session.get(Customer, customer_id, with_for_update=lock, populate_existing=lock)


def add(obj):
    db.session.add(obj)
    db.session.flush()
    return obj
