"""The tables and triggers of an audit chain, for migration scripts.

Each plugin's migration history creates its service's chain with :func:`create_chain` (the core's
chain was created by the core's revisions 0001 and 0011, with the same statements). What a
revision creates must not change afterwards, so these definitions are frozen: a later change of
the chain's columns is a new function used by new revisions, never an edit of this one.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

GENESIS_HASH = "0" * 64


def _checked(prefix: str) -> str:
    """A chain's prefix is a bind key from a manifest, spliced into DDL (identifiers cannot be bound
    parameters): only a plain lower-case identifier is accepted."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", prefix):
        raise ValueError(f"not a chain prefix: {prefix!r}")
    return prefix


def _append_only_statements(prefix: str, dialect: str) -> list[str]:
    """The log is append-only in the database too, not only in the application."""
    prefix = _checked(prefix)
    message = f"{prefix}_audit_log is append-only"
    statements = []
    for event, suffix in (("UPDATE", "no_update"), ("DELETE", "no_delete")):
        name = f"{prefix}_audit_log_{suffix}"
        if dialect == "sqlite":
            statements.append(f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {prefix}_audit_log "
                              f"BEGIN SELECT RAISE(ABORT, '{message}'); END")
        else:
            statements.append(f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {prefix}_audit_log FOR EACH ROW "
                              f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{message}'")
    return statements


def _head_statement(prefix: str, dialect: str) -> str:
    """The head row follows the newest record as part of the insert (one round trip less inside
    the section every audited transaction of this chain passes one at a time)."""
    prefix = _checked(prefix)  # an identifier, checked: what follows is not built from user input
    set_head = f"UPDATE {prefix}_audit_head SET seq = NEW.seq, last_hash = NEW.hash WHERE id = 1"  # nosec B608
    if dialect == "sqlite":
        return f"CREATE TRIGGER {prefix}_audit_log_head AFTER INSERT ON {prefix}_audit_log BEGIN {set_head}; END"
    return f"CREATE TRIGGER {prefix}_audit_log_head AFTER INSERT ON {prefix}_audit_log FOR EACH ROW {set_head}"


def create_append_only_triggers(connection, prefix: str) -> None:
    """(Re)create the triggers that refuse changes to ``<prefix>_audit_log`` (idempotent)."""
    for statement in _append_only_statements(prefix, connection.dialect.name):
        connection.execute(sa.text(statement))


def create_chain(op, prefix: str) -> None:
    """Create ``<prefix>_audit_log`` and ``<prefix>_audit_head`` (at the genesis row) with the
    append-only and head-moving triggers, in a migration script."""
    dialect = op.get_bind().dialect.name
    head = op.create_table(
        f"{prefix}_audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{prefix}_audit_head")),
    )
    op.create_table(
        f"{prefix}_audit_log",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mariadb").with_variant(mysql.DATETIME(fsp=6), "mysql"), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("entity", sa.String(length=80), nullable=False),
        sa.Column("entity_id", sa.String(length=80), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("before", sa.Text().with_variant(mysql.MEDIUMTEXT(), "mariadb").with_variant(mysql.MEDIUMTEXT(), "mysql"), nullable=True),
        sa.Column("after", sa.Text().with_variant(mysql.MEDIUMTEXT(), "mariadb").with_variant(mysql.MEDIUMTEXT(), "mysql"), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f(f"pk_{prefix}_audit_log")),
        sa.UniqueConstraint("hash", name=op.f(f"uq_{prefix}_audit_log_hash")),
    )
    for column in ("action", "actor_id", "at", "entity"):
        op.create_index(op.f(f"ix_{prefix}_audit_log_{column}"), f"{prefix}_audit_log", [column], unique=False)
    op.bulk_insert(head, [{"id": 1, "seq": 0, "last_hash": GENESIS_HASH}])
    for statement in _append_only_statements(prefix, dialect):
        op.execute(statement)
    op.execute(_head_statement(prefix, dialect))


def drop_chain(op, prefix: str) -> None:
    """Undo :func:`create_chain` (a downgrade: the chain's records are lost with it)."""
    for suffix in ("no_update", "no_delete", "head"):
        op.execute(f"DROP TRIGGER IF EXISTS {prefix}_audit_log_{suffix}")
    op.drop_table(f"{prefix}_audit_log")
    op.drop_table(f"{prefix}_audit_head")


def add_message_column(op, prefix: str) -> None:
    """Add ``message`` to ``<prefix>_audit_log``: a summary kept as its message id and values
    (JSON), rendered in the reader's language; older rows keep their finished text in ``summary``."""
    op.add_column(f"{_checked(prefix)}_audit_log", sa.Column("message", sa.Text(), nullable=True))


def drop_message_column(op, prefix: str) -> None:
    """Undo :func:`add_message_column`."""
    with op.batch_alter_table(f"{_checked(prefix)}_audit_log") as batch:
        batch.drop_column("message")
