"""Session limits: an official idle for longer than ERP_IDLE_TIMEOUT_MINUTES, or logged in for
longer than ERP_SESSION_MAX_HOURS however busy, is logged out and told why."""
from __future__ import annotations

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

LAST_SEEN = "_last_seen"
LOGIN_AT = "_login_at"
# The last activity is written into the session at most once a minute: sessions live on the
# server, and a session changed by every request would be one database write (and commit) per
# request. The idle limit is counted in minutes, so it may then end up to a minute early.
LAST_SEEN_STEP = 60
# Health and readiness probes answer the same with or without a login (and must not need the
# database to load one): they neither time out a session nor keep it alive.
PROBES = frozenset({"ops.healthz", "ops.readyz"})


def clock() -> float:
    """Seconds since the epoch (a function, so tests can move time forward)."""
    return time.time()


def check_idle():
    # Nobody has logged in on this session (a citizen, an API client): nothing to time out, and
    # no user to load — the busiest public endpoints stay cheap.
    if "_user_id" not in session or request.endpoint in PROBES or not current_user.is_authenticated:
        return None
    limit = current_app.config["ERP_IDLE_TIMEOUT_MINUTES"] * 60
    now = clock()
    last = session.get(LAST_SEEN)
    login_at = session.get(LOGIN_AT)
    max_hours = current_app.config["ERP_SESSION_MAX_HOURS"]
    if login_at is not None and now - float(login_at) > max_hours * 3600:
        return _end(_("You were logged out after %(hours)d hours since you logged in. Please log in again.",
                      hours=max_hours), "session lifetime")
    if last is not None and now - float(last) > limit:
        return _end(_("You were logged out after %(minutes)d minutes without activity.",
                      minutes=current_app.config["ERP_IDLE_TIMEOUT_MINUTES"]), "idle timeout")
    if request.endpoint != "static" and (last is None or now - float(last) >= LAST_SEEN_STEP):
        session[LAST_SEEN] = now
        session.permanent = True
    return None


def _end(message: str, reason: str):
    from erp.auth import services, sessions

    services.record_logout(current_user._get_current_object(), reason)
    lang = session.get("lang")
    sessions.end_session(session)
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    if request.path.startswith("/api/"):
        return None  # the guard answers 401
    flash(message, "warning")
    return redirect(url_for("auth.login", next=request.path))


def init_app(app) -> None:
    app.before_request(check_idle)
