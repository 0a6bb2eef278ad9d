"""Sessions kept on the server (Flask-Session): the cookie holds a random id, the data lives in
the database — or in Redis when ``ERP_SESSION_REDIS_URL`` is set — so logging out ends the session
on every replica, and a copied cookie opens nothing afterwards.

Flask-Session's own SQLAlchemy backend creates its table when the application starts and commits
the request's database session; here every table comes from the migrations, and a request's work
is committed only by its services. So the database backend is Flask-Session's interface over the
core table ``core_session`` (erp.auth.models.LoginSession); the cookie, the session ids, their
renewal and the serialisation stay the library's.
"""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, Request
from flask_session.base import ServerSideSession, ServerSideSessionInterface

from erp.auth.models import LoginSession
from erp.common.clock import utcnow
from erp.common.sql import upsert
from erp.extensions import db

# Requests that never need a session: static files, the probes, and the calls of other services
# on a plugin's port (POST /api/<plugin>/port/<operation>, erp.ports.service: authenticated by a
# service token, never by a browser's cookie). They are answered without a look-up in the session
# store, and the rate limits of citizens' requests leave them alone (erp.web.limits): the rates
# service calling accounting a thousand times a minute on billing day is no attacker.
_SESSIONLESS_PREFIXES = ("/static/", "/healthz", "/readyz", "/metrics")
_SERVICE_CALL = re.compile(r"/api/[a-z_]+/port/")


def is_sessionless(path: str) -> bool:
    """The request at ``path`` is answered without a browser session (see above)."""
    return path.startswith(_SESSIONLESS_PREFIXES) or _SERVICE_CALL.match(path) is not None


class DatabaseSessionInterface(ServerSideSessionInterface):
    """Flask-Session's interface over the core table ``core_session``.

    The look-up and the writes run on the request's own database session (one connection, so a
    SQLite file is never locked against itself), each in a short transaction of its own: nothing
    else is open when the session is read, and when it is saved the request's work has been
    committed by its services (what is still uncommitted then is what the request's end would roll
    back anyway)."""

    ttl = None  # expired rows are deleted by the periodic job auth.sessions-cleanup, not per request

    def __init__(self, app: Flask):
        super().__init__(app, key_prefix="", permanent=True, sid_length=32, serialization_format="msgpack")

    def open_session(self, app: Flask, request: Request) -> ServerSideSession:
        if is_sessionless(request.path):
            return self.session_class(sid=self._generate_sid(self.sid_length), permanent=self.permanent)
        try:
            return super().open_session(app, request)
        except sa.exc.DBAPIError as error:
            # The database is unreachable. Opening the session happens before the app's error
            # handlers apply (a bare 500): a stand-in session carries the error, and the request's
            # first hook raises it where erp.web.errors answers 503 "try again" (raise_store_error).
            try:
                db.session.rollback()
            except sa.exc.DBAPIError:
                pass
            stand_in = self.session_class(sid=self._generate_sid(self.sid_length), permanent=self.permanent)
            stand_in.store_error = error
            return stand_in

    def save_session(self, app: Flask, session: ServerSideSession, response) -> None:
        # The stand-in session of a sessionless request is never stored: an error page rendered
        # there (a 403 for /metrics) may put a CSRF token in it, and saving it would replace the
        # browser's cookie, logging the user out.
        from flask import request

        if is_sessionless(request.path) or getattr(session, "store_error", None) is not None:
            return
        try:
            super().save_session(app, session, response)
        except sa.exc.DBAPIError as error:
            # The database went away while the request ran (its answer is already the 503 "try
            # again" page): saving runs after the app's error handlers, where an error would turn
            # that answer into a bare 500. The stored session stays as it was.
            app.logger.warning("session not saved, a database error: %s %s", type(error).__name__,
                               (getattr(error.orig, "args", None) or ("",))[0])
            try:
                db.session.rollback()
            except sa.exc.DBAPIError:
                pass

    def _retrieve_session_data(self, store_id: str) -> dict | None:
        if len(store_id) > 100:
            return None
        try:
            row = db.session.execute(sa.select(LoginSession.data).where(
                LoginSession.sid == store_id, LoginSession.expires_at > utcnow())).scalar_one_or_none()
        finally:
            db.session.rollback()  # end the read: the request starts with no transaction open
        return None if row is None else self.serializer.decode(row)

    def _delete_session(self, store_id: str) -> None:
        db.session.rollback()
        db.session.execute(sa.delete(LoginSession).where(LoginSession.sid == store_id))
        db.session.commit()

    def _upsert_session(self, session_lifetime: timedelta, session: ServerSideSession, store_id: str) -> None:
        # One INSERT … ON DUPLICATE KEY UPDATE (SQLite: ON CONFLICT): an UPDATE that finds no row
        # and then an INSERT lets two new visitors' sessions deadlock on MariaDB (each UPDATE holds
        # a gap lock the other's INSERT waits for), and the one chosen as victim went unsaved, so
        # that visitor's first form came back "security token missing".
        data = self.serializer.encode(session)
        expires_at = utcnow() + session_lifetime
        db.session.rollback()
        db.session.execute(upsert(LoginSession.__table__, {"sid": store_id}, {"data": data, "expires_at": expires_at},
                                  [("data", data), ("expires_at", expires_at)]))
        db.session.commit()

    def _delete_expired_sessions(self) -> int:
        deleted = db.session.execute(sa.delete(LoginSession).where(LoginSession.expires_at <= utcnow())).rowcount
        db.session.commit()
        return deleted


def init_app(app: Flask) -> None:
    """Install the server-side session store chosen by the settings."""
    url = app.config.get("ERP_SESSION_REDIS_URL")
    if url:
        import redis
        from flask_session.redis import RedisSessionInterface

        app.session_interface = RedisSessionInterface(
            app, client=redis.Redis.from_url(url), key_prefix="erp:session:", permanent=True, sid_length=32,
            serialization_format="msgpack")
    else:
        app.session_interface = DatabaseSessionInterface(app)
    app.before_request(raise_store_error)


def raise_store_error() -> None:
    """First hook of every request: a session that could not be read (the database is down) ends
    the request with the database's error, which the app answers with 503 "try again"."""
    from flask import session

    error = getattr(session, "store_error", None)
    if error is not None:
        raise error


def end_session(session) -> None:
    """Delete the current session from the store and give the browser a new, empty one."""
    from flask import current_app

    interface = current_app.session_interface
    if isinstance(interface, ServerSideSessionInterface):
        interface.regenerate(session)


def delete_expired() -> int:
    """Delete the sessions whose lifetime has passed (database store; Redis expires its own)."""
    from flask import current_app

    interface = current_app.session_interface
    if isinstance(interface, DatabaseSessionInterface):
        return interface._delete_expired_sessions()
    return 0
