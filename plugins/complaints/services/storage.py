"""Attachments: accepted by what the content is, not by the name; stored under generated names
in ERP_STORAGE_DIR."""
from __future__ import annotations

import errno
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import filetype
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from erp.common.errors import refuse
from erp.extensions import db

# Content types accepted, by what the bytes are.
ALLOWED = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif"}
MAX_FILES = 3


@dataclass
class Upload:
    original_name: str
    content: bytes


def _refuse(message: str, field: str = "attachments"):
    refuse(message, field)


def display_name(name: str) -> str:
    """The file name as shown: no directories (a path in a name is cut off), no control characters."""
    name = (name or "").replace("\\", "/").split("/")[-1]
    name = "".join(c for c in name if c.isprintable()).strip().lstrip(".")
    return name[:200] or "attachment"


def check(uploads: list[Upload]) -> list[tuple[Upload, str]]:
    """Refuse too many, too large, empty or disguised files; returns each with its content type."""
    uploads = [u for u in uploads if u.content or u.original_name]
    if len(uploads) > MAX_FILES:
        _refuse(_("At most %(n)d attachments.", n=MAX_FILES))
    limit = current_app.config.get("ERP_COMPLAINT_MAX_FILE_MB", 10) * 1024 * 1024
    checked = []
    for upload in uploads:
        name = display_name(upload.original_name)
        if not upload.content:
            _refuse(_("%(name)s is empty.", name=name))
        if len(upload.content) > limit:
            _refuse(_("%(name)s is larger than %(mb)d MB.", name=name, mb=limit // (1024 * 1024)))
        kind = filetype.guess(upload.content)
        if kind is None or kind.mime not in ALLOWED:
            _refuse(_("%(name)s is not a PDF, PNG, JPEG or GIF file (judged by its content, not its name).", name=name))
        checked.append((upload, kind.mime))
    return checked


def directory() -> Path:
    path = Path(current_app.config["ERP_STORAGE_DIR"]) / "complaints"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save(content: bytes, mime: str) -> str:
    """Write the file under a generated name and return it. A write that fails (a full disk)
    leaves no file and is refused with a clear message; the files written in a transaction that
    rolls back are removed with it, so a complaint is never filed half and no file is left alone."""
    name = f"{secrets.token_hex(16)}.{ALLOWED[mime]}"
    target = directory() / name
    try:
        _write(target, content)
    except OSError as error:
        target.unlink(missing_ok=True)
        current_app.logger.error("attachment not stored: %s", error)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            _refuse(_("The attachment could not be stored: the server's storage is full. Nothing was saved; "
                      "please try again later or call the office."))
        _refuse(_("The attachment could not be stored. Nothing was saved; please try again later or call the office."))
    os.chmod(target, 0o640)
    db.session().info.setdefault(_WRITTEN, []).append(target)
    return name


def _write(target: Path, content: bytes) -> None:
    with open(target, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())  # a full disk shows now, not after the complaint is committed


# Files written in the open transaction: kept when it commits, removed when it rolls back.
_WRITTEN = "complaints_attachments_written"


@sa.event.listens_for(Session, "after_commit")
def _keep_written(session) -> None:
    session.info.pop(_WRITTEN, None)


@sa.event.listens_for(Session, "after_rollback")
def _remove_written(session) -> None:
    for path in session.info.pop(_WRITTEN, ()):
        Path(path).unlink(missing_ok=True)


def path_of(stored_name: str) -> Path:
    return directory() / stored_name
