"""Queries of the home page's rates panels: how far the reading, billing and collection stand."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from erp.extensions import db
from plugins.rates.models import Bill, BillRun, Customer, Payment, Reading, WriteOff, WriteOffBill, WriteOffRecovery


def latest_run() -> BillRun | None:
    return db.session.execute(sa.select(BillRun).order_by(BillRun.id.desc()).limit(1)).scalar()


def held_readings(limit: int = 8) -> tuple[int, list[tuple[Reading, Customer]]]:
    """(how many readings are held for review, the newest of them with their customers)."""
    count = db.session.execute(sa.select(sa.func.count(Reading.id)).where(Reading.held.is_(True))).scalar_one()
    rows = db.session.execute(sa.select(Reading, Customer).join(Customer, Reading.customer_id == Customer.id)
                              .where(Reading.held.is_(True)).order_by(Reading.read_on.desc(), Reading.id.desc())
                              .limit(limit)).all()
    return int(count), [(reading, customer) for reading, customer in rows]


def route_progress(since: date) -> list[tuple[str, int, int]]:
    """(route, active customers, customers read on or after ``since``) of every route."""
    read = (sa.select(Reading.customer_id).where(Reading.read_on >= since).distinct()).subquery()
    rows = db.session.execute(
        sa.select(Customer.route_code, sa.func.count(Customer.id), sa.func.count(read.c.customer_id))
        .outerjoin(read, read.c.customer_id == Customer.id).where(Customer.status == "active")
        .group_by(Customer.route_code).order_by(Customer.route_code)).all()
    return [(route, int(customers), int(done)) for route, customers, done in rows]


def _by_month(day, amount, *where) -> dict[str, int]:
    """Month of ``day`` (YYYY-MM) → the sum of ``amount`` over the rows ``where`` selects."""
    month = sa.func.substr(sa.cast(day, sa.String), 1, 7)
    rows = db.session.execute(sa.select(month, sa.func.sum(amount)).where(*where).group_by(month)).all()
    return {key: int(total or 0) for key, total in rows}


def billed_by_month(first: date) -> dict[str, int]:
    """Month of issue (YYYY-MM) → the amount billed, from ``first`` on."""
    return _by_month(Bill.issued_on, Bill.total, Bill.issued_on >= first)


def collected_by_month(first: date) -> dict[str, int]:
    """Month of receipt (YYYY-MM) → the amount applied to bills (reversals counted off)."""
    return _by_month(Payment.received_on, Payment.applied, Payment.received_on >= first)


def outstanding_before(first: date) -> int:
    """Billed before ``first`` and not collected before it."""
    billed = db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(Bill.total), 0)).where(Bill.issued_on < first)).scalar_one()
    paid = db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(Payment.applied), 0))
                              .where(Payment.received_on < first)).scalar_one()
    return int(billed) - int(paid)


def written_off_by_month() -> dict[str, int]:
    """Month of approval (YYYY-MM) → what approved write-offs took off the bills: the amounts
    written off less the late charges in them, as they were at the approval (a write-off takes
    them too, but the bills' totals, which the receivables chart adds up, never held them)."""
    return _by_month(WriteOff.approved_on, WriteOffBill.amount - WriteOffBill.late,
                     WriteOffBill.write_off_id == WriteOff.id, WriteOff.status == "approved")


def recovered_by_month() -> dict[str, int]:
    """Month of receipt (YYYY-MM) → what was paid on written-off bills after their write-off
    (counted as collected, though the bills were already off the receivables)."""
    return _by_month(WriteOffRecovery.recovered_on, WriteOffRecovery.amount)
