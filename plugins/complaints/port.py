"""The complaints plugin's public interface as a type: what ``erp.ports.get("complaints")``
offers, in process (``plugins.complaints.api``) and over HTTP (``plugins.complaints.rest``) alike."""
from __future__ import annotations

from typing import Protocol

from erp.ports import idempotent
from plugins.complaints.data import ComplaintSummary


class ComplaintsPort(Protocol):
    @idempotent
    def open_complaints_of_customer(self, customer_no: str) -> list[ComplaintSummary]:
        """Open complaints that name a water customer."""
