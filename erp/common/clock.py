"""The one place the application reads the time, so tests can move it."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Current UTC time as a naive datetime (stored naive; every column is UTC)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
