"""Configuration read from the environment (twelve-factor); nothing secret lives in code."""
from __future__ import annotations

import os
import secrets
import socket
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("ERP_INSTANCE_DIR", ROOT / "instance"))


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"Environment variable {name} must be a whole number, got {raw!r}") from exc


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise RuntimeError(f"Environment variable {name} must be a number of seconds, got {raw!r}") from exc
    if not 0 < value < 3600:
        raise RuntimeError(f"Environment variable {name} must be between 0 and 3600 seconds, got {raw!r}")
    return value


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise RuntimeError(f"Environment variable {name} must be a number, got {raw!r}") from exc
    if value < 0:
        raise RuntimeError(f"Environment variable {name} must not be negative, got {raw!r}")
    return value


def _list(raw: str | None) -> list[str] | None:
    if raw is None or raw.strip() in ("", "all", "*"):
        return None
    if raw.strip() == "none":  # the core alone (split mode's core service)
        return []
    return [part.strip() for part in raw.split(",") if part.strip()]


def _ports(raw: str | None) -> dict[str, str]:
    """Parse ``accounting=http://accounting:8000,budget=inprocess``."""
    result: dict[str, str] = {}
    for part in (raw or "").split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, target = part.partition("=")
        if not sep or not name.strip() or not target.strip():
            raise RuntimeError(f"ERP_PORTS entry {part!r} must look like name=target")
        result[name.strip()] = target.strip()
    return result


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept under instance/.

    Several workers or replicas must share the key, so production sets SECRET_KEY; the embedded
    mode keeps a generated key in the instance folder so sessions survive a restart.
    """
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = INSTANCE_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _audit_key() -> str:
    """ERP_AUDIT_KEY from the environment (the key of the audit trail's HMAC chain and anchors),
    else one generated once and kept under instance/ (owner-only), as for SECRET_KEY. Never in
    the database: whoever can rewrite the database must not be able to re-sign the chain."""
    key = os.environ.get("ERP_AUDIT_KEY")
    if key is not None:
        if not key.strip():  # an unfilled Secret: stop rather than chain with a key of this pod alone
            raise RuntimeError("ERP_AUDIT_KEY is set but empty: fill it (the same on every replica) or unset it")
        return key
    path = INSTANCE_DIR / "audit_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created owner-only from the start (no window in which another user could read it).
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def default_database_url() -> str:
    INSTANCE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'erp.sqlite'}"


def default_queue_url() -> str:
    INSTANCE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'queue.sqlite'}"


def _redis_url(name: str) -> str:
    """A Redis URL for sessions or rate limits: its own setting, else the job queue's Redis."""
    own = os.environ.get(name, "").strip()
    if own:
        return own
    queue = os.environ.get("ERP_QUEUE_URL", "")
    return queue if queue.startswith(("redis://", "rediss://", "unix://")) else ""


def from_environment() -> dict:
    """Every setting the application reads, with its default."""
    idle_minutes = _int("ERP_IDLE_TIMEOUT_MINUTES", 30)
    return {
        "SECRET_KEY": _secret_key(),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or default_database_url(),
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "ERP_PLUGINS": _list(os.environ.get("ERP_PLUGINS")),
        "ERP_PORTS": _ports(os.environ.get("ERP_PORTS")),
        # Service-to-service calls of HTTP ports (erp.ports): the key every service shares, this
        # service's name in the tokens it signs, how long a token is accepted, and the client's
        # timeout (connect and each read) and retries of idempotent calls.
        "ERP_SERVICE_KEY": os.environ.get("ERP_SERVICE_KEY", ""),
        "ERP_SERVICE_NAME": os.environ.get("ERP_SERVICE_NAME", "erp"),
        "ERP_SERVICE_TOKEN_MAX_AGE": _int("ERP_SERVICE_TOKEN_MAX_AGE", 60),
        "ERP_PORT_TIMEOUT": _float("ERP_PORT_TIMEOUT", 10.0),
        "ERP_PORT_RETRIES": _int("ERP_PORT_RETRIES", 2),
        # The audit trail's key (erp.audit): HMAC of every record and signature of the anchors.
        "ERP_AUDIT_KEY": _audit_key(),
        "ERP_STORAGE_DIR": os.environ.get("ERP_STORAGE_DIR") or str(INSTANCE_DIR / "storage"),
        "ERP_LOCALE": os.environ.get("ERP_LOCALE", "ko"),
        "ERP_TIMEZONE": os.environ.get("ERP_TIMEZONE", "Asia/Seoul"),
        "ERP_ORG_NAME": os.environ.get("ERP_ORG_NAME", "한빛시 상수도사업소"),
        # Water-rates collection: the limitation period of water charges (write-off candidates).
        "ERP_RATES_LIMITATION_YEARS": _int("ERP_RATES_LIMITATION_YEARS", 3),
        # The number citizens call about bills and complaints, printed on bills and receipts
        # (121 is the nationwide water-supply number).
        "ERP_ORG_PHONE": os.environ.get("ERP_ORG_PHONE", "국번없이 121"),
        # How long complaint records are kept (the records schedule of the Public Records Act):
        # the consent notice of the filing page tells the citizen (개인정보 보호법 §15(2)).
        "ERP_COMPLAINT_RETENTION_YEARS": _int("ERP_COMPLAINT_RETENTION_YEARS", 10),
        "ERP_LOGIN_MAX_FAILURES": _int("ERP_LOGIN_MAX_FAILURES", 5),
        "ERP_LOGIN_LOCK_MINUTES": _int("ERP_LOGIN_LOCK_MINUTES", 15),
        "ERP_IDLE_TIMEOUT_MINUTES": idle_minutes,
        # Sessions live on the server (erp.auth.sessions): in the database, or in Redis when
        # ERP_SESSION_REDIS_URL (else a redis:// ERP_QUEUE_URL) is set. The idle limit and the
        # absolute limit of a login (ERP_SESSION_MAX_HOURS, a working day) are enforced on each
        # request (erp.auth.session_timeout), which can then say why the user was logged out; a
        # stored session untouched for that long is deleted by the periodic clean-up.
        "ERP_SESSION_REDIS_URL": _redis_url("ERP_SESSION_REDIS_URL"),
        "ERP_SESSION_MAX_HOURS": _int("ERP_SESSION_MAX_HOURS", 12),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("ERP_SESSION_MAX_HOURS", 12)),
        # A session is stored when it changes, not on every request (each store is a database
        # write); an official's stays fresh because the last activity moves every minute.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("ERP_SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the (idle-limited) session
        "BABEL_DEFAULT_LOCALE": os.environ.get("ERP_LOCALE", "ko"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("ERP_TIMEZONE", "Asia/Seoul"),
        "ERP_LOG_LEVEL": os.environ.get("ERP_LOG_LEVEL", "INFO"),
        # Request size limits (erp.web.body_limits): forms with uploads, JSON APIs, batch APIs.
        "MAX_CONTENT_LENGTH": _int("ERP_MAX_UPLOAD_MB", 20) * 1024 * 1024,
        "ERP_MAX_JSON_KB": _int("ERP_MAX_JSON_KB", 64),
        "ERP_MAX_BATCH_MB": _int("ERP_MAX_BATCH_MB", 8),
        # Rate limits (erp.web.limits): counters in Redis when ERP_RATELIMIT_STORAGE_URL (else a
        # redis:// ERP_QUEUE_URL) is set, else in the database. Each limit is a rate such as
        # "5 per hour" (Flask-Limiter's notation), counted per address and, where the endpoint
        # names one, per target (receipt or customer number) as well.
        "ERP_RATELIMIT_STORAGE_URL": _redis_url("ERP_RATELIMIT_STORAGE_URL"),
        "ERP_RATELIMIT_ENABLED": os.environ.get("ERP_RATELIMIT_ENABLED", "1") != "0",
        "ERP_RATELIMIT_PUBLIC": os.environ.get("ERP_RATELIMIT_PUBLIC", "300 per minute"),
        "ERP_RATELIMIT_LOGIN": os.environ.get("ERP_RATELIMIT_LOGIN", "10 per minute"),
        "ERP_RATELIMIT_COMPLAINT_FILING": os.environ.get("ERP_RATELIMIT_COMPLAINT_FILING", "5 per hour"),
        "ERP_RATELIMIT_COMPLAINT_LOOKUP": os.environ.get("ERP_RATELIMIT_COMPLAINT_LOOKUP", "10 per 10 minutes"),
        "ERP_RATELIMIT_BILL_INQUIRY": os.environ.get("ERP_RATELIMIT_BILL_INQUIRY", "10 per 10 minutes"),
        "ERP_RATELIMIT_CALCULATOR": os.environ.get("ERP_RATELIMIT_CALCULATOR", "60 per minute"),
        "ERP_RATELIMIT_QUOTE": os.environ.get("ERP_RATELIMIT_QUOTE", "120 per minute"),
        "ERP_RATELIMIT_AMI": os.environ.get("ERP_RATELIMIT_AMI", "120 per minute"),
        "ERP_RATELIMIT_PAYMENTS": os.environ.get("ERP_RATELIMIT_PAYMENTS", "120 per minute"),
        # The job queue (erp.jobs): a SQLite file by default, redis://… for several machines.
        "ERP_QUEUE_URL": os.environ.get("ERP_QUEUE_URL") or default_queue_url(),
        "ERP_QUEUE_NAME": os.environ.get("ERP_QUEUE_NAME", "erp"),
        # A running job whose heartbeat is older than this was stopped with its worker.
        "ERP_JOB_STALE_SECONDS": _int("ERP_JOB_STALE_SECONDS", 120),
        "ERP_JOB_MAX_ATTEMPTS": _int("ERP_JOB_MAX_ATTEMPTS", 5),
        # Operations (erp.ops): request counting for /metrics and the per-minute figures (0: off),
        # who may scrape /metrics (a bearer token, or addresses of these networks), the name of
        # this instance in the per-minute rows, how often a process adds its counts to them and
        # how long they are kept, and the APDEX T in seconds.
        "ERP_METRICS": os.environ.get("ERP_METRICS", "1") != "0",
        "ERP_METRICS_TOKEN": os.environ.get("ERP_METRICS_TOKEN", ""),
        "ERP_METRICS_ALLOW": os.environ.get("ERP_METRICS_ALLOW", "127.0.0.1/32,::1/128"),
        "ERP_INSTANCE": os.environ.get("ERP_INSTANCE") or socket.gethostname(),
        "ERP_OPS_FLUSH_SECONDS": _int("ERP_OPS_FLUSH_SECONDS", 60),
        "ERP_OPS_KEEP_DAYS": _int("ERP_OPS_KEEP_DAYS", 30),
        "ERP_APDEX_T": _number("ERP_APDEX_T", 0.5),
        # Alert thresholds the trend prediction watches, the window it fits and how far ahead a
        # crossing is worth a warning; ERP_PREDICT_METHOD is linear (least squares) or holt.
        "ERP_ALERT_P95_SECONDS": _number("ERP_ALERT_P95_SECONDS", 1.0),
        "ERP_ALERT_ERROR_RATE": _number("ERP_ALERT_ERROR_RATE", 0.05),
        "ERP_ALERT_APDEX": _number("ERP_ALERT_APDEX", 0.85),
        "ERP_ALERT_DB_POOL": _number("ERP_ALERT_DB_POOL", 0.8),
        "ERP_ALERT_OUTBOX_BACKLOG": _number("ERP_ALERT_OUTBOX_BACKLOG", 100),
        "ERP_ALERT_DISK_FREE_MB": _number("ERP_ALERT_DISK_FREE_MB", 1024),
        "ERP_PREDICT_WINDOW_MINUTES": _int("ERP_PREDICT_WINDOW_MINUTES", 60),
        "ERP_PREDICT_HORIZON_HOURS": _int("ERP_PREDICT_HORIZON_HOURS", 24),
        "ERP_PREDICT_METHOD": os.environ.get("ERP_PREDICT_METHOD", "linear"),
        # Service checks (erp.ops.checks): the address they call, the account a scenario logs in
        # with ({check_user} / {check_password} in a step's form), how long one request may take,
        # who is told of a failure ("module:function", default a log line) and the SLA target (%).
        "ERP_CHECK_BASE_URL": os.environ.get("ERP_CHECK_BASE_URL", "http://127.0.0.1:8000"),
        "ERP_CHECK_USER": os.environ.get("ERP_CHECK_USER", ""),
        "ERP_CHECK_PASSWORD": os.environ.get("ERP_CHECK_PASSWORD", ""),
        "ERP_CHECK_TIMEOUT": _number("ERP_CHECK_TIMEOUT", 10.0),
        "ERP_CHECK_NOTICE_SENDER": os.environ.get("ERP_CHECK_NOTICE_SENDER", ""),
        "ERP_SLA_TARGET": _number("ERP_SLA_TARGET", 99.9),
    }


LANGUAGES = {"ko": "한국어", "en": "English"}
