"""Audit trail service: records every write, chains the records, verifies the chains.

Writes made through the ORM are captured automatically (``after_flush``); other events (a login,
a bulk operation done with Core statements, an export) are recorded with :func:`record`. The
pending records of a transaction are chained and inserted just before it commits, so they
commit or roll back together with the change they describe.

Every service keeps its own chain, in its own database: "core" for the core's tables, and one
per loaded plugin (that ships a migration history), named by the plugin's bind key, for the
plugin's tables. An ORM write goes to
the chain of the bind that owns the written table (a table of a bind without a chain: the core's).
A :func:`record` goes to the chain it names, else to the chain of the plugin whose code calls it,
else to the core's. Appending locks only the head rows of the chains a transaction writes, in
the order of the chains' names, so services never wait for each other and two transactions
writing the same chains cannot deadlock.
"""
from __future__ import annotations

import hashlib
import heapq
import hmac
import json
import math
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from erp.audit import anchors
from erp.audit.models import CORE_CHAIN, GENESIS_HASH, AuditEntry, AuditEntryColumns, AuditHead, chain_models
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
    "export": N_("exported"), "post": N_("posted"), "return": N_("returned"), "resubmit": N_("resubmitted"),
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


# --- chains ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Chain:
    """One hash chain: its name, the bind whose database keeps it, its entry and head models."""

    name: str
    bind_key: str | None
    entry: type
    head: type


_EXT = "erp_audit"


def register_chains(app, manifests) -> None:
    """The core's chain and one per plugin in ``manifests`` that ships a migration history
    (which creates the chain's tables; named by the plugin's bind key). A plugin without one
    is recorded in the core's chain."""
    from erp.migrating import plugin_directory

    chains = {CORE_CHAIN: Chain(CORE_CHAIN, None, AuditEntry, AuditHead)}
    packages = {}
    for manifest in manifests:
        if plugin_directory(manifest) is None:
            continue
        entry, head = chain_models(manifest.bind_key)
        chains[manifest.bind_key] = Chain(manifest.bind_key, manifest.bind_key, entry, head)
        packages[manifest.package] = manifest.bind_key
    app.extensions[_EXT] = {"chains": chains, "packages": packages}


def chains() -> dict[str, Chain]:
    """The chains of this process: the core's first, then the loaded plugins' in load order."""
    return current_app.extensions[_EXT]["chains"]


def chain(name: str) -> Chain:
    """The chain called ``name``; ValueError when this process has none of that name."""
    try:
        return chains()[name]
    except KeyError:
        raise ValueError(f"No audit chain {name!r} in this process (chains: {', '.join(chains())})") from None


def _on(target: Chain) -> dict:
    """Execute on the chain's own database (Flask-SQLAlchemy routes ORM statements and inserts
    by bind, but not a Core select)."""
    return {"bind": db.engines[target.bind_key]}


def _chain_of_table(table) -> str:
    bind_key = table.metadata.info.get("bind_key")
    return bind_key if bind_key is not None and bind_key in chains() else CORE_CHAIN


def _chain_of_module(module: str) -> str:
    for package, bind_key in current_app.extensions[_EXT]["packages"].items():
        if module == package or module.startswith(package + "."):
            return bind_key
    return CORE_CHAIN


def record(action: str, entity: str, entity_id="", summary: str = "", before=None, after=None,
           chain: str | None = None, values: dict | None = None) -> None:
    """Record an event in the current transaction's audit trail (written when it commits).

    With ``values``, ``summary`` is a message id (marked ``N_``, English, with ``%(name)s``
    placeholders) kept with its values and shown in each reader's language; numbers get
    thousands separators. ``chain`` names the chain to write (a plugin's bind key, or "core");
    by default the chain of the plugin whose module calls this, or the core's when the caller
    is not a plugin's."""
    if chain is None:
        chain = _chain_of_module(sys._getframe(1).f_globals.get("__name__", ""))
    elif chain not in chains():
        raise ValueError(f"No audit chain {chain!r} in this process (chains: {', '.join(chains())})")
    message = None
    if values is not None:
        message = _dumps({"id": summary, "values": values})
        summary = render_message(summary, values, translate=False)
    _queue(db.session(), chain, action, entity, entity_id, summary, before, after, message)


def _shown(value):
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return value
    return f"{value:,}"


def render_message(message_id: str, values: dict, translate: bool = True) -> str:
    """A recorded message in the reader's language (``translate``) or as written (English)."""
    shown = {name: _shown(value) for name, value in values.items()}
    if translate:
        from flask_babel import gettext

        return gettext(message_id, **shown)
    return message_id % shown


def summary_text(entry) -> str:
    """An audit entry's summary in the reader's language: its message rendered when it has one,
    else the text recorded (older rows, automatic summaries)."""
    if not entry.message:
        return entry.summary
    try:
        data = json.loads(entry.message)
        return render_message(data["id"], data["values"])
    except (ValueError, KeyError, TypeError):  # a message this version cannot render: the text as recorded
        return entry.summary


def _queue(session: Session, chain_name: str, action, entity, entity_id, summary, before, after, message=None) -> None:
    actor_id, actor = current_actor()
    session.info.setdefault(_PENDING, []).append(
        {
            "chain": chain_name,
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
            "message": message,
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
            _queue(session, _chain_of_table(obj.__table__), "create", obj.__tablename__, _identity(obj), str(obj)[:300],
                   None, _column_values(obj))
    for obj in session.dirty:
        if not _audited(obj) or not session.is_modified(obj):
            continue
        before, after = _changes(obj)
        if before or after:
            _queue(session, _chain_of_table(obj.__table__), "update", obj.__tablename__, _identity(obj), str(obj)[:300],
                   before, after)
    for obj in session.deleted:
        if _audited(obj):
            _queue(session, _chain_of_table(obj.__table__), "delete", obj.__tablename__, _identity(obj), str(obj)[:300],
                   _column_values(obj), None)


def _before_flush(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntryColumns):
            raise PermissionError("The audit trail is append-only: its rows are never changed or deleted")


# --- chaining and writing -------------------------------------------------------------------

_HASHED = ("seq", "at", "actor_id", "actor", "action", "entity", "entity_id", "summary",
           "before", "after", "request_id", "ip", "prev_hash")


def _payload(row: dict) -> bytes:
    payload = [row[name].isoformat() if isinstance(row[name], datetime) else row[name] for name in _HASHED]
    if row.get("message") is not None:  # covered when present; rows without one hash as before it existed
        payload.append(row["message"])
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def compute_hash(row: dict, key: bytes | None = None) -> str:
    """HMAC-SHA256, with the audit key (ERP_AUDIT_KEY), over the row's content and the previous
    row's hash: without the key nobody can make a rewritten row's hash match."""
    return hmac.new(key or anchors.key(), _payload(row), hashlib.sha256).hexdigest()


def plain_hash(row: dict) -> str:
    """The unkeyed SHA-256 of the records written before the chain was keyed (up to the
    boundary that ``flask erp audit-rekey`` anchored)."""
    return hashlib.sha256(_payload(row)).hexdigest()


def _before_commit(session: Session) -> None:
    # Also fired when a savepoint is released: the records wait for the outermost commit, so that
    # a savepoint rolled back later (a caller that catches a refusal) takes its records with it.
    if session.info.get(_WRITING) or session.in_nested_transaction():
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
    by_chain: dict[str, list[dict]] = {}
    for entry in pending:
        by_chain.setdefault(entry["chain"], []).append(entry)
    # Heads are locked in the order of the chains' names: two transactions writing the same
    # chains take their locks in the same order and cannot deadlock.
    for name in sorted(by_chain):
        _append_to(session, chain(name), by_chain[name])


def _append_to(session: Session, target: Chain, pending: list[dict]) -> None:
    head_table = target.head.__table__
    # Locks this chain's head row on MariaDB; SQLite holds the write lock since BEGIN IMMEDIATE.
    head = session.execute(sa.select(head_table.c.seq, head_table.c.last_hash)
                           .where(head_table.c.id == 1).with_for_update(), bind_arguments=_on(target)).first()
    if head is None:
        raise RuntimeError(f"The head row of audit chain {target.name!r} is missing; run `flask db upgrade`")
    seq, prev = head
    key = anchors.key()
    rows = []
    for entry in pending:
        seq += 1
        row = {key: value for key, value in entry.items() if key != "chain"}
        row.update(seq=seq, prev_hash=prev)
        row["at"] = row["at"].replace(tzinfo=None)
        row["hash"] = compute_hash(row, key)
        prev = row["hash"]
        rows.append(row)
    # A trigger (core migration 0011, erp.audit.schema for the plugins) moves the head to the
    # last row inserted.
    session.execute(target.entry.__table__.insert(), rows, bind_arguments=_on(target))


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
    """An audit search; ``start`` and ``end`` are local calendar days (inclusive); ``chain``
    empty means every chain of this process."""

    start: date | None = None
    end: date | None = None
    actor: str = ""
    entity: str = ""
    action: str = ""
    text: str = ""
    chain: str = ""


def _query(target: Chain, criteria: Criteria):
    from erp.common.clock import local_day_start_utc

    entry = target.entry
    query = sa.select(entry)
    if criteria.start:
        query = query.where(entry.at >= local_day_start_utc(criteria.start))
    if criteria.end:
        query = query.where(entry.at < local_day_start_utc(criteria.end + timedelta(days=1)))
    for value, column in ((criteria.actor, entry.actor), (criteria.entity, entry.entity), (criteria.action, entry.action)):
        if value:
            query = query.where(column == value)
    if criteria.text:
        like = f"%{criteria.text}%"
        query = query.where(sa.or_(entry.summary.like(like), entry.entity_id == criteria.text,
                                   entry.before.like(like), entry.after.like(like)))
    return query


def _searched(criteria: Criteria) -> list[Chain]:
    if criteria.chain:
        return [chains()[criteria.chain]] if criteria.chain in chains() else []
    return list(chains().values())


def _newest_first(queries_by_chain, limit: int) -> list:
    """The ``limit`` newest entries of several chains (each possibly in its own database): the
    newest ``limit`` of each, merged by time."""
    streams = []
    for target, query in queries_by_chain:
        entry = target.entry
        rows = db.session.execute(query.order_by(entry.at.desc(), entry.seq.desc()).limit(limit),
                                  bind_arguments=_on(target)).scalars()
        streams.append([((row.at, row.seq), row) for row in rows])
    merged = heapq.merge(*streams, key=lambda pair: pair[0], reverse=True)
    return [row for _key, row in list(merged)[:limit]]


@dataclass
class Page:
    """A page of search results over every chain searched (the attributes the pager reads)."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def search(criteria: Criteria, page: int = 1, per_page: int = 50) -> Page:
    """The entries matching ``criteria`` in the chains searched, newest first, one page of them.
    Each chain is read on its own (in split mode they are in different databases)."""
    searched = [(target, _query(target, criteria)) for target in _searched(criteria)]
    total = sum(db.session.execute(sa.select(sa.func.count()).select_from(query.subquery()),
                                   bind_arguments=_on(target)).scalar_one()
                for target, query in searched)
    first = (page - 1) * per_page
    items = _newest_first(searched, first + per_page)[first:] if first < total else []
    return Page(items=items, total=total, page=page, per_page=per_page)


def distinct_values(column_name: str) -> list[str]:
    """The values of ``column_name`` found in any chain, sorted."""
    values = set()
    for target in chains().values():
        column = getattr(target.entry, column_name)
        values.update(db.session.execute(sa.select(column).distinct(), bind_arguments=_on(target)).scalars())
    return sorted(values)


def recent(limit: int = 8, actor_id: int | None = None) -> list:
    """The newest entries of every chain, or the newest of one user."""
    queries = []
    for target in chains().values():
        query = sa.select(target.entry)
        if actor_id is not None:
            query = query.where(target.entry.actor_id == actor_id)
        queries.append((target, query))
    return _newest_first(queries, limit)


def get_entry(chain_name: str, seq: int):
    """Record ``seq`` of chain ``chain_name``, or None."""
    target = chains().get(chain_name)
    return db.session.get(target.entry, seq) if target else None


# --- verification ---------------------------------------------------------------------------

@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    chain: str = CORE_CHAIN
    anchors: int = 0  # anchors of the file checked against the chain
    keyed_from: int = 1  # the first keyed record (after a boundary anchored by audit-rekey)


_REKEY_HINT = (" — if this chain was written before the audit key was introduced, run `flask erp audit-rekey` once"
               " (see docs/security.md)")


def _rows(target: Chain, batch: int):
    """The chain's rows in order, read in batches by key."""
    table = target.entry.__table__
    after = 0
    while True:
        rows = db.session.execute(
            sa.select(table).where(table.c.seq > after).order_by(table.c.seq).limit(batch), bind_arguments=_on(target),
        ).mappings().all()
        if not rows:
            return
        for row in rows:
            yield dict(row)
        after = rows[-1]["seq"]


def _head(target: Chain):
    head_table = target.head.__table__
    return db.session.execute(sa.select(head_table).where(head_table.c.id == 1), bind_arguments=_on(target)).mappings().first()


def verify(chain_name: str = CORE_CHAIN, batch: int = 5000) -> VerifyResult:
    """Walk one chain in order with the audit key, check it against every anchor of its anchor
    file, and report the first sign of tampering, if any: a record altered, missing or out of
    its links, the newest records removed (the head or an anchor records more), an anchored
    record whose hash differs, or an anchor line that is not validly signed."""
    target = chain(chain_name)
    key = anchors.key()
    anchor_file = anchors.read(chain_name)
    checked = 0

    def broken(seq, reason):
        return VerifyResult(False, checked, seq, reason, chain_name, len(anchor_file.anchors))

    if anchor_file.bad:
        number, why = anchor_file.bad[0]
        return broken(None, f"line {number} of the anchor file {anchors.path_of(chain_name)} {why}")
    boundary = anchor_file.boundary
    legacy_until = boundary.seq if boundary else 0
    anchored = {}
    for anchor in anchor_file.anchors:
        anchored.setdefault(anchor.seq, []).append(anchor)
    expected_seq, prev, last_seq = 1, GENESIS_HASH, 0
    for row in _rows(target, batch):
        seq = row["seq"]
        if seq != expected_seq:
            return broken(expected_seq, f"row {expected_seq} is missing (next row is {seq})")
        if row["prev_hash"] != prev:
            return broken(seq, f"row {seq} does not link to row {seq - 1}")
        legacy = seq <= legacy_until
        if (plain_hash(row) if legacy else compute_hash(row, key)) != row["hash"]:
            return broken(seq, f"row {seq} was altered (its hash does not match its content and the audit key)"
                          + ("" if legacy or boundary else _REKEY_HINT))
        for anchor in anchored.get(seq, ()):
            if anchor.head != row["hash"]:
                return broken(seq, f"row {seq} differs from the anchor of {anchor.at} (line {anchor.line}): "
                                   f"the chain was rewritten")
        prev, last_seq = row["hash"], seq
        expected_seq += 1
        checked += 1
    beyond = [a for a in anchor_file.anchors if a.seq > last_seq]
    if beyond:
        first = min(beyond, key=lambda a: a.seq)
        return broken(last_seq + 1, f"rows {last_seq + 1} to {first.seq} are missing: the anchor of {first.at} "
                                    f"(line {first.line}) recorded row {first.seq} — the newest rows were removed")
    head = _head(target)
    if head is None:
        return broken(None, "the chain head row is missing")
    if head["seq"] != last_seq or head["last_hash"] != prev:
        return broken(last_seq + 1, f"rows after {last_seq} are missing (the head records {head['seq']})")
    return VerifyResult(True, checked, chain=chain_name, anchors=len(anchor_file.anchors), keyed_from=legacy_until + 1)


def verify_all(batch: int = 5000, save: bool = False) -> list[VerifyResult]:
    """Verify every chain of this process (the core's, then each loaded plugin's); with ``save``
    the outcome is kept for the audit page."""
    results = [verify(name, batch) for name in chains()]
    if save:
        for result in results:
            anchors.save_verification(result.chain, result.ok, result.checked, result.anchors,
                                      "" if result.ok else f"record {result.broken_seq}: {result.reason}")
    return results


def anchor(chain_name: str, only_if_moved: bool = False):
    """Write a signed checkpoint of ``chain_name``'s head outside the database (its anchor file
    and the log stream); with ``only_if_moved``, nothing when the last anchor records this head
    already. Returns the anchor written, or None."""
    head = _head(chain(chain_name))
    if head is None:
        raise RuntimeError(f"The head row of audit chain {chain_name!r} is missing; run `flask db upgrade`")
    if only_if_moved:
        last = anchors.last_anchor(chain_name)
        if last is not None and (last.seq, last.head) == (head["seq"], head["last_hash"]):
            return None
    return anchors.write(chain_name, head["seq"], head["last_hash"])


def anchor_all(only_if_moved: bool = False) -> list:
    """Anchor every chain of this process; the anchors written."""
    return [written for name in chains() if (written := anchor(name, only_if_moved)) is not None]


@dataclass
class RekeyResult:
    chain: str
    legacy: int  # records chained with plain SHA-256 (pinned by the boundary)
    keyed: int  # records already keyed after them
    boundary_written: bool
    problem: str = ""


def rekey(chain_name: str, batch: int = 5000) -> RekeyResult:
    """Carry a chain begun before the audit key over to the keyed chain, once.

    Records are never rewritten (the log is append-only). The chain is walked: the leading
    records whose plain SHA-256 links hold are the legacy part, and every record after it must
    carry a valid HMAC. Their boundary — the last legacy record's sequence and hash — is written
    as a signed ``boundary`` anchor, after which ``verify`` checks the legacy part by its plain
    hashes up to that pinned hash and the rest with the key. Refused (nothing written) when the
    chain is broken, or when a boundary is anchored already."""
    target = chain(chain_name)
    key = anchors.key()
    existing = anchors.read(chain_name)
    if existing.bad:
        number, why = existing.bad[0]
        return RekeyResult(chain_name, 0, 0, False, f"line {number} of the anchor file {why}")
    if existing.boundary is not None:
        return RekeyResult(chain_name, existing.boundary.seq, 0, False,
                           f"already carried over: records up to {existing.boundary.seq} are pinned "
                           f"by the boundary of {existing.boundary.at}")
    prev, legacy, keyed, expected, legacy_head = GENESIS_HASH, 0, 0, 1, GENESIS_HASH
    for row in _rows(target, batch):
        if row["seq"] != expected or row["prev_hash"] != prev:
            return RekeyResult(chain_name, legacy, keyed, False, f"row {expected} is missing or out of its links")
        if compute_hash(row, key) == row["hash"]:
            keyed += 1
        elif not keyed and plain_hash(row) == row["hash"]:
            legacy, legacy_head = legacy + 1, row["hash"]
        else:
            return RekeyResult(chain_name, legacy, keyed, False, f"row {row['seq']} was altered")
        prev, expected = row["hash"], expected + 1
    head = _head(target)
    if head is None or head["seq"] != expected - 1 or head["last_hash"] != prev:
        return RekeyResult(chain_name, legacy, keyed, False, "the head does not match the last row")
    if legacy:
        anchors.write(chain_name, legacy, legacy_head, kind="boundary")
    anchor(chain_name)
    return RekeyResult(chain_name, legacy, keyed, bool(legacy))
