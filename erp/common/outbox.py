"""The transactional outbox: calls one plugin owes another, delivered through the other's port.

A plugin writes the call it owes (a target plugin, an operation of its port, and the arguments in
the port's JSON form) as an outbox row in the same transaction as the business change (a payment,
a bill run) — :func:`owe`. The relay delivers pending rows through the target's port; the row's
key travels as the call's idempotency key or reference. A crash between the two never loses a
call (the row stays pending) nor doubles it (the receiver returns what it did the first time for a
key it has seen). Each plugin has its own outbox table (its own bind), made from
``OutboxMixin``; the core knows no plugin and no operation.
"""
from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from erp import ports
from erp.common import tx
from erp.common.clock import utcnow
from erp.common.errors import ServiceError
from erp.extensions import db


class OutboxMixin:
    """Columns of an outbox table: the owed call ``target.operation(**payload)`` with ``payload``
    the JSON object of its keyword arguments (``ports.encode_call`` form), and ``result_ref`` what
    the receiver made of it (e.g. the journal entry's number)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    target: Mapped[str] = mapped_column(sa.String(40))
    operation: Mapped[str] = mapped_column(sa.String(60))
    payload: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)  # pending | delivered
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.String(300), default="")
    result_ref: Mapped[str] = mapped_column(sa.String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()

    def __str__(self) -> str:
        return f"outbox {self.key} {self.target}.{self.operation} {self.status}"


def owe(model, key: str, target: str, operation: str, arguments: dict):
    """Owe the call ``target.operation(**arguments)``, in the caller's transaction; the relay
    delivers it. ``arguments`` are in the port's JSON form (a producer never imports the target's
    ``data.py``): they are checked against the operation's signature now, so a call that could
    never be delivered is refused at the source (``ports.BadCall``, a ServiceError)."""
    ports.decode_call(target, operation, arguments)
    row = model(key=key, target=target, operation=operation, payload=json.dumps(arguments, ensure_ascii=False),
                status="pending", attempts=0, last_error="", result_ref="", created_at=utcnow())
    db.session.add(row)
    return row


def relay(model, limit: int = 100) -> tuple[int, int]:
    """Deliver the pending rows of the outbox ``model``; returns (delivered, failed). Safe to run
    twice, concurrently, or after an interruption: the row's key is the idempotency key. Run by
    the plugins' relay jobs (and commands), never inside another unit of work."""
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
    """Make one row's call and mark it delivered, in one unit of work when the receiver is
    in-process (over HTTP the receiver commits on its own; the key makes a repeat harmless)."""
    row = db.session.get(model, row_id)
    if row is None or row.status != "pending":
        return False
    arguments = ports.decode_call(row.target, row.operation, json.loads(row.payload))
    result = getattr(ports.get(row.target), row.operation)(**arguments)
    mark_delivered(model, row_id, str(getattr(result, "number", "") or "")[:40])
    tx.commit()
    return True


@tx.transactional
def _record_failure(model, row_id: int, error: Exception) -> None:
    row = db.session.get(model, row_id)
    row.attempts += 1
    row.last_error = str(getattr(error, "message", error))[:300]
    tx.commit()
    current_app.logger.warning("outbox %s not delivered: %s", row.key, row.last_error)


def mark_delivered(model, row_id: int, result_ref: str) -> None:
    row = db.session.get(model, row_id)
    row.status, row.result_ref, row.delivered_at = "delivered", result_ref, utcnow()
    row.attempts += 1

