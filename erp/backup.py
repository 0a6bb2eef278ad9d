"""``flask erp backup`` and ``flask erp restore``: every database of this service, the storage
directory (attachments, job outputs, the audit anchors) and a manifest of SHA-256 checksums.

A database is copied consistently while the application runs: SQLite through its online backup
API (``sqlite3.Connection.backup``), MariaDB by ``mariadb-dump --single-transaction`` (one
consistent InnoDB snapshot, no lock on the tables) and restored with the ``mariadb`` client.
Every bind is backed up: the core's database and each plugin's when it has its own (split mode,
``DATABASE_URL_<PLUGIN>``); binds sharing a database are one file.

Restore checks every checksum before it touches anything (a corrupted or missing file refuses
the whole restore), and goes only into empty databases and an empty storage directory. The audit
key is not in the backup (it lives in the environment, never beside the data): restore with the
same ``ERP_AUDIT_KEY``, then ``flask erp audit-verify``.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 - runs mariadb-dump / mariadb with an argument list, never a shell
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from erp.common.paths import private_dir, private_file, sqlite_file
from erp.config import INSTANCE_DIR

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore refused, with the reason for the operator."""


@dataclass(frozen=True)
class Database:
    name: str  # "core", or the bind key of a plugin with a database of its own
    url: str
    binds: tuple[str, ...]  # the binds (None = the core's) kept in it

    @property
    def dialect(self) -> str:
        return make_url(self.url).get_backend_name()

    @property
    def file(self) -> str:
        return f"{self.name}.sqlite" if self.dialect == "sqlite" else f"{self.name}.sql"


def databases() -> list[Database]:
    """The distinct databases of this process, the core's first."""
    core = current_app.config["SQLALCHEMY_DATABASE_URI"]
    by_url: dict[str, list[str | None]] = {core: [None]}
    for bind_key, url in (current_app.config.get("SQLALCHEMY_BINDS") or {}).items():
        by_url.setdefault(str(url), []).append(bind_key)
    result = []
    for url, binds in by_url.items():
        name = "core" if url == core else sorted(b for b in binds if b)[0]
        result.append(Database(name, url, tuple("core" if b is None else b for b in binds)))
    return result


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != MANIFEST)


# --- MariaDB -------------------------------------------------------------------------------------

def _client_options(url: str) -> tuple[list[str], str]:
    """Connection options for the mariadb tools and the database name. The password goes in an
    owner-only option file (never on the command line, where ``ps`` shows it)."""
    parsed = make_url(url)
    lines = ["[client]", f"host={parsed.host or '127.0.0.1'}", f"port={parsed.port or 3306}", f"user={parsed.username or ''}"]
    if parsed.password:
        lines.append(f"password={parsed.password}")
    lines.append("default-character-set=utf8mb4")
    handle = tempfile.NamedTemporaryFile("w", suffix=".cnf", delete=False)  # created 0600 by tempfile
    with handle:
        handle.write("\n".join(lines) + "\n")
    return [f"--defaults-extra-file={handle.name}"], parsed.database or ""


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install mariadb-client)")
    return path


def _run(arguments: list[str], **kwargs) -> None:
    option_file = arguments[1].split("=", 1)[1]
    try:
        kwargs.setdefault("stdout", subprocess.PIPE)
        done = subprocess.run(arguments, stderr=subprocess.PIPE, check=False, **kwargs)  # nosec B603 - argument list, no shell
    finally:
        os.unlink(option_file)
    if done.returncode != 0:
        raise BackupError(f"{Path(arguments[0]).name} failed: {done.stderr.decode('utf-8', 'replace').strip()}")


def _dump_mariadb(database: Database, target: Path) -> None:
    options, name = _client_options(database.url)
    with private_file(target).open("wb") as out:
        # --single-transaction: one consistent snapshot while the application writes; triggers
        # (the audit trail's append-only guards) and routines come along.
        _run([_tool("mariadb-dump"), *options, "--single-transaction", "--triggers", "--routines", "--hex-blob",
              "--default-character-set=utf8mb4", "--skip-lock-tables", name], stdout=out)


def _load_mariadb(database: Database, source: Path) -> None:
    options, name = _client_options(database.url)
    with source.open("rb") as dump:
        _run([_tool("mariadb"), *options, "--default-character-set=utf8mb4", name], stdin=dump)


# --- SQLite --------------------------------------------------------------------------------------

def _copy_sqlite(source: Path, target: Path) -> None:
    """The online backup API: a consistent copy even while another connection writes."""
    private_file(target)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


# --- backup --------------------------------------------------------------------------------------

def default_folder() -> Path:
    return INSTANCE_DIR / "backups" / datetime.now(timezone.utc).strftime("erp-%Y%m%dT%H%M%SZ")


def backup(folder: Path | None = None) -> tuple[Path, dict]:
    """Write every database of this process, the storage directory and a manifest of checksums
    into ``folder`` (a new, owner-only folder). Returns the folder and the manifest."""
    folder = Path(folder) if folder else default_folder()
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: a backup goes into a new folder")
    private_dir(folder)
    manifest = {"format": FORMAT, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "service": current_app.config.get("ERP_SERVICE_NAME", "erp"), "databases": [], "files": {}}
    for database in databases():
        target = folder / database.file
        if database.dialect == "sqlite":
            path = sqlite_file(database.url)
            if path is None:
                raise BackupError(f"the {database.name} database is in memory: nothing to back up")
            _copy_sqlite(path, target)
        elif database.dialect in ("mysql", "mariadb"):
            _dump_mariadb(database, target)
        else:
            raise BackupError(f"cannot back up a {database.dialect} database")
        manifest["databases"].append({"name": database.name, "dialect": database.dialect, "file": database.file,
                                      "binds": list(database.binds)})
    storage = Path(current_app.config["ERP_STORAGE_DIR"])
    if storage.exists():
        shutil.copytree(storage, folder / "storage", copy_function=shutil.copy2)
    else:
        private_dir(folder / "storage")
    for path in _files(folder):
        manifest["files"][path.relative_to(folder).as_posix()] = _sha256(path)
    with private_file(folder / MANIFEST).open("w", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=1, sort_keys=True)
    return folder, manifest


# --- restore -------------------------------------------------------------------------------------

def check(folder: Path) -> dict:
    """The manifest of backup ``folder`` once every file matches its checksum; BackupError
    naming the first file that is missing, corrupted or not in the manifest."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files, listed = manifest["files"], manifest["databases"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{folder} is not a backup of this application (no readable {MANIFEST}: {error})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT}")
    for relative, expected in sorted(files.items()):
        path = folder / relative
        if not path.resolve().is_relative_to(folder.resolve()):
            raise BackupError(f"the manifest names a file outside the backup: {relative}")
        if not path.is_file():
            raise BackupError(f"{relative} is missing from the backup")
        if _sha256(path) != expected:
            raise BackupError(f"{relative} is corrupted (its SHA-256 checksum does not match the manifest)")
    extra = [p.relative_to(folder).as_posix() for p in _files(folder) if p.relative_to(folder).as_posix() not in files]
    if extra:
        raise BackupError(f"{extra[0]} is in the backup folder but not in its manifest")
    for database in listed:
        if database.get("file") not in files:
            raise BackupError(f"the database file {database.get('file')} is not in the manifest")
    return manifest


def _is_empty(database: Database) -> bool:
    if database.dialect == "sqlite":
        path = sqlite_file(database.url)
        if path is None or not path.exists() or path.stat().st_size == 0:
            return True
    engine = sa.create_engine(database.url)
    try:
        return not sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def restore(folder: Path) -> dict:
    """Restore backup ``folder`` into this process's databases and storage directory, which
    must be empty. Every checksum is checked first: nothing is restored from a damaged backup."""
    folder = Path(folder)
    manifest = check(folder)
    targets = {database.name: database for database in databases()}
    listed = {entry["name"]: entry for entry in manifest["databases"]}
    if set(listed) != set(targets):
        raise BackupError(f"the backup holds the databases {', '.join(sorted(listed))}, this service has "
                          f"{', '.join(sorted(targets))}: configure the same binds (DATABASE_URL_<PLUGIN>) first")
    for name, entry in listed.items():
        if targets[name].dialect != entry["dialect"]:
            raise BackupError(f"the {name} database was backed up from {entry['dialect']}, the target is {targets[name].dialect}")
        if not _is_empty(targets[name]):
            raise BackupError(f"the {name} database is not empty: restore goes into an empty database")
    storage = Path(current_app.config["ERP_STORAGE_DIR"])
    if storage.exists() and any(p.is_file() for p in storage.rglob("*")):
        raise BackupError(f"the storage directory {storage} is not empty: restore goes into an empty one")
    # Connections the application holds would see a half-replaced SQLite file: let them go.
    from erp.extensions import db

    db.session.remove()
    for engine in current_app.extensions.get("erp_engines_by_url", {}).values():
        engine.dispose()
    for name, entry in listed.items():
        target, source = targets[name], folder / entry["file"]
        if target.dialect == "sqlite":
            _copy_sqlite(source, sqlite_file(target.url))
        else:
            _load_mariadb(target, source)
    private_dir(storage)
    shutil.copytree(folder / "storage", storage, dirs_exist_ok=True, copy_function=shutil.copy2)
    return manifest


# --- commands ------------------------------------------------------------------------------------

@click.command("backup")
@click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="A new folder for the backup (default: instance/backups/erp-<UTC time>).")
@with_appcontext
def backup_command(folder: Path | None):
    """Back up every database of this service (SQLite online backup, MariaDB mariadb-dump
    --single-transaction), the storage directory (attachments, audit anchors) and a manifest of
    SHA-256 checksums. The audit key is not included: keep ERP_AUDIT_KEY apart from the backup."""
    try:
        written, manifest = backup(folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    databases_done = ", ".join(f"{d['name']} ({d['dialect']})" for d in manifest["databases"])
    click.echo(f"Backup written to {written}: {databases_done}; {len(manifest['files'])} files with checksums.")


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore_command(folder: Path):
    """Restore the backup in FOLDER into this service's empty databases and storage directory,
    after checking every checksum (nothing is restored from a damaged backup). Then run
    `flask db upgrade` (a backup of an older version) and `flask erp audit-verify`."""
    try:
        manifest = restore(folder)
    except BackupError as error:
        raise click.ClickException(f"Nothing restored: {error}") from None
    click.echo(f"Restored the backup of {manifest['created']} ({', '.join(d['name'] for d in manifest['databases'])}) "
               f"and {sum(1 for f in manifest['files'] if f.startswith('storage/'))} stored files.")


COMMANDS = [backup_command, restore_command]
