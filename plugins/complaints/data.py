"""Plain data objects (standard library only) passed across the complaints plugin's interface."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ComplaintSummary:
    receipt_no: str
    type_name: str
    title: str
    status: str
