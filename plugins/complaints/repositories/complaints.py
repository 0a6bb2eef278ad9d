"""Complaint queries: by receipt number, the officials' queue, statistics' raw rows."""
from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa

from erp.extensions import db
from plugins.complaints.models import Attachment, Complaint, ComplaintType, Notice

OPEN = ("received", "transferred", "assigned", "supplement", "in_progress", "extended")


def add(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def types(active_only: bool = True) -> list[ComplaintType]:
    query = sa.select(ComplaintType).order_by(ComplaintType.id)
    if active_only:
        query = query.where(ComplaintType.active.is_(True))
    return list(db.session.execute(query).scalars())


def type_by_code(code: str) -> ComplaintType | None:
    return db.session.execute(sa.select(ComplaintType).where(ComplaintType.code == code)).scalar_one_or_none()


def type_by_id(type_id: int) -> ComplaintType | None:
    return db.session.get(ComplaintType, type_id)


def attachment(attachment_id: int) -> Attachment | None:
    return db.session.get(Attachment, attachment_id)


def get(complaint_id: int, *, lock: bool = False) -> Complaint | None:
    query = sa.select(Complaint).where(Complaint.id == complaint_id)
    return db.session.execute(query.with_for_update() if lock else query).scalar_one_or_none()


def by_receipt(receipt_no: str) -> Complaint | None:
    return db.session.execute(sa.select(Complaint).where(Complaint.receipt_no == receipt_no)).scalar_one_or_none()


def queue(*, department: str | None = None, assignee_id: int | None = None, status: str | None = None,
          type_id: int | None = None, open_only: bool = True, text: str | None = None) -> list[Complaint]:
    """Complaints by the officials' filters; ``text`` finds a receipt number, a citizen's name or
    telephone number (digits, any part of them)."""
    query = sa.select(Complaint)
    if text:
        digits = re.sub(r"\D", "", text)
        found = [Complaint.receipt_no.contains(text.upper(), autoescape=True), Complaint.name.contains(text, autoescape=True)]
        if len(digits) >= 3:
            found.append(Complaint.phone.contains(digits, autoescape=True))
        query = query.where(sa.or_(*found))
    if open_only:
        query = query.where(Complaint.status.in_(OPEN))
    if department:
        query = query.where(Complaint.department_code == department)
    if assignee_id:
        query = query.where(Complaint.assignee_id == assignee_id)
    if status:
        query = query.where(Complaint.status == status)
    if type_id:
        query = query.where(Complaint.type_id == type_id)
    return list(db.session.execute(query.order_by(Complaint.due_at, Complaint.id).limit(1000)).scalars())


def filed_between(start: datetime, end: datetime) -> list[Complaint]:
    return list(db.session.execute(sa.select(Complaint).where(Complaint.filed_at >= start, Complaint.filed_at < end)).scalars())


def open_of_customer(customer_no: str) -> list[Complaint]:
    return list(db.session.execute(sa.select(Complaint).where(Complaint.customer_no == customer_no,
                                                              Complaint.status.in_(OPEN))).scalars())


def open_complaints() -> list[Complaint]:
    return list(db.session.execute(sa.select(Complaint).where(Complaint.status.in_(OPEN))).scalars())


def overdue_count(now: datetime) -> int:
    """Open complaints past their deadline (waiting for a citizen's supplement does not count)."""
    return int(db.session.execute(sa.select(sa.func.count(Complaint.id)).where(
        Complaint.status.in_(OPEN), Complaint.status != "supplement", Complaint.due_at.is_not(None),
        Complaint.due_at < now)).scalar() or 0)


def reminded_since(complaint_ids: list[int], since: datetime) -> set[int]:
    """Of ``complaint_ids``, those that had a reminder notice at or after ``since``."""
    if not complaint_ids:
        return set()
    return set(db.session.execute(sa.select(Notice.complaint_id).where(
        Notice.complaint_id.in_(complaint_ids), Notice.kind == "reminder", Notice.at >= since)).scalars())
