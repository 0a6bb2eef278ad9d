"""Working-day calendar of a Korean public office.

Saturdays, Sundays and Korean public holidays (the ``holidays`` package, including alternative
holidays) are not working days. A working day has 8 working hours, 09:00–12:00 and 13:00–18:00,
the basis on which short statutory deadlines are counted in hours.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

WORK_PERIODS = ((time(9), time(12)), (time(13), time(18)))
HOURS_PER_DAY = 8


@lru_cache(maxsize=64)
def _holidays_for(year: int) -> dict:
    return dict(holidays.country_holidays("KR", years=year, language="ko"))


def holiday_name(day: date) -> str | None:
    """The Korean name of the public holiday on ``day``, or None."""
    return _holidays_for(day.year).get(day)


def is_working_day(day: date) -> bool:
    """True on a weekday that is not a Korean public holiday."""
    return day.weekday() < 5 and holiday_name(day) is None


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(day: date, days: int) -> date:
    """The date ``days`` working days after ``day`` (the start day itself does not count)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = day
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days in the half-open range (start, end]: 0 when end <= start."""
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def _periods(day: date):
    for begin, finish in WORK_PERIODS:
        yield datetime.combine(day, begin), datetime.combine(day, finish)


def add_working_hours(start: datetime, hours: float | int) -> datetime:
    """The moment ``hours`` working hours after ``start`` (naive local time).

    Time outside working hours does not count; a start outside them counts from the next
    working period.
    """
    if hours < 0:
        raise ValueError("hours must not be negative")
    remaining = timedelta(hours=hours)
    day = start.date()
    while True:
        if is_working_day(day):
            for begin, finish in _periods(day):
                if finish <= start:
                    continue
                begin = max(begin, start)
                available = finish - begin
                if remaining <= available:
                    if remaining == timedelta(0):
                        return begin
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
        start = datetime.combine(day, time(0))


def working_hours_between(start: datetime, end: datetime) -> float:
    """Working hours elapsed from ``start`` to ``end`` (0 when end <= start)."""
    if end <= start:
        return 0.0
    total = timedelta(0)
    day = start.date()
    while day <= end.date():
        if is_working_day(day):
            for begin, finish in _periods(day):
                lo, hi = max(begin, start), min(finish, end)
                if hi > lo:
                    total += hi - lo
        day += timedelta(days=1)
    return total.total_seconds() / 3600
