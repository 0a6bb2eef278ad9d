"""Customers, meters and readings."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

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


def active_meter(customer_id: int) -> Meter | None:
    return db.session.execute(sa.select(Meter).where(Meter.customer_id == customer_id, Meter.removed_on.is_(None))).scalar_one_or_none()


def meters_of(customer_ids: list[int]) -> dict[int, list[Meter]]:
    """Every meter (replaced ones too) of these customers, in the order they were installed."""
    found: dict[int, list[Meter]] = {}
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 1000):  # an IN list of bounded size
        query = sa.select(Meter).where(Meter.customer_id.in_(ids[start:start + 1000])).order_by(Meter.installed_on, Meter.id)
        for meter in db.session.execute(query).scalars():
            found.setdefault(meter.customer_id, []).append(meter)
    return found


def meter_by_serial(serial: str) -> Meter | None:
    return db.session.execute(sa.select(Meter).where(Meter.serial == serial)).scalar_one_or_none()


def last_reading(meter_id: int) -> Reading | None:
    return db.session.execute(sa.select(Reading).where(Reading.meter_id == meter_id)
                              .order_by(Reading.read_on.desc()).limit(1)).scalar_one_or_none()


def recent_uses(customer_id: int, limit: int = 3) -> list[int]:
    return list(db.session.execute(sa.select(Reading.use).where(Reading.customer_id == customer_id)
                                   .order_by(Reading.read_on.desc()).limit(limit)).scalars())


def readings(customer_id: int) -> list[Reading]:
    return list(db.session.execute(sa.select(Reading).where(Reading.customer_id == customer_id)
                                   .order_by(Reading.read_on.desc())).scalars())
