"""Transactions belong to the service layer, and they compose: one unit of work per request or job.

A service function is decorated with :func:`transactional` and ends its work with
:func:`commit`. Called from a view, a command or a job, it is the outermost service: its
``commit()`` commits, and a refusal or failure rolls everything back. Called inside another
service's work — directly, or through an in-process port — it joins that unit of work: it runs in
a SAVEPOINT, its ``commit()`` only flushes, a refusal undoes only its own part (the caller decides
whether to go on), and nothing is committed until the outermost service commits. So a service
never commits or rolls back its caller's work (DESIGN.md §2).

Work that must follow a commit, not precede it (delivering an outbox to another plugin), is
registered with :func:`after_commit`: it runs once the outermost unit of work has committed, and
is dropped when it rolls back.
"""
from __future__ import annotations

import logging
import warnings
from functools import wraps

from sqlalchemy.exc import SAWarning

from erp.extensions import db

_DEPTH = "erp_tx_depth"
_SAVEPOINTS = "erp_tx_savepoints"
_PENDING = "erp_tx_after_commit"  # registered in the open transaction
_READY = "erp_tx_after_commit_ready"  # committed; to run when the outermost service returns
_WROTE = "erp_tx_wrote"  # the open transaction has flushed changes

log = logging.getLogger(__name__)


def depth() -> int:
    """How many service calls are open on this session (0: none, 1: the outermost only)."""
    return db.session().info.get(_DEPTH, 0)


def transactional(func):
    """Make ``func`` a service call in the unit of work: outermost, it owns the transaction and
    rolls it back when it raises; nested, it runs in a savepoint that a raise rolls back."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        session = db.session()
        level = session.info.get(_DEPTH, 0)
        session.info[_DEPTH] = level + 1
        if level:
            return _nested(session, func, args, kwargs)
        try:
            return func(*args, **kwargs)
        except BaseException:
            session.rollback()
            raise
        finally:
            session.info[_DEPTH] = 0
            _run_ready(session)

    return wrapper


def _nested(session, func, args, kwargs):
    stack = session.info.setdefault(_SAVEPOINTS, [])
    stack.append(session.begin_nested())
    registered = len(session.info.get(_PENDING, ()))
    try:
        result = func(*args, **kwargs)
    except BaseException:
        savepoint = stack[-1]
        if savepoint.is_active:
            savepoint.rollback()
        del session.info.get(_PENDING, [])[registered:]  # what the undone call asked to follow
        raise
    else:
        savepoint = stack[-1]
        if savepoint.is_active:
            savepoint.commit()  # RELEASE SAVEPOINT: the work stays in the caller's transaction
        return result
    finally:
        stack.pop()
        session.info[_DEPTH] -= 1


def commit() -> None:
    """End the service's work: commit when this is the outermost service call (or none is
    open), otherwise flush into the caller's unit of work."""
    session = db.session()
    if session.info.get(_DEPTH, 0) > 1:
        session.flush()
        return
    session.commit()
    if not session.info.get(_DEPTH, 0):
        _run_ready(session)


def rollback() -> None:
    """Undo the service's work: the whole transaction when outermost, else only this call's
    savepoint (a fresh one takes its place, so the call can go on, e.g. to re-read a row a
    concurrent twin inserted)."""
    session = db.session()
    if session.info.get(_DEPTH, 0) > 1:
        stack = session.info[_SAVEPOINTS]
        if stack[-1].is_active:
            stack[-1].rollback()
        stack[-1] = session.begin_nested()
        return
    session.rollback()


READ_COMMITTED = "READ COMMITTED"
# read_committed() asks for its level every time: SQLAlchemy takes it when the transaction first
# opens the database and, once it has, ignores it with this warning — the level is checked then.
warnings.filterwarnings("ignore", message="Connection is already established for the given bind", category=SAWarning)


def read_committed(table) -> None:
    """Run this unit of work on ``table``'s database in READ COMMITTED (MariaDB): each statement
    reads what is committed when it runs. A service that serialises on row locks (SELECT … FOR
    UPDATE) needs it to see what the writer it waited for committed — under the default REPEATABLE
    READ every plain read after the wait returns the snapshot of the transaction's first read,
    taken before it (two payments of one bill would each find it unpaid).

    The outermost service calls it before it writes: the request's reads so far are rolled back
    (nothing of them is kept; objects read reload when next used) and its transaction begins
    anew. A nested service, or a helper called after its service did so, calls it to check that
    it was done. SQLite needs nothing: it runs one writer at a time from BEGIN IMMEDIATE on. (With
    a binary log, MariaDB writes such a transaction's changes as rows: its default binlog_format
    MIXED does; STATEMENT refuses them.)"""
    session = db.session()
    if session.get_bind(clause=table).dialect.name not in ("mysql", "mariadb"):
        return
    options = {"isolation_level": READ_COMMITTED}
    if not session.in_transaction() and (session.new or session.dirty or session.deleted):
        raise RuntimeError("read_committed() comes before the service writes")
    connection = session.connection(bind_arguments={"clause": table}, execution_options=options)
    if connection.get_execution_options().get("isolation_level") == READ_COMMITTED:
        return  # opened so now (also a plugin's own database first reached by a nested service), or before
    if session.info.get(_DEPTH, 0) > 1:
        raise RuntimeError("read_committed() is called by the outermost service, before the nested one")
    if session.new or session.dirty or session.deleted or session.info.get(_WROTE):
        raise RuntimeError("read_committed() comes before the service writes")
    session.rollback()
    session.connection(bind_arguments={"clause": table}, execution_options=options)


def after_commit(callback) -> None:
    """Run ``callback()`` after the outermost unit of work commits (never if it rolls back)."""
    session = db.session()
    if not session.info.get(_DEPTH, 0):  # no unit of work is open: nothing to wait for
        callback()
        return
    session.info.setdefault(_PENDING, []).append(callback)


def _committed(session) -> None:
    session.info.pop(_WROTE, None)
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_READY, []).extend(pending)


def _rolled_back(session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_WROTE, None)


def _run_ready(session) -> None:
    ready = session.info.pop(_READY, None)
    for callback in dict.fromkeys(ready or ()):  # the same callback registered twice runs once
        try:
            callback()
        except Exception:  # the work it follows is committed; the callback's own retry catches up
            log.exception("after-commit work %r failed", callback)


def init_app(app) -> None:
    """Track the outermost commit and rollback of the application's session."""
    import sqlalchemy as sa

    if not sa.event.contains(db.session, "after_commit", _on_commit):
        sa.event.listen(db.session, "after_commit", _on_commit)
        sa.event.listen(db.session, "after_rollback", _on_rollback)
        sa.event.listen(db.session, "after_flush", _on_flush)


# Both events also fire for a savepoint's release and rollback, while it is still the session's
# current transaction: only the outermost transaction's end counts here.
def _on_commit(session) -> None:
    if not session.in_nested_transaction():
        _committed(session)


def _on_flush(session, _context) -> None:
    session.info[_WROTE] = True


def _on_rollback(session) -> None:
    if not session.in_nested_transaction():
        _rolled_back(session)
