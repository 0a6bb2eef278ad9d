"""Files and folders the application creates for itself: readable by their owner only.

The SQLite database, the storage directory (attachments, job outputs, the audit anchors) and the
instance folder hold citizens' data and the ledgers; another account on the machine must not
read them, whatever the process's umask is.
"""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url


def private_dir(path: str | os.PathLike) -> Path:
    """Create ``path`` (and missing parents) as 0700; an existing folder is left as it is (an
    operator may have set it up on purpose, e.g. a mounted volume)."""
    path = Path(path)
    if not path.exists():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)  # mkdir's mode is filtered by the umask
    return path


def private_file(path: str | os.PathLike) -> Path:
    """Create an empty ``path`` as 0600 if it does not exist, so that whoever writes it next
    (SQLite, an appender) writes into an owner-only file."""
    path = Path(path)
    if not path.exists():
        private_dir(path.parent)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:  # created meanwhile by another process: theirs is as good
            pass
    return path


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL, or None (another database, or in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)
