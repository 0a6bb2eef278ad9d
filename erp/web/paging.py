"""Reading paging and redirect targets from requests safely."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, request, url_for

MAX_PAGE = 100_000


def page_arg() -> int:
    """``?page=`` as a number from 1 to MAX_PAGE (anything else: page 1)."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


MAX_ID = 2**31 - 1  # the databases' INT: a larger "id" would overflow the query, not find nothing


def form_id(name: str) -> int:
    """A row id posted in a form field: a whole number from 1 to the INT maximum, else 0 (which
    finds no row, so the service refuses it as it refuses any unknown id)."""
    value = request.form.get(name, type=int)
    return value if value is not None and 1 <= value <= MAX_ID else 0


def id_arg(name: str) -> int | None:
    """``?name=`` as a row id: absent gives None; not a whole number from 1 to the INT maximum
    is a 404 (no such row)."""
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        abort(404)
    return int(value)


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """``?name=`` as a whole number from ``low`` to ``high``: absent or not a number gives
    ``default``; out of range is a 400."""
    value = request.args.get(name, type=int)
    if value is None:
        return default
    if not low <= value <= high:
        abort(400)
    return value


def same_site_path(target: str | None, default_endpoint: str = "web.home") -> str:
    """``target`` when it is a path on this site, else the default page: a redirect to another
    site would let a phishing link bounce through us."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/") and not parts.path.startswith("//"):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return url_for(default_endpoint)
