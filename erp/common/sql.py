"""SQL the databases spell differently, written once."""
from __future__ import annotations

from sqlalchemy.dialects import mysql, postgresql, sqlite

from erp.extensions import db


def upsert_add(table, keys: dict, increments: dict):
    """One atomic statement: insert the row of ``keys`` with ``increments`` as its values, or add
    ``increments`` to the row that exists. An upsert takes the row's exclusive lock directly, so
    concurrent writers queue on it (an insert-then-update lets them deadlock on MariaDB)."""
    dialect = db.session.get_bind(clause=table).dialect.name
    values = {**keys, **increments}
    added = {name: table.c[name] + amount for name, amount in increments.items()}
    if dialect in ("mysql", "mariadb"):
        return mysql.insert(table).values(**values).on_duplicate_key_update(**added)
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect)
    if insert is None:
        raise RuntimeError(f"No upsert for the {dialect} database")
    return insert(table).values(**values).on_conflict_do_update(index_elements=[table.c[k] for k in keys], set_=added)
