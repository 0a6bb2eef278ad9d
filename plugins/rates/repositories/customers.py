"""Customers, meters and readings."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from erp.common.sql import key_chunks, lock_keys
from erp.extensions import db
from plugins.rates.models import Customer, Meter, Reading


def add(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def get(customer_id: int) -> Customer | None:
    return db.session.get(Customer, customer_id)


def by_account(account_no: str) -> Customer | None:
    return db.session.execute(sa.select(Customer).where(Customer.account_no == account_no)).scalar_one_or_none()


def by_accounts(account_numbers) -> dict[str, Customer]:
    """The customers of these account numbers (those that exist), by account number."""
    found: dict[str, Customer] = {}
    for part in key_chunks(account_numbers):
        found.update((c.account_no, c) for c in db.session.execute(sa.select(Customer).where(Customer.account_no.in_(part))).scalars())
    return found


def next_sequence(route_code: str) -> int:
    """The next customer number on a route (the middle part of the account number)."""
    count = db.session.execute(sa.select(sa.func.count()).select_from(Customer).where(Customer.route_code == route_code)).scalar_one()
    return count + 1


def search_query(text: str = "", route: str = ""):
    """The customers matching an account number, holder or address, on a route, in account order."""
    query = sa.select(Customer).order_by(Customer.account_no)
    if text:
        like = f"%{text}%"
        query = query.where(sa.or_(Customer.account_no.like(like), Customer.holder_name.like(like), Customer.address.like(like)))
    if route:
        query = query.where(Customer.route_code == route)
    return query


def search(text: str = "", route: str = "", page: int = 1, per_page: int = 50):
    return db.paginate(search_query(text, route), page=page, per_page=per_page, error_out=False)


def rows(query, limit: int) -> list:
    """At most ``limit`` rows of a query (one more tells the caller there were more)."""
    return list(db.session.execute(query.limit(limit + 1)).scalars())


def readings_query(route: str = "", start: date | None = None, end: date | None = None, flag: str = ""):
    """Readings by route, reading day and flag, with their customers, newest first."""
    query = (sa.select(Reading).join(Customer, Customer.id == Reading.customer_id)
             .options(contains_eager(Reading.customer)).order_by(Reading.read_on.desc(), Customer.account_no))
    if route:
        query = query.where(Customer.route_code == route)
    if start:
        query = query.where(Reading.read_on >= start)
    if end:
        query = query.where(Reading.read_on <= end)
    if flag == "flagged":
        query = query.where(Reading.flag != "")
    elif flag == "held":
        query = query.where(Reading.held.is_(True))
    return query


def on_route(route_code: str) -> list[Customer]:
    return list(db.session.execute(sa.select(Customer).where(Customer.route_code == route_code, Customer.status == "active")
                                   .order_by(Customer.account_no)).scalars())


def routes() -> list[str]:
    return list(db.session.execute(sa.select(Customer.route_code).distinct().order_by(Customer.route_code)).scalars())


# Readings of a meter are recorded one writer at a time: a reading's use is measured from the
# meter's last reading, so two writers measuring from the same one would count the use between
# them twice (a reader on the route page while the reader's file is imported). A writer locks the
# meter rows first (``lock``: SELECT … FOR UPDATE; SQLite's writers queue for the file from their
# first statement anyway) and then reads the last readings with a locking read, which sees the
# newest committed rows — a plain read on MariaDB would see the transaction's older snapshot.
# Left as it is: those locking reads also lock the gap after each meter's readings, so two files
# whose meters interleave can deadlock on MariaDB; one of them then fails whole (the database's
# "try again", nothing recorded) and imports when uploaded again.


def lock(customer_ids) -> None:
    """Lock the customers for the transaction, in id order: one writer of a customer's credit
    (a refund, a reversal's undoing of credit uses, credits applied) at a time."""
    lock_keys(Customer.__table__, "id", customer_ids)


def active_meter(customer_id: int, lock: bool = False) -> Meter | None:
    query = sa.select(Meter).where(Meter.customer_id == customer_id, Meter.removed_on.is_(None))
    return db.session.execute(query.with_for_update() if lock else query).scalar_one_or_none()


def active_meters(customer_ids, lock: bool = False) -> dict[int, Meter]:
    """The meter in service of each of these customers that has one, by customer id."""
    found: dict[int, Meter] = {}
    for part in key_chunks(customer_ids):
        query = sa.select(Meter).where(Meter.customer_id.in_(part), Meter.removed_on.is_(None))
        found.update((m.customer_id, m) for m in db.session.execute(query.with_for_update() if lock else query).scalars())
    return found


def meters_of(customer_ids: list[int]) -> dict[int, list[Meter]]:
    """Every meter (replaced ones too) of these customers, in the order they were installed."""
    found: dict[int, list[Meter]] = {}
    for part in key_chunks(customer_ids):
        query = sa.select(Meter).where(Meter.customer_id.in_(part)).order_by(Meter.installed_on, Meter.id)
        for meter in db.session.execute(query).scalars():
            found.setdefault(meter.customer_id, []).append(meter)
    return found


def meters_by_serial(serials) -> list[Meter]:
    found: list[Meter] = []
    for part in key_chunks(serials):
        found.extend(db.session.execute(sa.select(Meter).where(Meter.serial.in_(part))).scalars())
    return found


def meter_by_serial(serial: str) -> Meter | None:
    return db.session.execute(sa.select(Meter).where(Meter.serial == serial)).scalar_one_or_none()


def last_reading(meter_id: int, lock: bool = False) -> Reading | None:
    """The meter's last reading; ``lock``: a locking read (the newest committed, see above)."""
    query = sa.select(Reading).where(Reading.meter_id == meter_id).order_by(Reading.read_on.desc()).limit(1)
    return db.session.execute(query.with_for_update(read=True) if lock else query).scalar_one_or_none()


def last_readings(meter_ids, lock: bool = False) -> dict[int, Reading]:
    """The last reading of each of these meters that has one, by meter id; ``lock``: locking reads
    (each statement reads its own rows: a locking read's subquery would read the snapshot)."""
    found: dict[int, Reading] = {}
    for part in key_chunks(meter_ids):
        newest = sa.select(Reading.meter_id, sa.func.max(Reading.read_on)).where(Reading.meter_id.in_(part)).group_by(Reading.meter_id)
        pairs = db.session.execute(newest.with_for_update(read=True) if lock else newest).all()
        if not pairs:
            continue
        query = sa.select(Reading).where(sa.tuple_(Reading.meter_id, Reading.read_on).in_([tuple(pair) for pair in pairs]))
        found.update((r.meter_id, r) for r in db.session.execute(query.with_for_update(read=True) if lock else query).scalars())
    return found


def recent_uses_of(customer_ids, limit: int = 3) -> dict[int, list[int]]:
    """``recent_uses`` of each of these customers (newest first; customers without readings left out)."""
    found: dict[int, list[int]] = {}
    for part in key_chunks(customer_ids):
        ranked = (sa.select(Reading.customer_id, Reading.use,
                            sa.func.row_number().over(partition_by=Reading.customer_id,
                                                      order_by=(Reading.read_on.desc(), Reading.id.desc())).label("n"))
                  .where(Reading.customer_id.in_(part)).subquery())
        for customer_id, use in db.session.execute(sa.select(ranked.c.customer_id, ranked.c.use)
                                                   .where(ranked.c.n <= limit).order_by(ranked.c.customer_id, ranked.c.n)):
            found.setdefault(customer_id, []).append(use)
    return found


def add_all(objects: list) -> None:
    """Rows added together (written in one batch when the session flushes)."""
    db.session.add_all(objects)


def recent_uses(customer_id: int, limit: int = 3) -> list[int]:
    return list(db.session.execute(sa.select(Reading.use).where(Reading.customer_id == customer_id)
                                   .order_by(Reading.read_on.desc(), Reading.id.desc()).limit(limit)).scalars())


def readings(customer_id: int) -> list[Reading]:
    return list(db.session.execute(sa.select(Reading).where(Reading.customer_id == customer_id)
                                   .order_by(Reading.read_on.desc())).scalars())
