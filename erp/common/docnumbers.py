"""Gapless document numbers per type and year, e.g. ``2026-JE-000123``.

The number is taken inside the caller's transaction by incrementing the sequence row, which
locks it until that transaction ends: concurrent requests queue on the row, and a rolled-back
document gives its number back, so numbers are unique and leave no gaps.
"""
from __future__ import annotations

import re

from erp.common.models import DocumentSequence
from erp.common.sql import next_value

_TYPE = re.compile(r"^[A-Z][A-Z0-9]{0,9}$")


def format_number(doc_type: str, year: int, number: int) -> str:
    return f"{year}-{doc_type}-{number:06d}"


def next_number(doc_type: str, year: int) -> str:
    """Take the next number of ``doc_type`` in ``year`` in the current transaction.

    The caller commits (or rolls back) together with the document that carries the number.
    """
    if not _TYPE.match(doc_type):
        raise ValueError(f"Document type must be 1–10 upper-case letters or digits, got {doc_type!r}")
    number = next_value(DocumentSequence.__table__, {"doc_type": doc_type, "year": year}, "last_number")
    return format_number(doc_type, year, number)
