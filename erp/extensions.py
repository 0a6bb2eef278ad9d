"""Flask extensions, created unbound and initialised in the application factory."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.util import find_tables


class Base(DeclarativeBase):
    """Declarative base of every model; naming convention keeps constraint names stable
    across SQLite and MariaDB so that migrations can refer to them."""

    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


# A time kept to the microsecond on MariaDB as well (its DATETIME keeps whole seconds): for times
# whose order against another matters within a second. SQLite keeps them in its text anyway.
PRECISE_DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


class ErpSQLAlchemy(SQLAlchemy):
    """One engine per distinct database URL.

    Each plugin's tables live under its own bind (bind key = plugin name). In monolith mode all
    binds point at the same database; giving them one shared engine keeps a request's writes to
    core and plugin tables in one connection and one transaction (on SQLite two connections to
    one file would block each other).
    """

    def _make_engine(self, bind_key, options, app):  # noqa: D401 - documented on the class
        cache = app.extensions.setdefault("erp_engines_by_url", {})
        url = sa.engine.make_url(options["url"]).render_as_string(hide_password=False)
        if url not in cache:
            # Flask-SQLAlchemy gives SQLALCHEMY_ENGINE_OPTIONS to the default engine only; the
            # binds' engines (made first, and shared) need them as much.
            options = {**app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), **options}
            cache[url] = super()._make_engine(bind_key, options, app)
        return cache[url]


class ErpSession(FlaskSession):
    """Flask-SQLAlchemy's session, which also finds the bind of a Core statement over a bind's
    tables: ``select(table.c.x, func.sum(...))`` names no mapper, and Flask-SQLAlchemy would send
    it to the default (core) database. In monolith mode that is the same database; in split mode
    the plugin's tables are only in the plugin's own."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and mapper is None and clause is not None:
            keys = {table.metadata.info["bind_key"] for table in find_tables(clause, include_joins=True, include_crud=True)
                    if isinstance(table, sa.Table) and table.metadata.info.get("bind_key")}
            if len(keys) == 1:
                key = keys.pop()
                if key in self._db.engines:
                    return self._db.engines[key]
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


db = ErpSQLAlchemy(model_class=Base, session_options={"class_": ErpSession})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Foreign keys on, WAL so that readers do not block the writer, and a busy timeout.

    pysqlite opens transactions itself, late and wrongly for SAVEPOINTs (a released savepoint
    would commit); it is told to stay out, and ``_sqlite_begin`` begins every transaction."""
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    if cursor.execute("PRAGMA database_list").fetchone()[2]:  # a file, not :memory:
        cursor.execute("PRAGMA journal_mode=WAL")
        # With WAL, NORMAL loses no committed data when the process dies (only on power loss of
        # the last moments) and spares an fsync per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: a bill run's indexes stay in memory
    cursor.execute("PRAGMA temp_store=MEMORY")  # sorts and materialised subqueries never touch a temp file
    cursor.close()


_LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}


@sa.event.listens_for(sa.engine.Engine, "do_connect")
def _no_tls_on_loopback(dialect, connection_record, cargs, cparams):
    """A MariaDB on this machine is reached without TLS unless the URL asks for it (ssl_ca …).

    PyMySQL (1.2) tries TLS on every connection it is not told about, and builds a context with the
    system's certificate store for it first: 20 ms of CPU per connection (against 0.5 ms), paid
    by every pool that grows and every job, command and test that connects — and on loopback TLS
    protects nothing. A remote database keeps the driver's default; one that must be verified
    says so in its URL; so does one whose settings come from an option file (my.cnf), which the
    driver reads after this."""
    if dialect.driver == "pymysql" and not any(key.startswith(("ssl", "read_default")) for key in cparams) \
            and (cparams.get("unix_socket") or cparams.get("host", "localhost") in _LOOPBACK_HOSTS):
        cparams["ssl_disabled"] = True


@sa.event.listens_for(sa.engine.Engine, "begin")
def _sqlite_begin(connection):
    """SQLite transactions take the write lock when they begin (BEGIN IMMEDIATE): a transaction
    that read first and wrote later could otherwise fail at once instead of waiting its turn.
    The embedded database serves one site; MariaDB is for concurrency."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
