"""Statutory processing deadlines (민원 처리기간), over the core's working-day calendar.

- A deadline of more than 5 days counts working days, the day of receipt included when it is a
  working day; it ends at the close of the last day (18:00).
- A deadline of 5 days or less counts working hours from the moment of receipt, one day being
  8 hours; "immediately" means within 3 working hours.
- Time spent waiting for the citizen's supplement does not count; an extension adds its days.

All times here are the office's naive local times.
"""
from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

from erp.common.calendar import add_working_hours, is_working_day
from erp.common.formatting import number

CLOSE_OF_DAY = time(18)
IMMEDIATE_HOURS = 3
HOURS_PER_DAY = 8


def nth_working_day(start: date, n: int) -> date:
    """The n-th working day counting ``start`` itself when it is a working day."""
    day = start
    count = 1 if is_working_day(day) else 0
    while count < n:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return day


def counts_in_hours(value: int, unit: str) -> bool:
    return unit in ("hours", "immediate") or (unit == "days" and value <= 5)


def due(filed: datetime, value: int, unit: str, paused_minutes: int = 0, extension_days: int = 0) -> datetime:
    """When a complaint filed at ``filed`` must be answered."""
    if counts_in_hours(value, unit):
        hours = IMMEDIATE_HOURS if unit == "immediate" else value if unit == "hours" else value * HOURS_PER_DAY
        return add_working_hours(filed, hours + extension_days * HOURS_PER_DAY + paused_minutes / 60)
    days = value + extension_days + math.ceil(paused_minutes / (HOURS_PER_DAY * 60))
    return datetime.combine(nth_working_day(filed.date(), days), CLOSE_OF_DAY)


def describe(value: int, unit: str) -> str:
    """'7일', '3시간', '즉시' — as the type's deadline is printed."""
    from flask_babel import gettext as _
    from flask_babel import ngettext

    if unit == "immediate":
        return _("immediately")
    if unit == "hours":
        return ngettext("%(n)s working hour", "%(n)s working hours", value, n=number(value))
    return ngettext("%(n)s day", "%(n)s days", value, n=number(value))
