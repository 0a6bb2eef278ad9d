"""Service tokens: who calls a port over HTTP, for whom, and for which operation.

A token is an ``itsdangerous`` timed signature (HMAC-SHA1 by default, the library's choice) made
with ``ERP_SERVICE_KEY``, the key every service of one installation shares, and the salt
``erp.ports``; it carries the calling service (``svc``), the acting user's id and name (``uid``,
``user``) — so the callee attributes its audit records to the user who acted in the caller — the
caller's request id (``rid``) and the operation it was issued for (``op``, ``plugin.operation``),
so a token seen in one call cannot be replayed against another operation, and the SHA-256 of the
call's body (``body``), so it cannot be replayed with other arguments. It is valid for
``ERP_SERVICE_TOKEN_MAX_AGE`` seconds (default 60) either side of the receiver's clock: each call
gets a fresh one, so the window is only for clock skew and a slow first attempt's retries.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "erp.ports"
MIN_KEY_LENGTH = 32


class TokenRefused(Exception):
    """A token that is malformed, signed with another key, expired, or for another operation."""


@dataclass(frozen=True)
class Claims:
    service: str
    user_id: int | None
    user: str
    request_id: str
    operation: str
    body: str = ""  # SHA-256 (hex) of the request body the token was issued for


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def check_key(key: str, why: str) -> None:
    """Refuse to start HTTP ports or serve port calls without a usable shared key."""
    from erp.ports import PortError

    if not key:
        raise PortError(f"{why}, but ERP_SERVICE_KEY is not set: every service must share one secret key "
                        f"(at least {MIN_KEY_LENGTH} characters, e.g. from `python -c 'import secrets; print(secrets.token_hex(32))'`)")
    if len(key) < MIN_KEY_LENGTH:
        raise PortError(f"{why}, but ERP_SERVICE_KEY is shorter than {MIN_KEY_LENGTH} characters")


def _serializer(key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(key, salt=SALT)


def issue(key: str, claims: Claims) -> str:
    """A signed token for ``claims`` (valid from now for the receiver's max age)."""
    return _serializer(key).dumps({"svc": claims.service, "uid": claims.user_id, "user": claims.user,
                                   "rid": claims.request_id, "op": claims.operation, "body": claims.body})


def verify(key: str, token: str, operation: str, max_age: int, body: bytes) -> Claims:
    """The claims of a valid token for ``operation`` and this ``body``; :class:`TokenRefused`
    says why not. The age is checked either way: a caller whose clock runs a little ahead is no
    reason to refuse (itsdangerous alone refuses any token from the future)."""
    try:
        data, signed_at = _serializer(key).loads(token, return_timestamp=True)
    except BadSignature:
        raise TokenRefused("the service token is not signed with this installation's ERP_SERVICE_KEY") from None
    if abs(time.time() - signed_at.timestamp()) > max_age:
        raise TokenRefused("the service token has expired")
    if not isinstance(data, dict) or data.get("op") != operation:
        raise TokenRefused(f"the service token was not issued for {operation}")
    if data.get("body") != body_digest(body):
        raise TokenRefused("the service token was issued for another request body")
    uid = data.get("uid")
    if uid is not None and (isinstance(uid, bool) or not isinstance(uid, int)):
        raise TokenRefused("the service token names no valid user id")
    return Claims(service=str(data.get("svc", ""))[:60], user_id=uid, user=str(data.get("user", ""))[:100],
                  request_id=str(data.get("rid", ""))[:64], operation=operation)
