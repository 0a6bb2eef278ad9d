"""Common components' tables: code tables and document-number sequences (core bind)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from erp.extensions import db


class CodeGroup(db.Model):
    """A code table, e.g. ``USE_TYPE`` (업종) or ``METER_DIAMETER`` (구경)."""

    __tablename__ = "core_code_group"

    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    owner: Mapped[str] = mapped_column(sa.String(50), default="core")

    codes: Mapped[list["Code"]] = relationship(
        back_populates="group", order_by="Code.sort_order, Code.code", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Code(db.Model):
    __tablename__ = "core_code"
    __table_args__ = (sa.UniqueConstraint("group_code", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_code: Mapped[str] = mapped_column(sa.ForeignKey("core_code_group.code", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(100), default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    group: Mapped[CodeGroup] = relationship(back_populates="codes")

    def __str__(self) -> str:
        return f"{self.group_code}.{self.code} {self.name}"


class DocumentSequence(db.Model):
    """The last number issued per document type and year (e.g. JE 2026 → 123)."""

    __tablename__ = "core_doc_sequence"
    __audit__ = False  # the documents that take the numbers are audited themselves

    doc_type: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)
