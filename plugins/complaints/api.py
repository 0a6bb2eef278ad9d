"""Public interface of the complaints plugin: the only module other plugins may use, through
``erp.ports.get("complaints")``. It returns the plain objects of ``data.py`` only.
"""
from __future__ import annotations

from plugins.complaints.data import ComplaintSummary
from plugins.complaints.repositories import complaints as repo

__all__ = ["open_complaints_of_customer"]


def open_complaints_of_customer(customer_no: str) -> list[ComplaintSummary]:
    """Open complaints that name a water customer (for the rates clerk's customer page)."""
    return [ComplaintSummary(c.receipt_no, c.type.name, c.title, c.status) for c in repo.open_of_customer(customer_no)]
