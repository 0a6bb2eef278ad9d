"""The audit trail: append-only, hash-chained, one chain per service.

The core's chain (``core_audit_log`` / ``core_audit_head``, core bind) records writes to core
tables; every loaded plugin has a chain of its own in its own bind (``<bind>_audit_log`` /
``<bind>_audit_head``), so that a service's audit rows live in the service's database and commit
with the change they describe. The columns are declared once, in the mixins below; a plugin's
chain models are made by :func:`chain_models` and its tables by :mod:`erp.audit.schema` in the
plugin's own migration history.
"""
from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from erp.extensions import PRECISE_DATETIME, db

GENESIS_HASH = "0" * 64
CORE_CHAIN = "core"


class AuditEntryColumns:
    """One recorded write. ``seq`` is the position in the chain (1, 2, 3 … without gaps); ``hash``
    covers this row's content and the previous row's hash, so altering or removing any row breaks
    every link after it."""

    __audit__ = False

    seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False)
    # Microseconds are hashed, so MariaDB must keep them (DATETIME(6)).
    at: Mapped[datetime] = mapped_column(PRECISE_DATETIME, index=True)
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
    # The summary as a message id and its values (JSON), rendered in the reader's language;
    # None for the automatic summaries (an object's own name) and the rows written before.
    message: Mapped[str | None] = mapped_column(sa.Text())
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    # Set on each concrete class: the chain the row belongs to (shown on the search page).
    chain: ClassVar[str] = CORE_CHAIN


class AuditHeadColumns:
    """A single row (id 1): the chain's length and last hash. Appending locks it, which
    serialises the appends to this chain only (and catches removal of the newest rows)."""

    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64))


class AuditEntry(AuditEntryColumns, db.Model):
    __tablename__ = "core_audit_log"


class AuditHead(AuditHeadColumns, db.Model):
    __tablename__ = "core_audit_head"


_PLUGIN_CHAINS: dict[str, tuple[type, type]] = {}


def chain_models(bind_key: str) -> tuple[type, type]:
    """The (entry, head) models of the chain kept in ``bind_key``'s database, made once per
    process (the models are registered with the declarative base; a second app reuses them)."""
    if bind_key not in _PLUGIN_CHAINS:
        suffix = "".join(part.capitalize() for part in bind_key.split("_"))
        entry = type(f"AuditEntry{suffix}", (AuditEntryColumns, db.Model),
                     {"__tablename__": f"{bind_key}_audit_log", "__bind_key__": bind_key, "chain": bind_key,
                      "__module__": __name__})
        head = type(f"AuditHead{suffix}", (AuditHeadColumns, db.Model),
                    {"__tablename__": f"{bind_key}_audit_head", "__bind_key__": bind_key, "__module__": __name__})
        _PLUGIN_CHAINS[bind_key] = (entry, head)
    return _PLUGIN_CHAINS[bind_key]
