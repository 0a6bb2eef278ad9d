"""Audit trail service: records every write, chains the records, verifies the chain.

Writes made through the ORM are captured automatically (``after_flush``); other events (a login,
a bulk operation done with Core statements, an export) are recorded with :func:`record`. The
pending records of a transaction are chained and inserted just before it commits, so they
commit or roll back together with the change they describe.
"""
from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import g, has_request_context, request
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from erp.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from erp.common.clock import utcnow
from erp.extensions import db
from erp.i18n import N_

_PENDING = "erp_audit_pending"
_WRITING = "erp_audit_writing"
_ACTOR = "erp_audit_actor"


def _json_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def _dumps(value) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_json_default)


ACTION_LABELS = {
    "create": N_("created"), "update": N_("changed"), "delete": N_("deleted"),
    "login": N_("logged in"), "logout": N_("logged out"), "login_failed": N_("login failed"),
    "login_refused": N_("login refused"), "locked": N_("account locked"), "unlock": N_("unlocked"),
    "export": N_("exported"),
}


def action_label(action: str) -> str:
    """The action in the reader's language (unknown actions as recorded)."""
    from flask_babel import gettext

    return gettext(ACTION_LABELS[action]) if action in ACTION_LABELS else action


# --- who is acting -------------------------------------------------------------------------

def current_actor() -> tuple[int | None, str]:
    """(user id, user name) to whom the current writes are attributed."""
    override = db.session.info.get(_ACTOR)
    if override is not None:
        return override
    if has_request_context():
        from flask_login import current_user  # imported here: flask-login needs a request

        if current_user and current_user.is_authenticated:
            return current_user.id, current_user.username
        return None, "anonymous"
    return None, "system"


@contextmanager
def acting_as(actor_id: int | None, actor: str):
    """Attribute the writes inside the block to ``actor`` (CLI commands, jobs)."""
    previous = db.session.info.get(_ACTOR)
    db.session.info[_ACTOR] = (actor_id, actor)
    try:
        yield
    finally:
        if previous is None:
            db.session.info.pop(_ACTOR, None)
        else:
            db.session.info[_ACTOR] = previous


def record(action: str, entity: str, entity_id="", summary: str = "", before=None, after=None) -> None:
    """Record an event in the current transaction's audit trail (written when it commits)."""
    _queue(db.session(), action, entity, entity_id, summary, before, after)


def _queue(session: Session, action, entity, entity_id, summary, before, after) -> None:
    actor_id, actor = current_actor()
    session.info.setdefault(_PENDING, []).append(
        {
            "at": utcnow(),
            "actor_id": actor_id,
            "actor": actor[:100],
            "action": action[:30],
            "entity": entity[:80],
            "entity_id": str(entity_id)[:80],
            "summary": (summary or "")[:300],
            "before": _dumps(before),
            "after": _dumps(after),
            "request_id": (g.get("request_id", "") if has_request_context() else "")[:64],
            "ip": ((request.remote_addr or "") if has_request_context() else "")[:64],
        }
    )


# --- automatic capture of ORM writes --------------------------------------------------------

def _audited(obj) -> bool:
    return getattr(type(obj), "__audit__", True)


def _column_values(obj) -> dict:
    state = inspect(obj)
    values = {}
    for attr in state.mapper.column_attrs:
        column = attr.columns[0]
        flag = column.info.get("audit", True)
        if flag is False:
            continue
        values[attr.key] = "***" if flag == "redact" else getattr(obj, attr.key)
    return values


def _changes(obj) -> tuple[dict, dict]:
    state = inspect(obj)
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        flag = attr.columns[0].info.get("audit", True)
        if flag is False:
            continue
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if old == new:
            continue
        before[attr.key] = "***" if flag == "redact" else old
        after[attr.key] = "***" if flag == "redact" else new
    for rel in state.mapper.relationships:
        if not rel.uselist or rel.viewonly:
            continue
        hist = state.attrs[rel.key].history
        if not hist.added and not hist.deleted:
            continue
        before[rel.key] = sorted(str(x) for x in (hist.unchanged or []) + (hist.deleted or []))
        after[rel.key] = sorted(str(x) for x in (hist.unchanged or []) + (hist.added or []))
    return before, after


def _identity(obj) -> str:
    key = inspect(obj).identity
    return ",".join(str(part) for part in key) if key else ""


def _after_flush(session: Session, flush_context) -> None:
    for obj in session.new:
        if _audited(obj):
            _queue(session, "create", obj.__tablename__, _identity(obj), str(obj)[:300], None, _column_values(obj))
    for obj in session.dirty:
        if not _audited(obj) or not session.is_modified(obj):
            continue
        before, after = _changes(obj)
        if before or after:
            _queue(session, "update", obj.__tablename__, _identity(obj), str(obj)[:300], before, after)
    for obj in session.deleted:
        if _audited(obj):
            _queue(session, "delete", obj.__tablename__, _identity(obj), str(obj)[:300], _column_values(obj), None)


def _before_flush(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise PermissionError("The audit trail is append-only: its rows are never changed or deleted")


# --- chaining and writing -------------------------------------------------------------------

_HASHED = ("seq", "at", "actor_id", "actor", "action", "entity", "entity_id", "summary",
           "before", "after", "request_id", "ip", "prev_hash")


def compute_hash(row: dict) -> str:
    """SHA-256 over the row's content and the previous row's hash."""
    payload = [row[name].isoformat() if isinstance(row[name], datetime) else row[name] for name in _HASHED]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()


def _before_commit(session: Session) -> None:
    if session.info.get(_WRITING):
        return
    session.flush()  # capture the changes not yet flushed
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.info[_WRITING] = True
    try:
        _append(session, pending)
    finally:
        session.info.pop(_WRITING, None)


def _append(session: Session, pending: list[dict]) -> None:
    head_table = AuditHead.__table__
    # Locks the head row on MariaDB; SQLite holds the write lock since BEGIN IMMEDIATE.
    head = session.execute(sa.select(head_table.c.seq, head_table.c.last_hash)
                           .where(head_table.c.id == 1).with_for_update()).first()
    if head is None:
        raise RuntimeError("The audit chain head row is missing; run `flask db upgrade`")
    seq, prev = head
    rows = []
    for entry in pending:
        seq += 1
        row = dict(entry, seq=seq, prev_hash=prev)
        row["at"] = row["at"].replace(tzinfo=None)
        row["hash"] = compute_hash(row)
        prev = row["hash"]
        rows.append(row)
    # A trigger (migration 0011) moves the head to the last row inserted.
    session.execute(AuditEntry.__table__.insert(), rows)


_MARKS = "erp_audit_savepoint_marks"


def _after_transaction_create(session: Session, transaction) -> None:
    if transaction.nested:  # remember how many records the savepoint started with
        session.info.setdefault(_MARKS, {})[id(transaction)] = len(session.info.get(_PENDING, []))


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    """A savepoint rolled back: forget what was recorded inside it (the outer work goes on)."""
    mark = session.info.get(_MARKS, {}).pop(id(previous_transaction), None)
    if previous_transaction.nested and mark is not None and _PENDING in session.info:
        del session.info[_PENDING][mark:]


def _after_transaction_end(session: Session, transaction) -> None:
    # A savepoint's mark stays until after_soft_rollback (which fires after this event) or the
    # end of the outermost transaction.
    if transaction.parent is None:  # the outermost transaction ended: commit wrote them, or rollback
        session.info.pop(_PENDING, None)
        session.info.pop(_MARKS, None)


def init_app(app) -> None:
    """Attach the audit listeners to the application's session."""
    if app.extensions.get("erp_audit_listeners"):
        return
    app.extensions["erp_audit_listeners"] = True
    if not sa.event.contains(db.session, "after_flush", _after_flush):
        sa.event.listen(db.session, "before_flush", _before_flush)
        sa.event.listen(db.session, "after_flush", _after_flush)
        sa.event.listen(db.session, "before_commit", _before_commit)
        sa.event.listen(db.session, "after_transaction_create", _after_transaction_create)
        sa.event.listen(db.session, "after_soft_rollback", _after_soft_rollback)
        sa.event.listen(db.session, "after_transaction_end", _after_transaction_end)


# --- reading ---------------------------------------------------------------------------------

@dataclass
class Criteria:
    """An audit search; ``start`` and ``end`` are local calendar days (inclusive)."""

    start: date | None = None
    end: date | None = None
    actor: str = ""
    entity: str = ""
    action: str = ""
    text: str = ""


def search_query(criteria: Criteria):
    """The entries matching ``criteria``, newest first, as a query to page through."""
    from erp.common.clock import local_day_start_utc

    query = sa.select(AuditEntry).order_by(AuditEntry.seq.desc())
    if criteria.start:
        query = query.where(AuditEntry.at >= local_day_start_utc(criteria.start))
    if criteria.end:
        query = query.where(AuditEntry.at < local_day_start_utc(criteria.end + timedelta(days=1)))
    for value, column in ((criteria.actor, AuditEntry.actor), (criteria.entity, AuditEntry.entity),
                          (criteria.action, AuditEntry.action)):
        if value:
            query = query.where(column == value)
    if criteria.text:
        like = f"%{criteria.text}%"
        query = query.where(sa.or_(AuditEntry.summary.like(like), AuditEntry.entity_id == criteria.text,
                                   AuditEntry.before.like(like), AuditEntry.after.like(like)))
    return query


def distinct_values(column_name: str) -> list[str]:
    column = getattr(AuditEntry, column_name)
    return list(db.session.execute(sa.select(column).distinct().order_by(column)).scalars())


def recent(limit: int = 8, actor_id: int | None = None) -> list[AuditEntry]:
    """The newest entries, or the newest of one user."""
    query = sa.select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    return list(db.session.execute(query).scalars())


def get_entry(seq: int) -> AuditEntry | None:
    return db.session.get(AuditEntry, seq)


# --- verification ---------------------------------------------------------------------------

@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify(batch: int = 5000) -> VerifyResult:
    """Walk the chain in order and report the first broken link, if any."""
    table = AuditEntry.__table__
    expected_seq, prev, checked, last_seq = 1, GENESIS_HASH, 0, 0
    while True:
        rows = db.session.execute(
            sa.select(table).where(table.c.seq >= expected_seq).order_by(table.c.seq).limit(batch)
        ).mappings().all()
        if not rows:
            break
        for row in rows:
            row = dict(row)
            if row["seq"] != expected_seq:
                return VerifyResult(False, checked, expected_seq, f"row {expected_seq} is missing (next row is {row['seq']})")
            if row["prev_hash"] != prev:
                return VerifyResult(False, checked, row["seq"], f"row {row['seq']} does not link to row {row['seq'] - 1}")
            if compute_hash(row) != row["hash"]:
                return VerifyResult(False, checked, row["seq"], f"row {row['seq']} was altered (its hash does not match its content)")
            prev, last_seq = row["hash"], row["seq"]
            expected_seq += 1
            checked += 1
    head = db.session.execute(sa.select(AuditHead.__table__).where(AuditHead.__table__.c.id == 1)).mappings().first()
    if head is None:
        return VerifyResult(False, checked, None, "the chain head row is missing")
    if head["seq"] != last_seq or head["last_hash"] != prev:
        return VerifyResult(False, checked, last_seq + 1, f"rows after {last_seq} are missing (the head records {head['seq']})")
    return VerifyResult(True, checked)
