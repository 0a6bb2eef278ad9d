"""Complaints tables (bind ``complaints``): complaint types, complaints, their timeline,
attachments, notices to citizens and officials, and failed status look-ups (rate limiting)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from erp.common.clock import utcnow
from erp.extensions import db

BIND = "complaints"


class ComplaintType(db.Model):
    __tablename__ = "complaints_type"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    category: Mapped[str] = mapped_column(sa.String(20))  # statutory | question | suggestion | grievance | report
    department_code: Mapped[str] = mapped_column(sa.String(20))
    deadline_value: Mapped[int] = mapped_column(default=7)
    deadline_unit: Mapped[str] = mapped_column(sa.String(10), default="days")  # days | hours | immediate
    statutory: Mapped[bool] = mapped_column(default=False)
    documents: Mapped[str] = mapped_column(sa.String(300), default="")
    active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Complaint(db.Model):
    __tablename__ = "complaints_complaint"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_no: Mapped[str] = mapped_column(sa.String(20), unique=True)
    type_id: Mapped[int] = mapped_column(sa.ForeignKey("complaints_type.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    name: Mapped[str] = mapped_column(sa.String(50))
    phone: Mapped[str] = mapped_column(sa.String(20))  # digits only
    email: Mapped[str] = mapped_column(sa.String(200), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    customer_no: Mapped[str] = mapped_column(sa.String(30), default="")
    status: Mapped[str] = mapped_column(sa.String(20), index=True)
    department_code: Mapped[str] = mapped_column(sa.String(20), index=True)
    assignee_id: Mapped[int | None] = mapped_column(index=True)
    assignee_name: Mapped[str] = mapped_column(sa.String(100), default="")
    filed_at: Mapped[datetime] = mapped_column(index=True)
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    paused_since: Mapped[datetime | None] = mapped_column()
    paused_minutes: Mapped[int] = mapped_column(default=0)  # working minutes spent waiting for the citizen
    extension_days: Mapped[int] = mapped_column(default=0)
    extensions: Mapped[int] = mapped_column(default=0)
    reply: Mapped[str] = mapped_column(sa.Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column()
    ip: Mapped[str] = mapped_column(sa.String(64), default="", index=True)

    type: Mapped[ComplaintType] = relationship(lazy="joined")
    events: Mapped[list["Event"]] = relationship(back_populates="complaint", order_by="Event.id", cascade="all, delete-orphan")
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="complaint", order_by="Attachment.id",
                                                           cascade="all, delete-orphan")
    billing_links: Mapped[list["BillingLink"]] = relationship(back_populates="complaint", order_by="BillingLink.id",
                                                              cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.status}"


class Event(db.Model):
    """One step of a complaint's timeline; internal notes are never shown to the citizen."""

    __tablename__ = "complaints_event"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(sa.ForeignKey("complaints_complaint.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(30))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    internal: Mapped[bool] = mapped_column(default=False)

    complaint: Mapped[Complaint] = relationship(back_populates="events")

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor}"


class Attachment(db.Model):
    __tablename__ = "complaints_attachment"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(sa.ForeignKey("complaints_complaint.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column()
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by: Mapped[str] = mapped_column(sa.String(20), default="citizen")

    complaint: Mapped[Complaint] = relationship(back_populates="attachments")

    def __str__(self) -> str:
        return self.original_name


class Notice(db.Model):
    """A notice to a citizen or an official, as handed to the sender."""

    __tablename__ = "complaints_notice"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int | None] = mapped_column(sa.ForeignKey("complaints_complaint.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(20))
    recipient: Mapped[str] = mapped_column(sa.String(200))
    channel: Mapped[str] = mapped_column(sa.String(10))
    text: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default="recorded")

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient}"


class BillingLink(db.Model):
    """What a complaint did in billing through the rates port: an adjusting bill for an upheld
    objection, a leak reduction, a move-out settlement. One per complaint and action."""

    __tablename__ = "complaints_billing_link"
    __bind_key__ = BIND
    __table_args__ = (sa.UniqueConstraint("complaint_id", "action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(sa.ForeignKey("complaints_complaint.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(sa.String(20))  # adjusting_bill | leak_reduction | settlement
    bill_number: Mapped[str] = mapped_column(sa.String(30))  # the bill rates issued
    original_number: Mapped[str] = mapped_column(sa.String(30), default="")
    amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(50), default="")

    complaint: Mapped[Complaint] = relationship(back_populates="billing_links")

    def __str__(self) -> str:
        return f"{self.action} {self.bill_number}"


class Open311Key(db.Model):
    """An API key of a civic app that files complaints through Open311 GeoReport v2 (the spec's
    ``api_key``); only its hash is kept, and a revoked key files nothing."""

    __tablename__ = "complaints_open311_key"
    __bind_key__ = BIND

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, info={"audit": "redact"})
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __str__(self) -> str:
        return self.name
