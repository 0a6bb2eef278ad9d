"""SQL the databases spell differently, written once."""
from __future__ import annotations

import weakref
from contextlib import contextmanager
from datetime import date
from itertools import repeat

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from erp.extensions import db


def upsert(table, keys: dict, values: dict, updates: list[tuple[str, object]]):
    """One atomic statement: insert the row of ``keys`` with ``values``, or, when the row exists,
    apply ``updates`` — (column, expression) pairs, applied in their order on MariaDB, so an
    expression may rely on the columns before it being unchanged yet only when it comes first. An
    upsert takes the row's exclusive lock directly, so concurrent writers queue on it (an
    insert-then-update lets them deadlock on MariaDB)."""
    dialect = db.session.get_bind(clause=table).dialect.name
    row = {**keys, **values}
    if dialect in ("mysql", "mariadb"):
        return mysql.insert(table).values(**row).on_duplicate_key_update(updates)
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect)
    if insert is None:
        raise RuntimeError(f"No upsert for the {dialect} database")
    return insert(table).values(**row).on_conflict_do_update(index_elements=[table.c[k] for k in keys],
                                                             set_=dict(updates))


def upsert_add(table, keys: dict, increments: dict):
    """Insert the row of ``keys`` with ``increments`` as its values, or add ``increments`` to the
    row that exists (:func:`upsert`)."""
    return upsert(table, keys, increments, [(name, table.c[name] + amount) for name, amount in increments.items()])


def insert_ignore(table):
    """An INSERT into ``table`` that skips the rows whose unique key exists already (SQLite's
    ``INSERT … ON CONFLICT DO NOTHING``, MariaDB's ``INSERT IGNORE``): a set-based write repeated
    adds nothing, and costs one index probe per row instead of a NOT EXISTS subquery."""
    dialect = db.session.get_bind(clause=table).dialect.name
    if dialect in ("mysql", "mariadb"):
        return mysql.insert(table).prefix_with("IGNORE")
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect)
    if insert is None:
        raise RuntimeError(f"No insert-or-ignore for the {dialect} database")
    return insert(table).on_conflict_do_nothing()


def drop_temporary(connection, table) -> None:
    """Drop the temporary ``table`` if it exists, without ending the transaction (MariaDB commits
    on a DROP TABLE that does not say TEMPORARY)."""
    name = connection.dialect.identifier_preparer.quote(table.name)
    # The name comes from the table definition, never from input.
    if connection.dialect.name in ("mysql", "mariadb"):
        connection.exec_driver_sql(f"DROP TEMPORARY TABLE IF EXISTS {name}")
    else:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{name}" if connection.dialect.name == "sqlite"
                                   else f"DROP TABLE IF EXISTS {name}")


_ROWS_MADE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> (own engine, rows known)


def _make_row(engine, table, keys: dict, column: str) -> None:
    """Create a counter's row at 0 in a transaction of its own, once per engine and key. Takers
    then always queue on an existing row: when the first taker of a new counter inserted it and
    rolled back, the takers waiting for that insert deadlocked on MariaDB. The transaction runs
    on a connection outside the pool, which busy takers may have used up."""
    if engine not in _ROWS_MADE:
        _ROWS_MADE[engine] = (sa.create_engine(engine.url, poolclass=sa.pool.NullPool), set())
    own_engine, made = _ROWS_MADE[engine]
    key = (table.name, *sorted(keys.items()))
    if key not in made:
        with own_engine.begin() as own:
            own.execute(mysql.insert(table).prefix_with("IGNORE").values(**keys, **{column: 0}))
        made.add(key)


def next_value(table, keys: dict, column: str) -> int:
    """Add one to ``column`` of the row of ``keys`` (creating it at 1) and return the new value,
    in one statement and one round trip; the row stays locked until the transaction ends."""
    connection = db.session.connection(bind_arguments={"clause": table})
    dialect = connection.dialect.name
    if dialect in ("mysql", "mariadb"):
        _make_row(connection.engine, table, keys, column)
        # MariaDB has no RETURNING on an upsert's update: LAST_INSERT_ID(expr) hands the value
        # back in the statement's reply (the table has no AUTO_INCREMENT column to compete).
        counter = sa.func.last_insert_id
        statement = (mysql.insert(table).values(**keys, **{column: counter(1)})
                     .on_duplicate_key_update(**{column: counter(table.c[column] + 1)}))
        return int(connection.execute(statement).lastrowid)
    if connection.dialect.insert_returning:
        statement = upsert_add(table, keys, {column: 1}).returning(table.c[column])
        return int(connection.execute(statement).scalar_one())
    # SQLite before 3.35 has no RETURNING: the upsert holds the write lock, then read the value.
    connection.execute(upsert_add(table, keys, {column: 1}))
    where = sa.and_(*(table.c[name] == value for name, value in keys.items()))
    return int(connection.execute(sa.select(table.c[column]).where(where)).scalar_one())


def bulk_insert(table, columns: list[str], rows: list[tuple], *, ignore: bool = False,
                references_read: bool = False) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table`` with one executemany on
    the driver: no per-row objects, which is what makes million-row writes take seconds. With
    ``ignore``, rows whose unique key exists already are skipped, so a repeated write is harmless.
    Values must be plain: int, str (dates as ISO text), ``date``/``datetime``, None.

    ``references_read``: the caller read, in this transaction, every row the rows' foreign keys
    name, from tables whose rows are never deleted — MariaDB's bulk load then skips looking each
    up again (a third of a payment file's load); its unique keys are checked as always.

    Returns how many rows were inserted (with ``ignore``, those skipped are not counted)."""
    if not rows:
        return 0
    connection = db.session.connection(bind_arguments={"clause": table})
    dialect = connection.dialect
    if dialect.name in ("mysql", "mariadb") and len(rows) >= LOAD_DATA_FROM:
        return _load_data(connection, table, columns, rows, ignore, references_read)
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
    return connection.exec_driver_sql(sql, rows).rowcount


def raw_rows(statement, table) -> list[tuple]:
    """Run ``statement`` and return the driver's own tuples, without SQLAlchemy's per-row result
    processing — for reads of hundreds of thousands of rows. Values come as the driver gives them
    (SQLite: dates as ISO text, numerics as floats; MariaDB: ``date`` and ``Decimal``)."""
    connection = db.session.connection(bind_arguments={"clause": table})
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    # Dates as ISO text: what SQLite stores (SQLAlchemy's format) and what MariaDB compares dates with.
    params = {name: value.isoformat() if isinstance(value, date) else value for name, value in compiled.construct_params().items()}
    values = [params[name] for name in compiled.positiontup] if compiled.positiontup is not None else params
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), values)
        return cursor.fetchall()
    finally:
        cursor.close()


KEYS_CHUNK = 5_000  # values per IN (...) list (SQLite allows 32,766 parameters)


def key_chunks(keys, size: int = KEYS_CHUNK):
    """The distinct ``keys``, sorted, in parts of at most ``size``: IN lists of bounded length for
    the ORM's look-ups by many keys (``rows_for_keys`` is the driver-level way for hundreds of
    thousands)."""
    keys = sorted(set(keys))
    for start in range(0, len(keys), size):
        yield keys[start:start + size]
KEY_TABLE_FROM = 20_000  # keys: from here MariaDB reads them from a temporary table


def rows_for_keys(table, sql: str, keys, *fixed, lock: bool = False) -> list[tuple]:
    """The rows of ``sql`` — whose ``{in}`` stands for the keys, ``{mark}`` for a parameter of
    ``fixed`` — for every key of ``keys``, straight on the driver (an import looks up hundreds of
    thousands of keys, and compiling a SQLAlchemy statement per chunk cost more than running it).

    The keys go in sorted, so each chunk's look-ups walk the index in order rather than all over
    it (on SQLite four times quicker for a random half of a million bills). Duplicates are dropped
    keeping the keys' order, which is mostly sorted already in a bank's file: sorting then costs
    a third of sorting a set's scrambled order. On MariaDB, past
    ``KEY_TABLE_FROM`` keys, they are loaded into a temporary table and ``{in}`` reads them from
    it: one semi-join instead of a hundred IN lists of thousands of values, each of which MariaDB
    turns into a derived table of its own (ten times quicker at half a million keys). ``sql``
    names only columns of the models, never input. ``lock``: the rows are read FOR UPDATE (on
    MariaDB; SQLite runs one writer at a time anyway)."""
    keys = list(dict.fromkeys(keys))
    keys.sort()
    if not keys:
        return []
    connection = db.session.connection(bind_arguments={"clause": table})
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = sql.replace("{mark}", mark)
    if lock and connection.dialect.name in ("mysql", "mariadb"):
        sql += " FOR UPDATE"
    rows: list[tuple] = []
    cursor = connection.connection.driver_connection.cursor()
    try:
        if connection.dialect.name in ("mysql", "mariadb") and len(keys) >= KEY_TABLE_FROM:
            with _key_table(connection, keys) as name:
                # The caller's constant SQL and the key table's own name; the keys are in the table.
                cursor.execute(sql.replace("{in}", f"SELECT k FROM {name}"), fixed)  # nosec B608
                rows.extend(cursor.fetchall())
            return rows
        for start in range(0, len(keys), KEYS_CHUNK):
            part = keys[start:start + KEYS_CHUNK]
            cursor.execute(sql.replace("{in}", ", ".join([mark] * len(part))), (*fixed, *part))
            rows.extend(cursor.fetchall())
    finally:
        cursor.close()
    return rows


def lock_keys(table, column: str, keys) -> None:
    """Lock the rows of ``table`` whose ``column`` is among ``keys`` until the transaction ends,
    in key order (SELECT … FOR UPDATE, :func:`rows_for_keys`), so writers that lock this way never
    wait for each other in a circle. Nothing on SQLite, whose writers take turns from BEGIN
    IMMEDIATE on."""
    if db.session.get_bind(clause=table).dialect.name == "sqlite":
        return
    name = table.c[column].name  # a column of the model, never input
    rows_for_keys(table, f"SELECT {name} FROM {table.name} WHERE {name} IN ({{in}})", keys, lock=True)  # nosec B608


@contextmanager
def _key_table(connection, keys: list):
    """A temporary table ``erp_tmp_keys`` (one column ``k``, the primary key) holding ``keys``,
    for the ``with`` block; numbers or text, as the keys are."""
    text = isinstance(keys[0], str)
    column = sa.Column("k", sa.String(max(map(len, keys))) if text else sa.BigInteger, primary_key=True, autoincrement=False)
    table = sa.Table("erp_tmp_keys", sa.MetaData(), column, prefixes=["TEMPORARY"])
    drop_temporary(connection, table)  # left over on a pooled connection by a failed statement
    table.create(connection)
    try:
        _load_data(connection, table, ["k"], [(key,) for key in keys], ignore=False)
        yield connection.dialect.identifier_preparer.quote(table.name)
    finally:
        drop_temporary(connection, table)


LOAD_DATA_FROM = 1_000  # rows: below this an INSERT is as quick
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"})


def _load_data_text(rows: list[tuple]) -> str:
    """The rows in LOAD DATA's default text format: tab-separated, backslash escapes, \\N for
    NULL. Built column by column with builtins (C loops): most columns hold no NULL and no
    character to escape, and a million rows are then formatted in a few seconds."""
    formatted = []
    for column in zip(*rows):
        sample = next((value for value in column if value is not None), None)
        if isinstance(sample, str):
            if None in column:
                text = ["\\N" if value is None else value.translate(_ESCAPES) for value in column]
            else:
                joined = "".join(column)
                clean = not any(char in joined for char in "\\\t\n\r\0")
                text = column if clean else list(map(str.translate, column, repeat(_ESCAPES)))
        elif isinstance(sample, bool):
            text = ["\\N" if value is None else "1" if value else "0" for value in column]
        else:  # int, Decimal, date, datetime (str() of a datetime is ISO with a space)
            text = list(map(str, column)) if None not in column else ["\\N" if value is None else str(value) for value in column]
        formatted.append(text)
    return "\n".join(map("\t".join, zip(*formatted))) + "\n"


@sa.event.listens_for(sa.engine.Engine, "connect")
def _local_infile_shut(dbapi_connection, connection_record):
    """Every MariaDB connection is made with ``local_infile`` (the server then lets the client
    send a file with LOAD DATA LOCAL), but PyMySQL's own gate — it sends a file the server asks
    for only while ``_local_infile`` is set — is shut here: a statement other than the bulk
    loader's (an injected one, a hostile server) cannot read the application's files."""
    if type(dbapi_connection).__module__.startswith("pymysql"):
        dbapi_connection._local_infile = False


@contextmanager
def _local_infile_open(connection):
    """Open the driver's LOAD DATA LOCAL gate for one statement of the bulk loader."""
    driver = connection.connection.driver_connection
    driver._local_infile = True
    try:
        yield
    finally:
        driver._local_infile = False


def _load_data(connection, table, columns: list[str], rows: list[tuple], ignore: bool,
               references_read: bool = False) -> int:
    """MariaDB's bulk path: the rows written to a temporary file and loaded by the server in one
    statement, several times quicker than a multi-row INSERT built by the Python driver. Returns
    the rows loaded."""
    import os
    import tempfile

    quote = connection.dialect.identifier_preparer.quote
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".tsv", delete=False) as handle:
        handle.write(_load_data_text(rows))
        path = handle.name
    try:
        if references_read:
            connection.exec_driver_sql("SET SESSION foreign_key_checks = 0")
        # Identifiers come from the table definition and the path from tempfile, never from input.
        with _local_infile_open(connection):
            return connection.exec_driver_sql(
                f"LOAD DATA LOCAL INFILE '{path}' {'IGNORE' if ignore else ''} INTO TABLE {quote(table.name)} "
                f"CHARACTER SET utf8mb4 ({', '.join(quote(c) for c in columns)})").rowcount
    finally:
        if references_read:
            connection.exec_driver_sql("SET SESSION foreign_key_checks = 1")
        os.unlink(path)
