"""How amounts and dates are shown: whole won with thousands separators, YYYY-MM-DD."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def won(value: int | None) -> str:
    """``1234567`` → ``1,234,567``; None → empty. Money is integer won: a float (or a bool)
    raises TypeError, so a rounding error cannot slip onto a page or a printout."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"amounts are integer won, got {type(value).__name__}: {value!r}")
    return f"{value:,}"


def won_deduction(value: int | None) -> str:
    """Like :func:`won`, but a negative amount reads as a deduction the way Korean financial
    statements print it: ``-1234`` → ``△1,234`` (감가상각누계액 △, a loss △)."""
    text = won(value)
    return f"△{text[1:]}" if text.startswith("-") else text
def number(value: int | float | None, digits: int = 0) -> str:
    """A count or measure with thousands separators: ``4997`` → ``4,997``; a float keeps
    ``digits`` decimals (``number(12.345, 1)`` → ``12.3``); None → empty."""
    if value is None:
        return ""
    if isinstance(value, float) and digits:
        return f"{value:,.{digits}f}"
    return f"{round(value):,}"


def local_datetime(value: datetime | None) -> datetime | None:
    """A stored (naive UTC) datetime in the office's time zone."""
    if value is None:
        return None
    zone = ZoneInfo(current_app.config["ERP_TIMEZONE"] if has_app_context() else "Asia/Seoul")
    return value.replace(tzinfo=timezone.utc).astimezone(zone)


def fmt_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_datetime(value)
    return value.strftime("%Y-%m-%d") if isinstance(value, (date, datetime)) else str(value)


def fmt_datetime(value: datetime | None, seconds: bool = False) -> str:
    if value is None:
        return ""
    return local_datetime(value).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def register(app) -> None:
    app.jinja_env.filters.update(won=won, won_deduction=won_deduction, number=number, date=fmt_date, datetime=fmt_datetime)
