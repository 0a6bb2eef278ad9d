"""Threshold prediction: when will a metric cross its alert threshold, if its trend goes on?

Two ways to fit the trend of a recent window (the points need not be evenly spaced for the
first):

- :func:`least_squares` — the line of least squares through (t, value), as Prometheus'
  ``predict_linear`` fits it; the line's value now is the starting point.
- :func:`holt` — Holt's double exponential smoothing (level and trend, smoothing factors alpha
  and beta) over evenly spaced values: it follows a recent change of direction sooner.

:func:`seconds_to_cross` answers how long until the fitted trend reaches the threshold, 0 when it
is already beyond, None when the trend does not lead there (flat, or heading away) — so a warning
clears itself when the trend turns.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Trend:
    """A fitted trend: ``value`` at time ``at`` (seconds), changing by ``slope`` per second."""

    value: float
    slope: float
    at: float


def least_squares(points: Sequence[tuple[float, float]]) -> Trend | None:
    """The least-squares line through ``points`` ((t seconds, value)), evaluated at the last t.
    None with fewer than two distinct times."""
    n = len(points)
    if n < 2:
        return None
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var_t = sum((t - mean_t) ** 2 for t, _ in points)
    if var_t == 0:
        return None
    slope = sum((t - mean_t) * (v - mean_v) for t, v in points) / var_t
    last = max(t for t, _ in points)
    return Trend(mean_v + slope * (last - mean_t), slope, last)


def holt(points: Sequence[tuple[float, float]], alpha: float = 0.5, beta: float = 0.3) -> Trend | None:
    """Holt's linear trend over ``points`` taken as evenly spaced (the step is the mean spacing):
    level_0 = v_0, trend_0 = v_1 - v_0; then level = alpha·v + (1-alpha)·(level + trend) and
    trend = beta·(level - previous level) + (1-beta)·trend. None with fewer than two points."""
    if len(points) < 2:
        return None
    if not (0 < alpha <= 1 and 0 < beta <= 1):
        raise ValueError("alpha and beta must be in (0, 1]")
    step = (points[-1][0] - points[0][0]) / (len(points) - 1)
    if step <= 0:
        return None
    level, trend = points[0][1], points[1][1] - points[0][1]
    for _, value in points[1:]:
        previous = level
        level = alpha * value + (1 - alpha) * (level + trend)
        trend = beta * (level - previous) + (1 - beta) * trend
    return Trend(level, trend / step, points[-1][0])


def fit(points: Sequence[tuple[float, float]], method: str = "linear") -> Trend | None:
    """The trend of ``points`` by ``method``: ``linear`` (least squares) or ``holt``."""
    if method == "holt":
        return holt(points)
    if method == "linear":
        return least_squares(points)
    raise ValueError(f"unknown prediction method {method!r} (linear or holt)")


def seconds_to_cross(trend: Trend | None, threshold: float, *, rising: bool, now: float | None = None) -> float | None:
    """Seconds from ``now`` (default: the trend's last point) until ``trend`` reaches
    ``threshold`` — from below when ``rising`` (p95, error rate), from above otherwise (APDEX,
    free disk). 0 when already there; None when the trend does not head for it."""
    if trend is None:
        return None
    now = trend.at if now is None else now
    value = trend.value + trend.slope * (now - trend.at)
    if (value >= threshold) if rising else (value <= threshold):
        return 0.0
    if (trend.slope <= 0) if rising else (trend.slope >= 0):
        return None
    return (threshold - value) / trend.slope
