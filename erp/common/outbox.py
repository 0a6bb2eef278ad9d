"""The transactional outbox to accounting, shared by every plugin that posts entries.

A plugin writes the posting it owes as an outbox row in the same transaction as the business
change (a payment, a bill run); the relay delivers pending rows through the accounting port with
the row's key as idempotency key. A crash between the two never loses a posting (the row stays
pending) nor doubles it (the port returns the first entry for a key it has seen). Each plugin has
its own outbox table (its own bind), made from ``OutboxMixin``.
"""
from __future__ import annotations

import functools
import json
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from erp import ports
from erp.common import tx
from erp.common.clock import utcnow
from erp.common.errors import ServiceError
from erp.extensions import db


class OutboxMixin:
    """Columns of an outbox table. ``payload`` is JSON: ``entry_date`` (ISO), ``memo``,
    ``lines`` as ``[account code, debit, credit, memo]``, optional ``source`` and ``department``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    payload: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)  # pending | delivered
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.String(300), default="")
    entry_number: Mapped[str] = mapped_column(sa.String(20), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()

    def __str__(self) -> str:
        return f"outbox {self.key} {self.status}"


def payload(entry_date: date, memo: str, lines: list, source: str, department: str = "") -> str:
    """An outbox payload; ``lines`` are ``(account code, debit, credit, memo)``."""
    return json.dumps({"entry_date": entry_date.isoformat(), "memo": memo[:300], "lines": [list(line) for line in lines],
                       "source": source, "department": department}, ensure_ascii=False)


def relay(model, limit: int = 100) -> tuple[int, int]:
    """Deliver the pending rows of the outbox ``model``; returns (delivered, failed). Safe to run
    twice, concurrently, or after an interruption: the row's key is the idempotency key.

    Only committed rows are delivered: called inside a unit of work, the relay waits until it has
    committed (see ``tx.after_commit``)."""
    if tx.depth():
        tx.after_commit(functools.partial(relay, model, limit))
        return 0, 0
    delivered = failed = 0
    pending = db.session.execute(sa.select(model.id).where(model.status == "pending").order_by(model.id).limit(limit)).scalars()
    for row_id in list(pending):
        try:
            delivered += _deliver(model, row_id)
        except (ServiceError, ports.PortError) as error:
            _record_failure(model, row_id, error)
            failed += 1
    return delivered, failed


@tx.transactional
def _deliver(model, row_id: int) -> bool:
    """Post one row and mark it delivered, in one unit of work when the receiver is in-process
    (over HTTP the receiver commits on its own; the key makes a repeated delivery harmless)."""
    row = db.session.get(model, row_id)
    if row is None or row.status != "pending":
        return False
    ref = ports.get("accounting").post_entry(posting_request(row.key, json.loads(row.payload)))
    mark_delivered(model, row_id, ref.number)
    tx.commit()
    return True


@tx.transactional
def _record_failure(model, row_id: int, error: Exception) -> None:
    row = db.session.get(model, row_id)
    row.attempts += 1
    row.last_error = str(getattr(error, "message", error))[:300]
    tx.commit()
    current_app.logger.warning("outbox %s not delivered: %s", row.key, row.last_error)


def mark_delivered(model, row_id: int, entry_number: str) -> None:
    row = db.session.get(model, row_id)
    row.status, row.entry_number, row.delivered_at = "delivered", entry_number, utcnow()
    row.attempts += 1


def posting_request(key: str, data: dict):
    """The accounting port's posting request for an outbox row, decoded from JSON by the port's
    own codec (``ports.decode_call``), so no plugin imports the accounting package."""
    lines = [{"account_code": code, "debit": debit, "credit": credit, "memo": memo[:200],
              "department_code": data.get("department", "") if debit else ""} for code, debit, credit, memo in data["lines"]]
    request = {"entry_date": data["entry_date"], "memo": data["memo"], "lines": lines, "idempotency_key": key,
               "source": data.get("source", "")}
    return ports.decode_call("accounting", "post_entry", {"request": request})["request"]
