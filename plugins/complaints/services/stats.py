"""Complaint statistics by type, department and month: received, completed, on-time rate,
average handling time in working days, overdue now."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from erp.common.calendar import working_hours_between
from erp.common.clock import to_local, to_utc
from plugins.complaints.repositories import complaints as repo
from plugins.complaints.services.complaints import is_overdue


@dataclass
class StatRow:
    key: str
    received: int = 0
    completed: int = 0
    on_time: int = 0
    handling_hours: float = 0.0
    overdue_now: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time * 100 / self.completed, 1) if self.completed else None

    @property
    def average_days(self) -> float | None:
        """Average handling time in working days (8 working hours a day)."""
        return round(self.handling_hours / 8 / self.completed, 1) if self.completed else None


def statistics(start: date, end: date, by: str = "type") -> list[StatRow]:
    """Complaints filed from ``start`` to ``end`` (inclusive, office days), grouped by ``by``
    (type, department or month)."""
    rows: dict[str, StatRow] = {}
    lower, upper = to_utc(datetime.combine(start, datetime.min.time())), to_utc(datetime.combine(end, datetime.max.time()))
    for complaint in repo.filed_between(lower, upper):
        if by == "department":
            key = complaint.department_code
        elif by == "month":
            key = to_local(complaint.filed_at).strftime("%Y-%m")
        else:
            key = complaint.type.name
        row = rows.setdefault(key, StatRow(key))
        row.received += 1
        if complaint.status == "completed" and complaint.closed_at:
            row.completed += 1
            row.on_time += int(complaint.due_at is None or complaint.closed_at <= complaint.due_at)
            row.handling_hours += working_hours_between(to_local(complaint.filed_at), to_local(complaint.closed_at)) \
                - complaint.paused_minutes / 60
        row.overdue_now += int(is_overdue(complaint))
    return sorted(rows.values(), key=lambda r: r.key)
