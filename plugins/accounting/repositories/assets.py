"""Fixed assets and their depreciation records."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from erp.extensions import db
from plugins.accounting.models import Depreciation, DepreciationRun, FixedAsset


def get(asset_id: int, *, lock: bool = False) -> FixedAsset | None:
    query = sa.select(FixedAsset).where(FixedAsset.id == asset_id)
    if lock:
        query = query.with_for_update()
    return db.session.execute(query).scalar_one_or_none()


def all_assets() -> list[FixedAsset]:
    return list(db.session.execute(sa.select(FixedAsset).order_by(FixedAsset.number)).scalars())


def in_use_on(month_end: date) -> list[FixedAsset]:
    """Assets acquired by ``month_end`` and not disposed of before its month."""
    query = sa.select(FixedAsset).where(FixedAsset.acquired_on <= month_end).where(
        sa.or_(FixedAsset.disposed_on.is_(None), FixedAsset.disposed_on > month_end)).order_by(FixedAsset.number)
    return list(db.session.execute(query).scalars())


def recorded_total(asset_id: int) -> int:
    return int(db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(Depreciation.amount), 0))
                                  .where(Depreciation.asset_id == asset_id)).scalar_one())


def recorded_totals() -> dict[int, int]:
    rows = db.session.execute(sa.select(Depreciation.asset_id, sa.func.sum(Depreciation.amount)).group_by(Depreciation.asset_id))
    return {asset_id: int(total) for asset_id, total in rows}


def run(year: int, month: int, *, lock: bool = False) -> DepreciationRun | None:
    query = sa.select(DepreciationRun).where(DepreciationRun.year == year, DepreciationRun.month == month)
    if lock:
        query = query.with_for_update()
    return db.session.execute(query).scalar_one_or_none()


def runs(year: int) -> list[DepreciationRun]:
    return list(db.session.execute(sa.select(DepreciationRun).where(DepreciationRun.year == year)
                                   .order_by(DepreciationRun.month)).scalars())


def add(obj):
    db.session.add(obj)
    db.session.flush()
    return obj
