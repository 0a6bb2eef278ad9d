"""Tariff versions."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from erp.extensions import db
from plugins.rates.models import Tariff


def all_versions() -> list[Tariff]:
    return list(db.session.execute(sa.select(Tariff).order_by(Tariff.effective_from.desc())).scalars())


def in_force_between(start: date, end: date) -> list[Tariff]:
    """The version in force on ``start`` and every version starting up to ``end``."""
    first = db.session.execute(sa.select(Tariff).where(Tariff.effective_from <= start)
                               .order_by(Tariff.effective_from.desc()).limit(1)).scalar_one_or_none()
    later = db.session.execute(sa.select(Tariff).where(Tariff.effective_from > start, Tariff.effective_from <= end)
                               .order_by(Tariff.effective_from)).scalars().all()
    return ([first] if first else []) + list(later)


def version_dates() -> list[tuple[int, date]]:
    """(id, effective from) of every version, oldest first."""
    return [tuple(row) for row in db.session.execute(sa.select(Tariff.id, Tariff.effective_from).order_by(Tariff.effective_from))]


def by_date(effective_from: date) -> Tariff | None:
    return db.session.execute(sa.select(Tariff).where(Tariff.effective_from == effective_from)).scalar_one_or_none()


def get(tariff_id: int) -> Tariff | None:
    return db.session.get(Tariff, tariff_id)


def add(obj):
    db.session.add(obj)
    db.session.flush()
    return obj
