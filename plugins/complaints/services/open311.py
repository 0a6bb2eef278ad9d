"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2): civic apps list the complaint types as
services, file complaints as service requests with an API key, and follow them by receipt number.

The complaint types are the services (service_code = the type's code). A request is filed like a
citizen's complaint (the same checks, deadline and receipt notice); the app that holds the key has
asked the citizen's consent. What the API shows of a request is its status, type, department and
dates — never the citizen's name, telephone, text or the reply, which only the citizen sees with
the receipt number and telephone on the status page.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timezone

import sqlalchemy as sa
from flask_babel import gettext as _

from erp.common import tx
from erp.common.clock import to_local
from erp.common.errors import refuse
from erp.common.tx import transactional
from erp.extensions import db
from plugins.complaints.models import Complaint, Open311Key
from plugins.complaints.repositories import complaints as repo
from plugins.complaints.services import complaints as service
from plugins.complaints.services.deadlines import describe

MAX_IDS = 50  # service_request_id values in one query


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transactional
def issue_key(name: str) -> tuple[Open311Key, str]:
    """A new API key for a civic app; returns it with the key, shown only this once."""
    name = (name or "").strip()[:100]
    if not name:
        refuse(_("Name the application."), "name")
    if db.session.execute(sa.select(Open311Key.id).where(Open311Key.name == name)).first():
        refuse(_("An application of this name has a key already."), "name")
    key = secrets.token_urlsafe(32)
    item = Open311Key(name=name, key_hash=_hash(key))
    db.session.add(item)
    tx.commit()
    return item, key


@transactional
def revoke_key(name: str) -> Open311Key:
    item = db.session.execute(sa.select(Open311Key).where(Open311Key.name == name)).scalar_one_or_none()
    if item is None:
        raise LookupError(name)
    item.active = False
    tx.commit()
    return item


def authenticate(key: str) -> Open311Key | None:
    if not key:
        return None
    wanted = _hash(key)
    item = db.session.execute(sa.select(Open311Key).where(Open311Key.key_hash == wanted)).scalar_one_or_none()
    if item is None or not item.active or not hmac.compare_digest(item.key_hash, wanted):
        return None
    return item


def _w3c(moment: datetime | None) -> str | None:
    """A stored UTC moment in W3C format with the office's offset (2026-11-26T09:30:00+09:00)."""
    if moment is None:
        return None
    local = to_local(moment)
    return local.replace(tzinfo=timezone(local - moment)).isoformat(timespec="seconds")


def services() -> list[dict]:
    """GET services: every complaint type in use."""
    return [{"service_code": t.code, "service_name": t.name, "metadata": False, "type": "batch",
             "description": _("Handled within %(deadline)s.", deadline=describe(t.deadline_value, t.deadline_unit))
             + (" " + _("Documents needed: %(documents)s", documents=t.documents) if t.documents else ""),
             "keywords": t.category, "group": t.category}
            for t in repo.types()]


def definition(code: str) -> dict | None:
    kind = repo.type_by_code(code)
    if kind is None or not kind.active:
        return None
    return {"service_code": kind.code, "attributes": []}


def _request(complaint: Complaint, departments: dict[str, str]) -> dict:
    updated = max((e.at for e in complaint.events), default=complaint.filed_at)
    closed = complaint.status not in repo.OPEN
    return {"service_request_id": complaint.receipt_no, "status": "closed" if closed else "open",
            "status_notes": service.status_label(complaint.status), "service_name": complaint.type.name,
            "service_code": complaint.type.code,
            "agency_responsible": departments.get(complaint.department_code, complaint.department_code),
            "service_notice": "", "requested_datetime": _w3c(complaint.filed_at), "updated_datetime": _w3c(updated),
            "expected_datetime": None if closed or complaint.status == "supplement" else _w3c(complaint.due_at)}


def requests(ids: list[str] | None = None, *, codes: list[str] | None = None, status: str | None = None,
             start: datetime | None = None, end: datetime | None = None) -> list[dict]:
    """GET requests: by receipt numbers, or by type, status (open/closed) and filing time (the
    last 90 days when no time is given), newest first, at most 1,000."""
    from erp.auth import services as auth

    departments = {d.code: d.name for d in auth.list_departments()}
    query = sa.select(Complaint)
    if ids:
        query = query.where(Complaint.receipt_no.in_(ids[:MAX_IDS]))
    else:
        if codes:
            kinds = [t.id for t in repo.types(active_only=False) if t.code in codes]
            query = query.where(Complaint.type_id.in_(kinds))
        if status == "open":
            query = query.where(Complaint.status.in_(repo.OPEN))
        elif status == "closed":
            query = query.where(Complaint.status.not_in(repo.OPEN))
        if start is not None:
            query = query.where(Complaint.filed_at >= start)
        if end is not None:
            query = query.where(Complaint.filed_at <= end)
    items = db.session.execute(query.order_by(Complaint.filed_at.desc()).limit(1000)).scalars()
    return [_request(c, departments) for c in items]


@transactional
def create(app: Open311Key, *, service_code: str, description: str, first_name: str = "", last_name: str = "",
           phone: str = "", email: str = "", address: str = "", lat: float | None = None, lon: float | None = None,
           account_id: str = "") -> dict:
    """POST requests: file the complaint; returns the request id (the receipt number) and a notice."""
    kind = repo.type_by_code(service_code)
    if kind is None or not kind.active:
        refuse(_("There is no service %(code)s.", code=service_code), "service_code")
    name = " ".join(part for part in (last_name.strip(), first_name.strip()) if part)  # Korean order: family name first
    if not name:
        refuse(_("Give the citizen's name (first_name, last_name)."), "first_name")
    if not phone.strip():
        refuse(_("Give the citizen's telephone number: with it and the receipt number they follow the complaint."), "phone")
    if not description.strip():
        refuse(_("Describe the request."), "description")
    where = address.strip() or (f"{lat:.6f}, {lon:.6f}" if lat is not None and lon is not None else "")
    title = description.strip().splitlines()[0][:100]
    complaint = service.file(kind.code, title=title, body=description, name=name, phone=phone, email=email,
                             address=where, customer_no=account_id, ip="")
    notice = _("Receipt number %(no)s; due by %(due)s.", no=complaint.receipt_no,
               due=to_local(complaint.due_at).strftime("%Y-%m-%d %H:%M"))
    tx.commit()
    return {"service_request_id": complaint.receipt_no, "service_notice": notice, "account_id": account_id or None}
