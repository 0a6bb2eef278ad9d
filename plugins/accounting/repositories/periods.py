"""Periods (months) and fiscal years."""
from __future__ import annotations

import sqlalchemy as sa

from erp.extensions import db
from plugins.accounting.models import FiscalYear, Period


def period(year: int, month: int) -> Period | None:
    return db.session.get(Period, (year, month))


def locked_months(year: int) -> set[int]:
    rows = db.session.execute(sa.select(Period.month).where(Period.year == year, Period.locked.is_(True))).scalars()
    return set(rows)


def fiscal_year(year: int, *, lock: bool = False) -> FiscalYear | None:
    query = sa.select(FiscalYear).where(FiscalYear.year == year)
    if lock:
        query = query.with_for_update()
    return db.session.execute(query).scalar_one_or_none()


def closed_years() -> set[int]:
    return set(db.session.execute(sa.select(FiscalYear.year).where(FiscalYear.closed.is_(True))).scalars())


def add(obj):
    db.session.add(obj)
    db.session.flush()
    return obj
