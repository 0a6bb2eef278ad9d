"""Rate limits (Flask-Limiter) that hold across workers and replicas.

Counters live in Redis when ``ERP_RATELIMIT_STORAGE_URL`` (else a redis:// ERP_QUEUE_URL) is
set, otherwise in the database (the core table ``core_rate_limit``) through :class:`DatabaseStorage`,
a storage of the ``limits`` package: ``limits`` has no SQL backend, and its ``memory://`` counts
per process, so a limit of 5 would let 5 through each gunicorn worker. Each hit is one atomic
upsert (INSERT … ON CONFLICT / ON DUPLICATE KEY UPDATE) that adds to the window's count and
returns it, so parallel requests can never all see the count below the limit.

Every request without a login is counted against ERP_RATELIMIT_PUBLIC per address (public pages,
the citizens' forms, the JSON APIs). A public endpoint adds its own limit with one decorator,
by address and, with ``by=``, by the target it names (a receipt or customer number), so spreading
requests over many addresses gains nothing against one target::

    @bp.route("/inquiry", methods=["GET", "POST"])
    @public
    @limit("ERP_RATELIMIT_BILL_INQUIRY", by="customer_no", methods=["POST"])
    def inquiry(): ...

The limit string is a setting (erp.config), e.g. ``"10 per 10 minutes"``. A refused request gets a
429: a Korean page for browsers, JSON for APIs (erp.web.errors).
"""
from __future__ import annotations

import hashlib
import re
import time
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app, request, session
from flask_limiter import Limiter
from limits.storage import Storage
from sqlalchemy.orm import Mapped, mapped_column

from erp.auth.sessions import is_sessionless
from erp.common import sql
from erp.common.clock import utcnow
from erp.extensions import db


class RateLimitWindow(db.Model):
    """The count of one rate-limit key in its current window (written by DatabaseStorage)."""

    __tablename__ = "core_rate_limit"
    __audit__ = False  # counters touched by every public request

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    hits: Mapped[int] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)


def _key(key: str) -> str:
    return key if len(key) <= 255 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _epoch(moment: datetime) -> float:
    return moment.replace(tzinfo=timezone.utc).timestamp()


class DatabaseStorage(Storage):
    """A ``limits`` storage on the application's database (``erp-db://``), for the fixed-window
    strategy. Each call is one short transaction on the request's database session, committed at
    once (a refused request still counts); it runs before the request's own work begins."""

    STORAGE_SCHEME = ["erp-db"]

    def __init__(self, uri: str = "erp-db://", wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        key = _key(key)
        now = utcnow()
        fresh = now + timedelta(seconds=expiry)
        table = RateLimitWindow.__table__
        expired = table.c.expires_at <= now
        # The count restarts in a new window; the hits are decided before the window's end moves.
        statement = sql.upsert(table, {"key": key}, {"hits": amount, "expires_at": fresh},
                               [("hits", sa.case((expired, amount), else_=table.c.hits + amount)),
                                ("expires_at", sa.case((expired, fresh), else_=table.c.expires_at))])
        db.session.rollback()
        try:
            db.session.execute(statement)
            hits = db.session.execute(sa.select(table.c.hits).where(table.c.key == key)).scalar_one()
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return hits

    def _row(self, key: str):
        try:
            return db.session.execute(sa.select(RateLimitWindow.hits, RateLimitWindow.expires_at)
                                      .where(RateLimitWindow.key == _key(key), RateLimitWindow.expires_at > utcnow())).first()
        finally:
            db.session.rollback()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.hits if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return _epoch(row.expires_at) if row else time.time()

    def check(self) -> bool:
        try:
            db.session.execute(sa.select(1))
            return True
        except sa.exc.SQLAlchemyError:
            return False
        finally:
            db.session.rollback()

    def reset(self) -> int | None:
        deleted = db.session.execute(sa.delete(RateLimitWindow)).rowcount
        db.session.commit()
        return deleted

    def clear(self, key: str) -> None:
        db.session.execute(sa.delete(RateLimitWindow).where(RateLimitWindow.key == _key(key)))
        db.session.commit()


def client_address() -> str:
    """The client's address (behind trusted proxies, the one they report: ProxyFix)."""
    return request.remote_addr or "unknown"


def _logged_in() -> bool:
    """Logged-in officials are not limited by the public budget."""
    return "_user_id" in session


limiter = Limiter(
    key_func=client_address,
    application_limits=[lambda: current_app.config["ERP_RATELIMIT_PUBLIC"]],
    application_limits_exempt_when=_logged_in,
    strategy="fixed-window",
    key_prefix="erp",
)


@limiter.request_filter
def _sessionless() -> bool:
    """Files, probes and the calls of other services are never counted: decided first, before
    any limit is looked at (a service call pays nothing for the limits)."""
    return is_sessionless(request.path)


def _target(field: str):
    def key() -> str:
        value = request.view_args.get(field) if request.view_args else None
        if value is None:
            json_body = request.get_json(silent=True) if request.is_json else None
            value = (json_body.get(field) if isinstance(json_body, dict) else None) or request.form.get(field) \
                or request.args.get(field)
        # One target however it is typed: 1101-00001-3 and 1101000013 are the same customer.
        value = re.sub(r"[\s\-]", "", str(value or "")).upper()[:100]
        # No target named: the address's own bucket, so an empty field shares nothing.
        return f"{field}:{value}" if value else f"address:{client_address()}"
    return key


def limit(setting: str, *, by: str | None = None, methods: list[str] | None = None):
    """Limit a view to the rate in the setting ``setting``, per address — and, with ``by`` (a URL,
    form, JSON or query field such as ``receipt_no`` or ``customer_no``), per value of that field
    as well. ``methods`` limits only those methods (e.g. ``["POST"]``)."""
    rate = lambda: current_app.config[setting]  # noqa: E731 - read per request: tests and settings change it
    by_address = limiter.limit(rate, key_func=client_address, methods=methods, scope=f"{setting}:address")

    def decorate(view):
        view = by_address(view)
        if by:
            view = limiter.limit(rate, key_func=_target(by), methods=methods, scope=f"{setting}:{by}")(view)
        return view

    return decorate


def init_app(app) -> None:
    url = app.config.get("ERP_RATELIMIT_STORAGE_URL") or "erp-db://"
    app.config.setdefault("RATELIMIT_STORAGE_URI", url)
    app.config.setdefault("RATELIMIT_ENABLED", app.config.get("ERP_RATELIMIT_ENABLED", True))
    limiter.init_app(app)


def delete_expired() -> int:
    """Delete the counters of windows that are over (database storage; Redis expires its own)."""
    deleted = db.session.execute(sa.delete(RateLimitWindow).where(RateLimitWindow.expires_at <= utcnow())).rowcount
    db.session.commit()
    return deleted
