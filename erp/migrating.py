"""Migration histories: the core's and one per plugin, each run on its own bind's engine.

The core's history lives in ``migrations/`` (version table ``alembic_version``, core tables
only); every plugin owns its history in ``plugins/<name>/migrations/`` (version table
``alembic_version_<bind key>``, the plugin's tables only). Each is a complete Alembic environment
whose ``env.py`` calls :func:`run_environment` with its bind key, so it migrates the database
that bind points at: in monolith mode every history lands in the one database, in split mode
(``DATABASE_URL_<PLUGIN>``) each service's database gets its plugin's tables.

Separate script directories rather than branches of one directory with several version
locations: Alembic keeps one version table per environment run, and an ``upgrade head`` over
several independent branches is refused ("multiple heads"); separate environments keep each
plugin's history self-contained, with its own version table, on its own engine.

``flask db upgrade`` (replaced by :data:`db_group`, otherwise Flask-Migrate's group) first adopts
a database built by the former single history (see :func:`adopt_legacy`), then upgrades the
core's history and every loaded plugin's, in dependency order. ``flask db current``, ``heads``
and ``check`` report every history. The other commands act on the core's history unless given a
plugin's directory; a plugin autogenerates its own revisions with::

    flask db migrate -d plugins/rates/migrations -m "rates: what changed"

(the plugin must be loaded: ``ERP_PLUGINS`` unset or naming it).
"""
from __future__ import annotations

import importlib.util
import logging
import sys
from dataclasses import dataclass
from functools import lru_cache, wraps
from pathlib import Path

import click
import sqlalchemy as sa
from alembic import command
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app, g
from flask.cli import with_appcontext
from flask_migrate.cli import db as flask_migrate_db

from erp.config import ROOT
from erp.extensions import db

logger = logging.getLogger("alembic.env")

CORE = "core"
CORE_VERSION_TABLE = "alembic_version"

# The former single history (core and plugins in one line, revisions 0001–0011), oldest first.
# A database it built is adopted by position in this line: every history is stamped at the
# newest of its own revisions that the database had reached (plugins kept those revisions' ids).
LEGACY_ORDER = (
    "4bcee267be4a", "d3dacedb0684", "3b2d9d41cbf1", "87d1295e5af2", "31380265e5bd", "5037dc017593",
    "45e8d7537630", "6e5a48753db6", "5278d4025437", "75698e6c9b32", "3f1c2a9d8e70",
)


@dataclass(frozen=True)
class History:
    """One migration history: whose it is, where its scripts are, where it records its state."""

    name: str
    bind_key: str | None
    directory: Path

    @property
    def version_table(self) -> str:
        return version_table(self.bind_key)


def version_table(bind_key: str | None) -> str:
    """``alembic_version`` for the core (as before the split), ``alembic_version_<bind>`` else."""
    return CORE_VERSION_TABLE if bind_key is None else f"{CORE_VERSION_TABLE}_{bind_key}"


def plugin_directory(manifest) -> Path | None:
    """``<plugin package>/migrations`` when the plugin ships a migration history there."""
    spec = importlib.util.find_spec(manifest.package)
    if spec is None or not spec.submodule_search_locations:
        return None
    directory = Path(list(spec.submodule_search_locations)[0]) / "migrations"
    return directory if (directory / "env.py").is_file() else None


def histories(app=None, *, installed: bool = False) -> list[History]:
    """The core's history, then each loaded plugin's in dependency order (``installed``: every
    installed plugin's, loaded or not)."""
    app = app or current_app
    ext = app.extensions["erp"]
    manifests = ext["manifests"].values() if installed else [p.manifest for p in ext["plugins"].values()]
    found = [History(CORE, None, ROOT / "migrations")]
    for manifest in manifests:
        directory = plugin_directory(manifest)
        if directory is not None:
            found.append(History(manifest.name, manifest.bind_key, directory))
    return found


@lru_cache(maxsize=None)
def _script(directory: str) -> ScriptDirectory:
    return ScriptDirectory(directory)


def heads(history: History) -> frozenset[str]:
    """The head revisions shipped with this code for ``history`` (read once per process)."""
    return frozenset(_script(str(history.directory)).get_heads())


def newer(history: History, revisions) -> bool:
    """True when ``revisions`` (what a database records) are all unknown to this code's scripts of
    ``history``: a newer release has migrated the database. During a rolling update the
    migrations run first and the pods of the previous release serve on until they are replaced;
    a release's migrations keep the schema usable by the release before it (expand, then
    contract a release later)."""
    script = _script(str(history.directory))
    for revision in revisions:
        try:
            if script.get_revision(revision) is not None:
                return False
        except CommandError:  # alembic's "No such revision"
            continue
    return bool(revisions)


def current(history: History, connection) -> frozenset[str]:
    """What the history's version table says (read directly: alembic's MigrationContext logs on
    every call)."""
    if not sa.inspect(connection).has_table(history.version_table):
        return frozenset()
    table = sa.table(history.version_table, sa.column("version_num"))
    return frozenset(connection.execute(sa.select(table.c.version_num)).scalars())


def engine_of(history: History):
    """The engine of the database that ``history`` migrates."""
    return db.engines[history.bind_key]


def config_of(history: History):
    """The Alembic configuration of ``history`` (Flask-Migrate's, pointed at its directory)."""
    return _config(str(history.directory))


def _config(directory: str):
    config = current_app.extensions["migrate"].migrate.get_config(directory)
    # Alembic's default is the sys.stdout of import time; commands print to today's.
    config.stdout = sys.stdout
    return config


# --- env.py ----------------------------------------------------------------------------------

def run_environment(bind_key: str | None) -> None:
    """The body of every history's ``env.py``: migrate the tables of ``bind_key`` (None: the
    core) on that bind's engine, recording the state in the bind's own version table.

    Autogenerate compares the bind's models with the tables of its history only (in monolith
    mode the database also holds the other histories' tables, which are not this one's to drop).
    """
    from alembic import context  # a proxy that exists only while Alembic runs an env.py

    if bind_key not in db.engines:
        raise RuntimeError(f"the plugin of bind {bind_key!r} is not loaded (see ERP_PLUGINS): "
                           "its history cannot be migrated by this process")
    config = context.config
    engine = db.engines[bind_key]
    metadata = db.metadatas.get(bind_key)

    def include_name(name, type_, parent_names):
        if type_ == "table":
            return metadata is not None and name in metadata.tables
        return True

    def process_revision_directives(ctx, revision, directives):
        # An autogenerate that finds nothing writes no empty revision.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    options = dict(
        target_metadata=metadata,
        version_table=version_table(bind_key),
        include_name=include_name,
        render_as_batch=engine.dialect.name == "sqlite",
    )
    if context.is_offline_mode():
        context.configure(url=engine.url.render_as_string(hide_password=False), literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("compare_type", True)
    conf_args.update(options)
    with engine.connect() as connection:
        context.configure(connection=connection, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


# --- the former single history -------------------------------------------------------------

def adopt_legacy() -> str | None:
    """Adopt a database built by the former single history: its ``alembic_version`` holds one of
    :data:`LEGACY_ORDER`'s revisions (a database of this code is past them: the core's revision
    0012 marks it). Every installed plugin's history (loaded or not: its tables are there
    either way) is stamped at the newest of its revisions the database had reached, in the main
    database where the former history put its tables, and the core's version is set to the
    newest core revision reached; the tables are left as they are. Returns the legacy revision
    adopted, or None."""
    engine = db.engine
    core = History(CORE, None, ROOT / "migrations")
    with engine.begin() as connection:
        legacy = current(core, connection)
        if len(legacy) != 1 or next(iter(legacy)) not in LEGACY_ORDER:
            return None
        (revision,) = legacy
        reached = LEGACY_ORDER[: LEGACY_ORDER.index(revision) + 1]
        for history in histories(installed=True):
            script = _script(str(history.directory))
            known = {script_revision.revision for script_revision in script.walk_revisions()}
            own = [rev for rev in reached if rev in known]
            if history.bind_key is None:
                version = sa.table(CORE_VERSION_TABLE, sa.column("version_num"))
                connection.execute(version.update().values(version_num=own[-1]))
            elif own and not current(history, connection):
                context = MigrationContext.configure(connection, opts={"version_table": history.version_table})
                context.stamp(script, own[-1])
            logger.info("adopted %s at %s", history.name, own[-1] if own else "nothing")
    return revision


def upgrade(sql: bool = False, tag: str | None = None) -> None:
    """Adopt a database of the former single history, then upgrade every history to its head:
    the core's first, then each loaded plugin's in dependency order."""
    if not sql:
        adopt_legacy()
    for history in histories():
        command.upgrade(config_of(history), "head", sql=sql, tag=tag)


def status() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """{history: (current revisions, head revisions)} of every history of this process, read on
    the session's connections (a second connection would wait on SQLite for the write lock a
    request's transaction may hold)."""
    result = {}
    for history in histories():
        connection = db.session.connection(bind_arguments={"bind": engine_of(history)})
        result[history.name] = (current(history, connection), heads(history))
    return result


# --- flask db ------------------------------------------------------------------------------

def _directory(directory: str | None) -> str | None:
    return directory or g.get("directory")


def _report(directory, each) -> None:
    """Run ``each(config)`` on one directory if given, else on every history under a heading."""
    if _directory(directory):
        each(_config(_directory(directory)))
        return
    for history in histories():
        click.echo(f"{history.name} ({history.version_table}):")
        each(config_of(history))


def _cli_errors(function):
    @wraps(function)
    def wrapped(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (CommandError, RuntimeError) as error:
            raise click.ClickException(str(error)) from error

    return wrapped


_DIRECTORY = click.option("-d", "--directory", default=None,
                          help="One history's directory (default: every history: the core's and each loaded plugin's)")


@click.command("upgrade")
@_DIRECTORY
@click.option("--sql", is_flag=True, help="Don't emit SQL to database - dump to standard output instead")
@click.option("--tag", default=None, help='Arbitrary "tag" name - can be used by custom env.py scripts')
@click.argument("revision", default="head")
@with_appcontext
@_cli_errors
def upgrade_command(directory, sql, tag, revision):
    """Upgrade every history to its head (or one history, with -d, to REVISION)."""
    if _directory(directory):
        command.upgrade(_config(_directory(directory)), revision, sql=sql, tag=tag)
        return
    if revision != "head":
        raise click.UsageError("A revision other than head names one history: give its directory with -d.")
    upgrade(sql=sql, tag=tag)


@click.command("current")
@_DIRECTORY
@click.option("-v", "--verbose", is_flag=True, help="Use more verbose output")
@with_appcontext
@_cli_errors
def current_command(directory, verbose):
    """The revision each history's database is at."""
    _report(directory, lambda config: command.current(config, verbose=verbose))


@click.command("heads")
@_DIRECTORY
@click.option("-v", "--verbose", is_flag=True, help="Use more verbose output")
@click.option("--resolve-dependencies", is_flag=True, help="Treat dependency versions as down revisions")
@with_appcontext
@_cli_errors
def heads_command(directory, verbose, resolve_dependencies):
    """The head revision of each history."""
    _report(directory, lambda config: command.heads(config, verbose=verbose, resolve_dependencies=resolve_dependencies))


@click.command("check")
@_DIRECTORY
@with_appcontext
@_cli_errors
def check_command(directory):
    """Whether any history's models have changes not yet in a migration."""
    _report(directory, command.check)


db_group = click.Group(
    name="db",
    callback=flask_migrate_db.callback,
    params=list(flask_migrate_db.params),
    help=flask_migrate_db.help,
    commands={**flask_migrate_db.commands, "upgrade": upgrade_command, "current": current_command,
              "heads": heads_command, "check": check_command},
)
