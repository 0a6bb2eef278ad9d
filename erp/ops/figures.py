"""Figures read from the database when /metrics is scraped (and sampled once a minute for the
threshold prediction): the job queue, every outbox, and whatever each loaded plugin declares.

A plugin declares its figures with ``Manifest.metrics = "plugins.rates.metrics:figures"``: a
function returning a list of :class:`Figure` (the core names no plugin). Outboxes need no
declaration: every table made from :class:`erp.common.outbox.OutboxMixin` is counted.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from erp.common.clock import utcnow
from erp.common import outbox
from erp.common.outbox import OutboxMixin
from erp.extensions import db
from erp.jobs.models import Job


@dataclass(frozen=True)
class Figure:
    """One gauge value: ``name`` (Prometheus style, ``erp_…``), its ``help`` text, the value and
    its labels. Figures of the same name form one metric family."""

    name: str
    help: str
    value: float
    labels: dict[str, str] = field(default_factory=dict)


def _outbox_models() -> list[type]:
    """The outbox models of the plugins loaded here: in split mode another service's plugin may be
    imported (its URL rules are read for the navigation) while its tables live in its own database."""
    loaded = {loaded.manifest.bind_key for loaded in current_app.extensions["erp"]["plugins"].values()}
    found, todo = [], list(OutboxMixin.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if hasattr(cls, "__table__") and getattr(cls, "__bind_key__", None) in loaded:
            found.append(cls)
    return sorted(found, key=lambda c: c.__tablename__)


@dataclass(frozen=True)
class OutboxState:
    table: str
    pending: int
    oldest_age_seconds: float
    refused: int = 0  # deliveries the receiver refused: they wait for a repost, not for the relay


def outboxes() -> list[OutboxState]:
    """Pending deliveries of every loaded outbox and the age of the oldest one, and the refused."""
    now = utcnow()
    states = []
    for model in _outbox_models():
        count, oldest = db.session.execute(
            sa.select(sa.func.count(model.id), sa.func.min(model.created_at)).where(model.status == "pending")).one()
        refused = db.session.execute(sa.select(sa.func.count(model.id)).where(model.status == outbox.REFUSED)).scalar()
        states.append(OutboxState(model.__tablename__, int(count or 0), (now - oldest).total_seconds() if oldest else 0.0,
                                  int(refused or 0)))
    return states


def outbox_model(table: str) -> type | None:
    """The loaded outbox model of ``table`` (None when no loaded plugin has it)."""
    return next((model for model in _outbox_models() if model.__tablename__ == table), None)


def refused_deliveries() -> list[tuple[type, object]]:
    """Every refused delivery of every loaded outbox, as (model, row): the exceptions to resolve."""
    return [(model, row) for model in _outbox_models() for row in outbox.refused(model)]


def job_counts() -> dict[str, int]:
    """Jobs by state among the active ones: ``pending`` is the queue's depth."""
    rows = db.session.execute(sa.select(Job.status, sa.func.count(Job.id)).where(Job.status.in_(("pending", "running")))
                              .group_by(Job.status)).all()
    counts = {"pending": 0, "running": 0}
    counts.update({status: int(n) for status, n in rows})
    return counts


def collect() -> list[Figure]:
    """Every figure read from the database now: the core's and each loaded plugin's."""
    figures: list[Figure] = []
    for status, count in job_counts().items():
        figures.append(Figure("erp_jobs_active", "Jobs waiting in the queue (pending) or being run (running)", count,
                              {"status": status}))
    for state in outboxes():
        figures.append(Figure("erp_outbox_pending", "Deliveries an outbox owes and has not delivered yet", state.pending,
                              {"outbox": state.table}))
        figures.append(Figure("erp_outbox_refused", "Deliveries the receiver refused, waiting for a repost",
                              state.refused, {"outbox": state.table}))
        figures.append(Figure("erp_outbox_oldest_pending_age_seconds", "Age of the oldest pending delivery of an outbox",
                              round(state.oldest_age_seconds, 3), {"outbox": state.table}))
    for provider in current_app.extensions.get("erp_figures", ()):
        figures.extend(provider())
    return figures
