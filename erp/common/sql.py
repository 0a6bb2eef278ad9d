"""SQL the databases spell differently, written once."""
from __future__ import annotations

from datetime import date

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


def bulk_insert(table, columns: list[str], rows: list[tuple], *, ignore: bool = False) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table`` with one executemany on
    the driver: no per-row objects, which is what makes million-row writes take seconds. With
    ``ignore``, rows whose unique key exists already are skipped, so a repeated write is harmless.
    Values must be plain: int, str (dates as ISO text), ``date``/``datetime``, None."""
    if not rows:
        return
    connection = db.session.connection(bind_arguments={"clause": table})
    dialect = connection.dialect
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    prefix, suffix = "INSERT INTO", ""
    if ignore:
        if dialect.name == "sqlite":
            prefix = "INSERT OR IGNORE INTO"
        elif dialect.name in ("mysql", "mariadb"):
            prefix = "INSERT IGNORE INTO"
        else:
            suffix = " ON CONFLICT DO NOTHING"
    quote = dialect.identifier_preparer.quote
    # Identifiers come from the table definition, never from input.
    sql = (f"{prefix} {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))}){suffix}")
    connection.exec_driver_sql(sql, rows)


def raw_rows(statement, table) -> list[tuple]:
    """Run ``statement`` and return the driver's own tuples, without SQLAlchemy's per-row result
    processing — for reads of hundreds of thousands of rows. Values come as the driver gives them
    (SQLite: dates as ISO text, numerics as floats; MariaDB: ``date`` and ``Decimal``)."""
    connection = db.session.connection(bind_arguments={"clause": table})
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    # Dates as ISO text: what SQLite stores (SQLAlchemy's format) and what MariaDB compares dates with.
    values = [params[name].isoformat() if isinstance(params[name], date) else params[name] for name in compiled.positiontup]
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), values)
        return cursor.fetchall()
    finally:
        cursor.close()
