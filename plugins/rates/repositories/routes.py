"""Meter-reading routes: who reads each, how far the round has got, and a route's customers with
the unread first."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from erp.extensions import db
from plugins.rates.models import Customer, Meter, Reading, RouteAssignment


def assignments() -> dict[str, RouteAssignment]:
    return {a.route_code: a for a in db.session.execute(sa.select(RouteAssignment)).scalars()}


def assignment(route_code: str) -> RouteAssignment | None:
    return db.session.execute(sa.select(RouteAssignment).where(RouteAssignment.route_code == route_code)).scalar_one_or_none()


def _read_since(since: date):
    """Whether the customer's meter was read on or after ``since`` (a correlated EXISTS)."""
    return sa.exists().where(Reading.customer_id == Customer.id, Reading.read_on >= since)


def _in_supply(route_code: str | None = None):
    """Active customers with a meter in service (those a reader has something to read on)."""
    clauses = [Customer.status == "active",
               sa.exists().where(Meter.customer_id == Customer.id, Meter.removed_on.is_(None))]
    if route_code is not None:
        clauses.append(Customer.route_code == route_code)
    return sa.and_(*clauses)


def progress(since: date) -> dict[str, tuple[int, int]]:
    """Per route: (meters read since ``since``, meters to read)."""
    read = sa.func.sum(sa.case((_read_since(since), 1), else_=0))
    rows = db.session.execute(sa.select(Customer.route_code, read, sa.func.count(Customer.id))
                              .where(_in_supply()).group_by(Customer.route_code)).all()
    return {code: (int(done or 0), int(total)) for code, done, total in rows}


def route_page(route_code: str, since: date, text: str = "", page: int = 1, per_page: int = 20):
    """A page of the route's customers in supply, those not read since ``since`` first; ``text``
    finds an account number, holder, address or meter serial."""
    done = _read_since(since)
    query = sa.select(Customer).where(_in_supply(route_code))
    if text:
        query = query.where(sa.or_(Customer.account_no.contains(text, autoescape=True),
                                   Customer.holder_name.contains(text, autoescape=True),
                                   Customer.address.contains(text, autoescape=True),
                                   sa.exists().where(Meter.customer_id == Customer.id, Meter.removed_on.is_(None),
                                                     Meter.serial.contains(text, autoescape=True))))
    query = query.order_by(sa.case((done, 1), else_=0), Customer.account_no)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
