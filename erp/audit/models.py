"""The audit trail: append-only, hash-chained (core bind)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from erp.extensions import db


class AuditEntry(db.Model):
    """One recorded write. ``seq`` is the position in the chain (1, 2, 3 … without gaps); ``hash``
    covers this row's content and the previous row's hash, so altering or removing any row breaks
    every link after it."""

    __tablename__ = "core_audit_log"
    __audit__ = False

    seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False)
    # Microseconds are hashed, so MariaDB must keep them (DATETIME(6)).
    at: Mapped[datetime] = mapped_column(sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(sa.String(100), default="")
    action: Mapped[str] = mapped_column(sa.String(30), index=True)
    entity: Mapped[str] = mapped_column(sa.String(80), index=True)
    entity_id: Mapped[str] = mapped_column(sa.String(80), default="")
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    before: Mapped[str | None] = mapped_column(sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb"))
    after: Mapped[str | None] = mapped_column(sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb"))
    request_id: Mapped[str] = mapped_column(sa.String(64), default="")
    ip: Mapped[str] = mapped_column(sa.String(64), default="")
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


GENESIS_HASH = "0" * 64


class AuditHead(db.Model):
    """A single row: the chain's length and last hash. Appending locks it, which serialises
    appends (and catches removal of the newest rows)."""

    __tablename__ = "core_audit_head"
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64))
