"""Notices to citizens and officials: every notice is recorded, then handed to the sender.

The default sender only records (this system reaches no network); a deployment names its own in
``COMPLAINTS_NOTICE_SENDER`` ("package.module:Class", with a ``send(notice) -> bool`` method).
"""
from __future__ import annotations

from flask import current_app

from erp.plugins import resolve
from plugins.complaints.models import Notice


class RecordingSender:
    """Keeps the notice as recorded; nothing leaves the system."""

    def send(self, notice: Notice) -> bool:
        return False


def sender():
    target = current_app.config.get("COMPLAINTS_NOTICE_SENDER")
    return resolve(target)() if target else RecordingSender()


def notify(session, complaint_id: int | None, kind: str, recipient: str, text: str, channel: str = "sms") -> Notice:
    """Record a notice and hand it to the sender (in the caller's transaction)."""
    notice = Notice(complaint_id=complaint_id, kind=kind, recipient=recipient, channel=channel, text=text)
    session.add(notice)
    session.flush()
    if sender().send(notice):
        notice.status = "sent"
    return notice
