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

import functools
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


# --- migrations -----------------------------------------------------------------------------------
# An outbox table of a plugin's history moves from the first form (a posting to accounting in a
# payload of its own shape, ``entry_number``) to owed port calls. Both plugins' migrations call
# these, so every outbox table changes the same way; pending rows are rewritten, never lost.

def _posting_call(key: str, data: dict) -> dict:
    department = data.get("department", "")
    lines = [{"account_code": code, "debit": debit, "credit": credit, "memo": memo[:200],
              **({"department_code": department} if debit and department else {})}
             for code, debit, credit, memo in data["lines"]]
    return {"request": {"entry_date": data["entry_date"], "memo": data["memo"], "lines": lines, "idempotency_key": key,
                        "source": data.get("source", "")}}


def _posting_payload(arguments: dict) -> dict:
    request = arguments["request"]
    department = next((line.get("department_code", "") for line in request["lines"] if line.get("department_code")), "")
    return {"entry_date": request["entry_date"], "memo": request["memo"], "source": request.get("source", ""),
            "department": department,
            "lines": [[line["account_code"], line.get("debit", 0), line.get("credit", 0), line.get("memo", "")]
                      for line in request["lines"]]}


def _rewrite(op, name: str, convert) -> None:
    table = sa.table(name, sa.column("id", sa.Integer), sa.column("key", sa.String), sa.column("payload", sa.Text))
    connection = op.get_bind()
    for row_id, key, text in connection.execute(sa.select(table.c.id, table.c.key, table.c.payload)).all():
        connection.execute(table.update().where(table.c.id == row_id)
                           .values(payload=json.dumps(convert(key, json.loads(text)), ensure_ascii=False)))


def upgrade_table(op, name: str) -> None:
    """Migration step: the outbox table ``name`` carries owed port calls (target, operation and the
    call's JSON arguments) and the receiver's reference; its rows become accounting.post_entry calls."""
    with op.batch_alter_table(name) as batch:
        batch.add_column(sa.Column("target", sa.String(40), nullable=False, server_default="accounting"))
        batch.add_column(sa.Column("operation", sa.String(60), nullable=False, server_default="post_entry"))
        batch.alter_column("entry_number", new_column_name="result_ref", existing_type=sa.String(20),
                           type_=sa.String(40), existing_nullable=False)
    with op.batch_alter_table(name) as batch:  # the defaults only filled the rows there were
        batch.alter_column("target", server_default=None, existing_type=sa.String(40), existing_nullable=False)
        batch.alter_column("operation", server_default=None, existing_type=sa.String(60), existing_nullable=False)
    _rewrite(op, name, _posting_call)


def downgrade_table(op, name: str) -> None:
    """The reverse of :func:`upgrade_table` (every row there is a posting to accounting)."""
    _rewrite(op, name, lambda key, data: _posting_payload(data))
    with op.batch_alter_table(name) as batch:
        batch.alter_column("result_ref", new_column_name="entry_number", existing_type=sa.String(40),
                           type_=sa.String(20), existing_nullable=False)
        batch.drop_column("operation")
        batch.drop_column("target")
