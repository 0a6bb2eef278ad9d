"""Billing periods: the days of a period, the months around it, and the due date of a bill."""
from __future__ import annotations

import calendar as month_calendar
from datetime import date, timedelta

from flask_babel import gettext as _

from erp.common import calendar
from erp.common.errors import refuse


def period_dates(period: str, cycle: str) -> tuple[date, date]:
    """The first and last day of a billing period ``YYYY-MM`` (two months for a bimonthly cycle)."""
    try:
        year, month = (int(part) for part in period.split("-"))
        start = date(year, month, 1)
    except (ValueError, AttributeError):
        refuse(_("Enter the period as YYYY-MM."), "period")
    if cycle not in ("monthly", "bimonthly"):
        refuse(_("Choose monthly or bimonthly billing."), "cycle")
    last_month = start if cycle == "monthly" else (start + timedelta(days=32)).replace(day=1)
    end = last_month.replace(day=month_calendar.monthrange(last_month.year, last_month.month)[1])
    return start, end


def shift_period(period: str, months: int) -> str:
    """The billing month ``months`` after (or, negative, before) ``period``, both ``YYYY-MM``."""
    year, month = (int(part) for part in period.split("-"))
    index = year * 12 + month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def default_due(issued_on: date) -> date:
    """납기: the end of the month of issue, or of the next month when fewer than ten days remain,
    moved to the next working day."""
    due = issued_on.replace(day=month_calendar.monthrange(issued_on.year, issued_on.month)[1])
    if (due - issued_on).days < 10:
        following = due + timedelta(days=1)
        due = following.replace(day=month_calendar.monthrange(following.year, following.month)[1])
    return calendar.next_working_day(due)
