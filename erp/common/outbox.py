"""The transactional outbox: calls one plugin owes another, delivered through the other's port.

A plugin writes the call it owes (a target plugin, an operation of its port, and the arguments in
the port's JSON form) as an outbox row in the same transaction as the business change (a payment,
a bill run) — :func:`owe`. The relay delivers pending rows through the target's port; the row's
key travels as the call's idempotency key or reference. A crash between the two never loses a
call (the row stays pending) nor doubles it (the receiver returns what it did the first time for a
key it has seen). Each plugin has its own outbox table (its own bind), made from
``OutboxMixin``; the core knows no plugin and no operation.

Unreachable is not refused. When the receiver cannot be reached (``ports.PortError``) the row stays
pending and the relay tries again. When the receiver refuses the call (a ``ServiceError``: a
locked month, an unknown account) trying again would be refused again for ever, so the row becomes
``refused`` with the receiver's message, the relay leaves it, and the producing pages and the
operations page list it. It is resolved by reposting on another date: an official asks for it
(:func:`request_repost`, checked with the receiver when it can tell) and a different official with
the model's approving permission — the chief accountant for postings — approves it
(:func:`approve_repost`), which puts the row back to pending with the new date and queues the relay.
A model says which argument of each operation is its date (``repost_dates``), who may ask and who
may approve (``repost_permission``, ``repost_approve_permission``) and which job relays it
(``relay_job``).
"""
from __future__ import annotations

import json
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column

from erp import jobs, ports
from erp.audit import services as audit
from erp.common import approvals, tx
from erp.common.clock import utcnow
from erp.common.errors import ServiceError, refuse
from erp.extensions import db
from erp.i18n import N_

PENDING, DELIVERED, REFUSED = "pending", "delivered", "refused"
RESERVED = "reserved"  # a key taken by a transaction that has yet to owe its call (never committed so)


class OutboxMixin:
    """Columns of an outbox table: the owed call ``target.operation(**payload)`` with ``payload``
    the JSON object of its keyword arguments (``ports.encode_call`` form), and ``result_ref`` what
    the receiver made of it (e.g. the journal entry's number)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    target: Mapped[str] = mapped_column(sa.String(40))
    operation: Mapped[str] = mapped_column(sa.String(60))
    payload: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)  # pending | delivered | refused (| reserved)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.String(300), default="")
    result_ref: Mapped[str] = mapped_column(sa.String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()
    refused_at: Mapped[datetime | None] = mapped_column()
    # A repost asked for a refused row: the new date, who asked and who approved (approval sends it).
    repost_on: Mapped[date | None] = mapped_column()
    repost_requested_by: Mapped[str] = mapped_column(sa.String(50), default="")
    repost_requested_at: Mapped[datetime | None] = mapped_column()
    repost_approved_by: Mapped[str] = mapped_column(sa.String(50), default="")
    repost_approved_at: Mapped[datetime | None] = mapped_column()

    # Set by each plugin's model: operation -> (dotted path of its date in the payload, the
    # receiver's port operation that tells whether a date is open, or "").
    repost_dates: dict[str, tuple[str, str]] = {}
    repost_permission: str | tuple[str, ...] = ""  # who may ask for a repost (the producing clerks)
    repost_approve_permission = ""  # who approves it (a different official; the chief accountant)
    relay_job = ""  # the job kind that delivers this outbox

    @property
    def entry_date(self) -> date | None:
        """The date the call carries (the posting's date), when the model says where it is."""
        path = self.repost_dates.get(self.operation, ("", ""))[0]
        value = _at_path(json.loads(self.payload), path) if path else None
        return date.fromisoformat(value) if isinstance(value, str) else None

    def __str__(self) -> str:
        return f"outbox {self.key} {self.target}.{self.operation} {self.status}"


def owe(model, key: str, target: str, operation: str, arguments: dict):
    """Owe the call ``target.operation(**arguments)``, in the caller's transaction; the relay
    delivers it. ``arguments`` are in the port's JSON form (a producer never imports the target's
    ``data.py``): they are checked against the operation's signature now, so a call that could
    never be delivered is refused at the source (``ports.BadCall``, a ServiceError). ``key`` is
    new, or one this transaction reserved (:func:`reserve_key`), whose row it fills."""
    ports.decode_call(target, operation, arguments)
    row = db.session.execute(sa.select(model).where(model.key == key, model.status == RESERVED)).scalar_one_or_none()
    if row is None:
        row = model(key=key)
        db.session.add(row)
    row.target, row.operation, row.payload = target, operation, json.dumps(arguments, ensure_ascii=False)
    row.status, row.attempts, row.last_error, row.result_ref, row.created_at = PENDING, 0, "", "", utcnow()
    return row


def reserve_key(model, base: str) -> str:
    """The first of ``base``, ``base:2``, ``base:3`` … that no row of the outbox ``model`` holds,
    reserved for this transaction by a row inserted at once, which :func:`owe` fills before the
    transaction ends (the caller owes it: a reserved row is never delivered). For a series of
    calls keyed by day — a day's receipts of a channel booked by each file imported — whose rows
    are written with their key before the call is owed. Two transactions reserving at once take
    two keys: the later one's insert waits for the earlier (the key is unique), which commits it,
    and then takes the next."""
    n = 0
    while True:
        n += 1
        key = base if n == 1 else f"{base}:{n}"
        if db.session.execute(sa.select(model.id).where(model.key == key)).first() is not None:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(model(key=key, target="", operation="", payload="{}", status=RESERVED, attempts=0,
                                     last_error="", result_ref="", created_at=utcnow()))
        except sa.exc.IntegrityError:
            continue  # taken by a transaction that committed while this one waited for it
        return key


def release_key(model, key: str) -> None:
    """Give back a key this transaction reserved and will not owe a call under."""
    row = db.session.execute(sa.select(model).where(model.key == key, model.status == RESERVED)).scalar_one_or_none()
    if row is not None:
        db.session.delete(row)


def relay(model, limit: int = 100) -> tuple[int, int]:
    """Deliver the pending rows of the outbox ``model``; returns (delivered, failed). Safe to run
    twice, concurrently, or after an interruption: the row's key is the idempotency key. Run by
    the plugins' relay jobs (and commands), never inside another unit of work. A row the receiver
    cannot be reached for stays pending; a row the receiver refuses becomes ``refused`` (counted
    in ``failed``) and is not tried again until a repost is approved."""
    delivered = failed = 0
    pending = db.session.execute(sa.select(model.id).where(model.status == PENDING).order_by(model.id).limit(limit)).scalars()
    for row_id in list(pending):
        try:
            delivered += _deliver(model, row_id)
        except ports.PortError as error:
            _record_failure(model, row_id, error)
            failed += 1
        except ServiceError as error:
            _record_refusal(model, row_id, error)
            failed += 1
    return delivered, failed


@tx.transactional
def _deliver(model, row_id: int) -> bool:
    """Make one row's call and mark it delivered, in one unit of work when the receiver is
    in-process (over HTTP the receiver commits on its own; the key makes a repeat harmless)."""
    row = db.session.get(model, row_id)
    if row is None or row.status != PENDING:
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


@tx.transactional
def _record_refusal(model, row_id: int, error: ServiceError) -> None:
    row = db.session.get(model, row_id)
    row.attempts += 1
    row.status, row.refused_at = REFUSED, utcnow()
    row.last_error = str(getattr(error, "message", error))[:300]
    row.repost_on, row.repost_requested_by, row.repost_requested_at = None, "", None
    audit.record("refused", model.__tablename__, row.id, N_("%(key)s refused: %(reason)s"),
                 values={"key": row.key, "reason": row.last_error}, chain=_chain(model))
    tx.commit()
    current_app.logger.error("outbox %s refused by %s: %s", row.key, row.target, row.last_error)


def mark_delivered(model, row_id: int, result_ref: str) -> None:
    row = db.session.get(model, row_id)
    row.status, row.result_ref, row.delivered_at = DELIVERED, result_ref, utcnow()
    row.attempts += 1


# --- refused deliveries: listed, reposted on an open date with approval ------------------------------

def refused(model) -> list:
    """The refused rows of the outbox ``model``, oldest first."""
    return list(db.session.execute(sa.select(model).where(model.status == REFUSED).order_by(model.id)).scalars())


def refused_like(model, prefix: str) -> list:
    """The refused rows of ``model`` whose key starts with ``prefix`` (one page's postings)."""
    return list(db.session.execute(sa.select(model).where(model.status == REFUSED, model.key.like(prefix + "%"))
                                   .order_by(model.id)).scalars())


def get_refused(model, row_id: int):
    """A refused row of ``model`` (a ServiceError when there is none, or it is no longer refused)."""
    row = db.session.get(model, row_id)
    if row is None or row.status != REFUSED:
        refuse(_("This posting is not refused (it was delivered or reposted already)."))
    return row


@tx.transactional
def request_repost(model, row_id: int, on: date):
    """Ask to post the refused row ``row_id`` again dated ``on``; a different official approves it
    (:func:`approve_repost`). The receiver is asked now whether ``on`` is open, when its port can
    tell, so a date that would be refused again is refused here."""
    _require(model.repost_permission, model.repost_approve_permission)
    row = get_refused(model, row_id)
    path, check = model.repost_dates.get(row.operation, ("", ""))
    if not path:
        refuse(_("A posting of this kind cannot be reposted on another date."))
    if not isinstance(on, date):
        refuse(_("Choose the date to post it on."), "repost_on")
    if check and not getattr(ports.get(row.target), check)(on):
        refuse(_("%(date)s is in a locked or closed period: choose an open date.", date=on.isoformat()), "repost_on")
    row.repost_on, row.repost_requested_by, row.repost_requested_at = on, approvals.approver(), utcnow()
    audit.record("repost_request", model.__tablename__, row.id, N_("%(key)s: repost on %(date)s asked for"),
                 values={"key": row.key, "date": on.isoformat()}, chain=_chain(model))
    tx.commit()
    return row


@tx.transactional
def approve_repost(model, row_id: int):
    """Approve the repost asked for the refused row ``row_id`` (by another official than the one
    who asked): its date becomes the new one, it is pending again and the relay is queued. The
    key stays the same, so the receiver still posts it once."""
    _require(model.repost_approve_permission)
    row = get_refused(model, row_id)
    if row.repost_on is None:
        refuse(_("No repost has been asked for this posting yet."))
    approvals.check_approver(_("repost"), row.repost_requested_by)
    path, check = model.repost_dates[row.operation]
    if check and not getattr(ports.get(row.target), check)(row.repost_on):
        refuse(_("%(date)s is in a locked or closed period: choose an open date.", date=row.repost_on.isoformat()), "repost_on")
    payload = json.loads(row.payload)
    before = _at_path(payload, path)
    _set_path(payload, path, row.repost_on.isoformat())
    row.payload = json.dumps(payload, ensure_ascii=False)
    row.status, row.refused_at = PENDING, None
    row.repost_approved_by, row.repost_approved_at = approvals.approver(), utcnow()
    audit.record("repost_approve", model.__tablename__, row.id, N_("%(key)s: repost moved from %(before)s to %(date)s"),
                 values={"key": row.key, "before": before, "date": row.repost_on.isoformat()},
                 before={"date": before, "refusal": row.last_error}, after={"date": row.repost_on.isoformat()},
                 chain=_chain(model))
    if model.relay_job:
        jobs.enqueue(model.relay_job, key=model.relay_job)
    tx.commit()
    return row


def _require(*permissions) -> None:
    """The signed-in official must hold one of ``permissions`` (each a code or a tuple of codes);
    a command or a job acts administratively."""
    if not has_request_context():
        return
    from flask_login import current_user  # flask-login needs a request

    if current_user.is_authenticated and not any(current_user.can(p) for p in permissions if p):
        refuse(_("You may not do this: it needs the permission %(permission)s.", permission=" / ".join(
            " / ".join(p) if isinstance(p, tuple) else p for p in permissions if p)))


def _chain(model) -> str:
    return getattr(model, "__bind_key__", None) or audit.CORE_CHAIN


def _at_path(data: dict, path: str):
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _set_path(data: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data[part]
    data[last] = value

