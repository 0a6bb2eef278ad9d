"""Rates tables (bind ``rates``): tariffs as versions with effective dates, their blocks per
service and use type, meter charges per diameter, and reduction rules."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from erp.common.clock import utcnow
from erp.extensions import db

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
    late_cap: Mapped[Decimal] = mapped_column(sa.Numeric(6, 4), default=Decimal("0.03"))
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
