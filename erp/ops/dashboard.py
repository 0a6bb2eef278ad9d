"""What the operations page shows, read from the per-minute rows of every instance: throughput,
mean and p95 response time, error rate and APDEX over the last hour, day or week, in total and
per instance, the busiest and slowest endpoints, and the threshold predictions.

APDEX (https://www.apdex.org): satisfied ≤ T, tolerating ≤ 4T, score = (satisfied +
tolerating / 2) / total, with T = ERP_APDEX_T (default 0.5 s). p95 is read from the latency
buckets as Prometheus' ``histogram_quantile`` does: linear interpolation inside the bucket that
holds the 95th percentile.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from erp.common.clock import to_local, utcnow
from erp.common.formatting import number
from erp.extensions import db
from erp.ops import figures, predict
from erp.ops.models import BOUNDS, BUCKET_COLUMNS, COUNTER_COLUMNS, OpsMinute, OpsSample

# period -> (minutes shown, minutes per chart point)
PERIODS = {"hour": (60, 1), "day": (1440, 15), "week": (10080, 120)}


def quantile(q: float, buckets: list[int], total: int) -> float | None:
    """The ``q`` quantile (seconds) of ``total`` requests whose non-cumulative bucket counts
    are ``buckets`` (upper bounds BOUNDS; the rest took longer than the last bound)."""
    if total <= 0:
        return None
    rank = q * total
    seen, lower = 0, 0.0
    for bound, count in zip(BOUNDS, buckets, strict=True):
        if count and seen + count >= rank:
            return lower + (bound - lower) * (rank - seen) / count
        seen += count
        lower = bound
    return BOUNDS[-1]  # in the open last bucket: its lower bound, as histogram_quantile answers


def apdex(satisfied: int, tolerating: int, total: int) -> float | None:
    """(satisfied + tolerating / 2) / total; None without requests."""
    return (satisfied + tolerating / 2) / total if total else None


@dataclass
class Totals:
    """Summed per-minute counts of some rows."""

    counts: list[int] = field(default_factory=lambda: [0] * len(COUNTER_COLUMNS))

    def add(self, values) -> None:
        for i, value in enumerate(values):
            self.counts[i] += int(value or 0)

    def __getattr__(self, name):
        try:
            return self.__dict__["counts"][COUNTER_COLUMNS.index(name)]
        except ValueError:
            raise AttributeError(name) from None

    @property
    def buckets(self) -> list[int]:
        return self.counts[len(COUNTER_COLUMNS) - len(BUCKET_COLUMNS):]

    @property
    def mean_ms(self) -> float | None:
        return self.duration_ms_sum / self.requests if self.requests else None

    @property
    def p95_ms(self) -> float | None:
        value = quantile(0.95, self.buckets, self.requests)
        return None if value is None else value * 1000

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.requests if self.requests else None

    @property
    def apdex(self) -> float | None:
        return apdex(self.apdex_satisfied, self.apdex_tolerating, self.requests)

    def tps(self, seconds: float) -> float:
        return self.requests / seconds if seconds else 0.0


def _sums():
    return [sa.func.sum(getattr(OpsMinute, c)) for c in COUNTER_COLUMNS]


@dataclass
class Point:
    label: str
    tps: float
    mean_ms: float | None
    p95_ms: float | None
    error_rate: float | None
    apdex: float | None


@dataclass
class Overview:
    period: str
    start: datetime
    total: Totals
    seconds: float
    points: list[Point]
    instances: list[tuple[str, Totals]]
    instance_tps: dict[str, list[float]]
    busiest: list[tuple[str, Totals]]
    slowest: list[tuple[str, Totals]]
    jobs: dict[str, int]
    outboxes: list
    predictions: list


def overview(period: str = "hour", now: datetime | None = None) -> Overview:
    """The figures of the last ``period`` (hour, day or week) summed over every instance.
    Raises ValueError for another period."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}")
    minutes, step = PERIODS[period]
    now = (now or utcnow()).replace(second=0, microsecond=0)
    start = now - timedelta(minutes=minutes - 1)
    since = OpsMinute.minute >= start
    buckets = [Totals() for _ in range((minutes + step - 1) // step)]
    total = Totals()
    for minute, *values in db.session.execute(sa.select(OpsMinute.minute, *_sums()).where(since).group_by(OpsMinute.minute)):
        index = int((minute - start).total_seconds() // 60) // step
        if 0 <= index < len(buckets):
            buckets[index].add(values)
            total.add(values)
    label_format = "%m-%d %H:%M" if period == "week" else "%H:%M"
    points = []
    for i, bucket in enumerate(buckets):
        at = to_local(start + timedelta(minutes=i * step))
        points.append(Point(at.strftime(label_format), bucket.tps(step * 60), bucket.mean_ms, bucket.p95_ms,
                            bucket.error_rate, bucket.apdex))
    # Each instance's throughput over the same points, for the chart.
    instance_tps: dict[str, list[float]] = {}
    step_seconds = step * 60
    for minute, instance, requests in db.session.execute(
            sa.select(OpsMinute.minute, OpsMinute.instance, sa.func.sum(OpsMinute.requests)).where(since)
            .group_by(OpsMinute.minute, OpsMinute.instance)):
        index = int((minute - start).total_seconds() // 60) // step
        if 0 <= index < len(buckets):
            series = instance_tps.setdefault(instance, [0.0] * len(buckets))
            series[index] += int(requests or 0) / step_seconds
    instances = []
    for instance, *values in db.session.execute(
            sa.select(OpsMinute.instance, *_sums()).where(since).group_by(OpsMinute.instance).order_by(OpsMinute.instance)):
        totals = Totals()
        totals.add(values)
        instances.append((instance, totals))
    endpoints = []
    for endpoint, *values in db.session.execute(sa.select(OpsMinute.endpoint, *_sums()).where(since).group_by(OpsMinute.endpoint)):
        totals = Totals()
        totals.add(values)
        endpoints.append((endpoint, totals))
    busiest = sorted(endpoints, key=lambda e: (-e[1].requests, e[0]))[:10]
    slowest = sorted(endpoints, key=lambda e: (-(e[1].p95_ms or 0), e[0]))[:10]
    return Overview(period, start, total, minutes * 60.0, points, instances, dict(sorted(instance_tps.items())), busiest,
                    slowest, figures.job_counts(),
                    figures.outboxes(), predictions(now))


# --- predictions ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Watch:
    metric: str
    threshold_setting: str
    rising: bool
    scale: float = 1.0  # setting × scale = threshold in the series' unit


WATCHES = (
    Watch("p95", "ERP_ALERT_P95_SECONDS", True),
    Watch("error_rate", "ERP_ALERT_ERROR_RATE", True),
    Watch("apdex", "ERP_ALERT_APDEX", False),
    Watch("db_pool", "ERP_ALERT_DB_POOL", True),
    Watch("outbox_backlog", "ERP_ALERT_OUTBOX_BACKLOG", True),
    Watch("disk_free", "ERP_ALERT_DISK_FREE_MB", False, 1024 * 1024),
)


@dataclass(frozen=True)
class Prediction:
    """A watched metric: its latest value, its threshold and the seconds until its trend crosses
    it (0: crossed; None: not heading there). ``warning`` when that is within the horizon."""

    metric: str
    value: float | None
    threshold: float
    seconds: float | None
    warning: bool

    @property
    def message(self) -> str:
        return warning_text(self)


def series(now: datetime, window_minutes: int) -> dict[str, list[tuple[float, float]]]:
    """Per-minute points (epoch seconds, value) of every watched metric over the window, summed
    over the instances; minutes without requests (or samples) are left out."""
    start = now - timedelta(minutes=window_minutes)
    out: dict[str, list[tuple[float, float]]] = {w.metric: [] for w in WATCHES}
    rows = db.session.execute(sa.select(OpsMinute.minute, *_sums()).where(OpsMinute.minute > start, OpsMinute.minute <= now)
                              .group_by(OpsMinute.minute).order_by(OpsMinute.minute))
    for minute, *values in rows:
        totals = Totals()
        totals.add(values)
        if not totals.requests:
            continue
        t = minute.replace(tzinfo=timezone.utc).timestamp()
        out["p95"].append((t, totals.p95_ms / 1000))
        out["error_rate"].append((t, totals.error_rate))
        out["apdex"].append((t, totals.apdex))
    # Pool use: the busiest instance; the backlog is one figure every instance reads; free disk:
    # the fullest store.
    combine = {"db_pool": sa.func.max, "outbox_backlog": sa.func.max, "disk_free": sa.func.min}
    for name, aggregate in combine.items():
        for minute, value in db.session.execute(
                sa.select(OpsSample.minute, aggregate(OpsSample.value)).where(OpsSample.name == name, OpsSample.minute > start,
                                                                              OpsSample.minute <= now)
                .group_by(OpsSample.minute).order_by(OpsSample.minute)):
            out[name].append((minute.replace(tzinfo=timezone.utc).timestamp(), float(value)))
    return out


def predictions(now: datetime | None = None) -> list[Prediction]:
    """Each watched metric's trend over ERP_PREDICT_WINDOW_MINUTES (method ERP_PREDICT_METHOD)
    and when it crosses its threshold; a warning when that is within ERP_PREDICT_HORIZON_HOURS.
    The clock is the last complete minute: the current one is still being counted."""
    config = current_app.config
    now = (now or utcnow()).replace(second=0, microsecond=0)
    points = series(now, int(config["ERP_PREDICT_WINDOW_MINUTES"]))
    horizon = float(config["ERP_PREDICT_HORIZON_HOURS"]) * 3600
    method = config["ERP_PREDICT_METHOD"]
    result = []
    for watch in WATCHES:
        threshold = float(config[watch.threshold_setting]) * watch.scale
        data = points[watch.metric]
        trend = predict.fit(data, method) if len(data) >= 3 else None
        seconds = predict.seconds_to_cross(trend, threshold, rising=watch.rising,
                                           now=now.replace(tzinfo=timezone.utc).timestamp())
        result.append(Prediction(watch.metric, data[-1][1] if data else None, threshold, seconds,
                                 seconds is not None and seconds <= horizon))
    return result


_cache: dict = {}


def cached_predictions(ttl: float = 30.0) -> list[Prediction]:
    """predictions(), computed at most every ``ttl`` seconds per process (scrapes are frequent)."""
    key = id(current_app._get_current_object())
    hit = _cache.get(key)
    if hit and time.monotonic() - hit[0] < ttl:
        return hit[1]
    value = predictions()
    _cache.clear()
    _cache[key] = (time.monotonic(), value)
    return value


# --- words -----------------------------------------------------------------------------------------

def duration_text(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    if minutes < 120:
        return ngettext("%(n)s minute", "%(n)s minutes", minutes, n=number(minutes))
    hours = round(seconds / 3600)
    if hours < 48:
        return ngettext("%(n)s hour", "%(n)s hours", hours, n=number(hours))
    days = round(seconds / 86400)
    return ngettext("%(n)s day", "%(n)s days", days, n=number(days))


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def value_text(metric: str, value: float | None) -> str:
    if value is None:
        return "–"
    if metric == "p95":
        return _("%(n)s s", n=_number(round(value, 3)))
    if metric in ("error_rate", "db_pool"):
        return f"{_number(round(value * 100, 1))}%"
    if metric == "outbox_backlog":
        return _("%(n)s deliveries", n=_number(value))
    if metric == "disk_free":
        return f"{_number(round(value / 1024 / 1024))} MB"
    return _number(round(value, 3))


def metric_label(metric: str) -> str:
    return {"p95": _("p95 response time"), "error_rate": _("Error rate"), "apdex": _("APDEX"),
            "db_pool": _("Database pool use"), "outbox_backlog": _("Outbox backlog"),
            "disk_free": _("Free space of the attachment store")}[metric]


def warning_text(p: Prediction) -> str:
    """The warning in the user's language, e.g. "p95가 약 40분 후 1초를 넘을 것으로 예상됩니다"."""
    threshold = value_text(p.metric, p.threshold)
    if p.seconds is None:
        return ""
    if p.seconds == 0:
        return _("%(metric)s is beyond its threshold of %(threshold)s now (%(value)s).", metric=metric_label(p.metric),
                 threshold=threshold, value=value_text(p.metric, p.value))
    when = duration_text(p.seconds)
    texts = {
        "p95": _("p95 is expected to exceed %(threshold)s in about %(time)s.", threshold=threshold, time=when),
        "error_rate": _("The error rate is expected to exceed %(threshold)s in about %(time)s.", threshold=threshold, time=when),
        "apdex": _("APDEX is expected to fall below %(threshold)s in about %(time)s.", threshold=threshold, time=when),
        "db_pool": _("Database pool use is expected to exceed %(threshold)s in about %(time)s.", threshold=threshold, time=when),
        "outbox_backlog": _("The outbox backlog is expected to exceed %(threshold)s in about %(time)s.", threshold=threshold,
                            time=when),
        "disk_free": _("Free space of the attachment store is expected to fall below %(threshold)s in about %(time)s.",
                       threshold=threshold, time=when),
    }
    return texts[p.metric]
