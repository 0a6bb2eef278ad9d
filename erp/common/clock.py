"""The one place the application reads the time, so tests can move it."""
from __future__ import annotations

import os
from datetime import date, datetime, time, timezone


def utcnow() -> datetime:
    """Current UTC time as a naive datetime (stored naive; every column is UTC)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _zone():
    from zoneinfo import ZoneInfo

    from flask import current_app, has_app_context

    return ZoneInfo(current_app.config["ERP_TIMEZONE"] if has_app_context() else os.environ.get("ERP_TIMEZONE", "Asia/Seoul"))


def local_now() -> datetime:
    """The office's wall-clock time (ERP_TIMEZONE), naive: what a printout says it was printed at."""
    return to_local(utcnow())


def local_today() -> date:
    """Today in the office's time zone (Korea's date, whatever the server's clock zone): the date
    every form and service defaults to."""
    return local_now().date()


def local_day_start_utc(day: date) -> datetime:
    """The UTC moment (naive, as stored) at which ``day`` begins in the office's time zone."""
    start = datetime.combine(day, time(0), tzinfo=_zone())
    return start.astimezone(timezone.utc).replace(tzinfo=None)


def to_local(moment: datetime) -> datetime:
    """A stored (naive UTC) moment as the office's naive wall-clock time."""
    return moment.replace(tzinfo=timezone.utc).astimezone(_zone()).replace(tzinfo=None)


def to_utc(local: datetime) -> datetime:
    """The office's naive wall-clock time as a naive UTC moment, as stored."""
    return local.replace(tzinfo=_zone()).astimezone(timezone.utc).replace(tzinfo=None)
