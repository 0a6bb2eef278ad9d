"""SLA reports of the service checks (issue 13 item 6): per check and per service, for a day, an
ISO week or a month of the office's calendar (ERP_TIMEZONE):

- runs and failures of the checks, availability = successful runs / runs (%), against the target
  ERP_SLA_TARGET (default 99.9 %);
- error budget used = (100 - availability) / (100 - target), in % (over 100: the budget is spent);
- longest outage: from a failed run to the first successful run after it (consecutive failures
  are one outage); still failing at the end of the period, to the end of the period (or now);
- p95 check time: the nearest-rank 95th percentile of the runs' times;
- APDEX of real traffic in the same period from the per-minute rows (core_ops_minute):
  (Σ satisfied + Σ tolerating / 2) / Σ requests; a service's traffic is that of its endpoints
  (``/<service>/…`` or ``/api/<service>/…``; every installed plugin is a service), the core's
  everything no plugin claims.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from erp.common import clock
from erp.extensions import db
from erp.ops.models import OpsCheck, OpsCheckResult, OpsMinute

PERIODS = ("day", "week", "month")


@dataclass
class Line:
    """One line of the report: a check, or a service's checks together."""

    name: str
    service: str
    runs: int = 0
    failures: int = 0
    longest_outage_seconds: int = 0
    durations: list[int] = field(default_factory=list)
    apdex: float | None = None
    target: float = 99.9

    @property
    def availability(self) -> float | None:
        return None if not self.runs else 100.0 * (self.runs - self.failures) / self.runs

    @property
    def budget_used(self) -> float | None:
        """Share of the error budget spent, in % (None without runs or with a 100 % target)."""
        if self.availability is None or self.target >= 100:
            return None
        return 100.0 * (100.0 - self.availability) / (100.0 - self.target)

    @property
    def met(self) -> bool | None:
        return None if self.availability is None else self.availability >= self.target

    @property
    def p95_ms(self) -> int | None:
        return percentile(self.durations, 0.95)


@dataclass
class Report:
    period: str
    start: date  # first day
    end: date  # day after the last
    target: float
    checks: list[Line]
    services: list[Line]
    apdex: float | None  # all traffic

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def percentile(values: list[int], q: float) -> int | None:
    """Nearest-rank percentile (the smallest value with at least q of the values at or below it)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def bounds(period: str, day: date) -> tuple[date, date]:
    """The first day and the day after the last of the period containing ``day``."""
    if period == "day":
        return day, day + timedelta(days=1)
    if period == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7)
    if period == "month":
        start = day.replace(day=1)
        return start, (start + timedelta(days=32)).replace(day=1)
    raise ValueError(f"unknown period {period!r}")


def longest_outage(runs: list[tuple[datetime, bool]], until: datetime) -> int:
    """Seconds of the longest outage among (time, ok) runs in time order (see the module)."""
    longest, down_since = 0, None
    for at, ok in runs:
        if not ok and down_since is None:
            down_since = at
        elif ok and down_since is not None:
            longest = max(longest, int((at - down_since).total_seconds()))
            down_since = None
    if down_since is not None:
        longest = max(longest, int((until - down_since).total_seconds()))
    return longest


def _apdex(rows) -> float | None:
    requests = sum(r.requests for r in rows)
    if not requests:
        return None
    return (sum(r.apdex_satisfied for r in rows) + sum(r.apdex_tolerating for r in rows) / 2) / requests


def service_of(endpoint: str, services: set[str]) -> str:
    """The service a route rule belongs to: its first path segment (after ``/api``) when that is
    a listed service, otherwise the core."""
    parts = [p for p in endpoint.split("/") if p]
    if parts and parts[0] == "api":
        parts = parts[1:]
    return parts[0] if parts and parts[0] in services else "core"


def report(period: str, day: date) -> Report:
    """The SLA report of the period (day, week, month) containing ``day``."""
    start, end = bounds(period, day)
    since, until = clock.local_day_start_utc(start), clock.local_day_start_utc(end)
    target = float(current_app.config["ERP_SLA_TARGET"])
    open_until = min(until, clock.utcnow())

    checks = list(db.session.execute(sa.select(OpsCheck).order_by(OpsCheck.service, OpsCheck.name)).scalars())
    results: dict[int, list[OpsCheckResult]] = {c.id: [] for c in checks}
    for result in db.session.execute(sa.select(OpsCheckResult).where(OpsCheckResult.at >= since, OpsCheckResult.at < until)
                                     .order_by(OpsCheckResult.at, OpsCheckResult.id)).scalars():
        results.setdefault(result.check_id, []).append(result)

    # Every installed plugin is a service, checked or not, so its traffic never counts as the core's.
    services = ({c.service for c in checks} | set(current_app.extensions["erp"]["manifests"])) - {"core"}
    minutes = list(db.session.execute(sa.select(OpsMinute).where(OpsMinute.minute >= since, OpsMinute.minute < until)).scalars())
    traffic: dict[str, list] = {}
    for row in minutes:
        traffic.setdefault(service_of(row.endpoint, services), []).append(row)

    lines, by_service = [], {}
    for check in checks:
        runs = results[check.id]
        line = Line(check.name, check.service, runs=len(runs), failures=sum(1 for r in runs if not r.ok),
                    longest_outage_seconds=longest_outage([(r.at, r.ok) for r in runs], open_until),
                    durations=[r.duration_ms for r in runs], apdex=_apdex(traffic.get(check.service, [])), target=target)
        lines.append(line)
        total = by_service.setdefault(check.service, Line(check.service, check.service, target=target,
                                                          apdex=_apdex(traffic.get(check.service, []))))
        total.runs += line.runs
        total.failures += line.failures
        total.durations += line.durations
        total.longest_outage_seconds = max(total.longest_outage_seconds, line.longest_outage_seconds)
    return Report(period, start, end, target, lines, [by_service[name] for name in sorted(by_service)], _apdex(minutes))


def duration_text(seconds: int) -> str:
    """An outage's length as 1:05:30 (hours:minutes:seconds)."""
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def _cells(line: Line, first: list[str]) -> list:
    def fixed(value, digits):
        return "–" if value is None else f"{value:.{digits}f}"

    return [*first, line.runs, line.failures, fixed(line.availability, 3),
            fixed(line.budget_used, 1), duration_text(line.longest_outage_seconds),
            "–" if line.p95_ms is None else f"{line.p95_ms:,}", fixed(line.apdex, 3)]


def period_text(data: Report) -> str:
    from flask_babel import gettext as _

    names = {"day": _("Daily"), "week": _("Weekly"), "month": _("Monthly")}
    return f"{names[data.period]} · {data.start.isoformat()} ~ {data.last_day.isoformat()}"


def to_pdf(data: Report, org_name: str) -> bytes:
    """The report as the PDF officials file: A4 landscape, the organisation header, the services'
    table and the checks' table."""
    from flask_babel import gettext as _
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    from erp.common import pdf

    styles = pdf.styles()
    title = _("Service level report")
    figures = [_("Runs"), _("Failures"), _("Availability (%(unit)s)", unit="%"), _("Error budget used (%(unit)s)", unit="%"), _("Longest outage"),
               _("p95 check time (ms)"), _("APDEX")]
    numeric = set(range(2, 9))  # after the check's and the service's names
    story = [Paragraph(pdf.escape(title), styles["title"]),
             Paragraph(pdf.escape(_("Target availability %(target)s %% · APDEX of all traffic %(apdex)s",
                                    target=f"{data.target:g}",
                                    apdex="–" if data.apdex is None else f"{data.apdex:.3f}")), styles["body"]),
             Spacer(1, 3 * mm), Paragraph(pdf.escape(_("Services")), styles["heading"])]
    story.append(pdf.money_table([_("Service"), *figures], [_cells(s, [s.service]) for s in data.services]
                                 or [[_("No checks.")] + [""] * 7], numeric_cols=set(range(1, 8))))
    story += [Spacer(1, 3 * mm), Paragraph(pdf.escape(_("Checks")), styles["heading"])]
    story.append(pdf.money_table([_("Check"), _("Service"), *figures], [_cells(c, [c.name, c.service]) for c in data.checks]
                                 or [[_("No checks.")] + [""] * 8], numeric_cols=numeric))
    story.append(Spacer(1, 2 * mm))
    story.append(Paragraph(pdf.escape(_("Availability is the share of successful check runs; the error budget is "
                                        "what the target leaves (100 - target); an outage lasts from a failed run "
                                        "to the next successful one.")), styles["small"]))
    return pdf.build_pdf(title, story, org_name=org_name, subtitle=period_text(data), landscape=True,
                         labels={"page": _("page"), "printed": _("Printed")})
