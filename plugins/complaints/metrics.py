"""The complaints plugin's figures for /metrics (``Manifest.metrics``): complaints overdue now."""
from __future__ import annotations

from erp.ops.figures import Figure
from plugins.complaints.services import complaints


def figures() -> list[Figure]:
    return [Figure("erp_complaints_overdue", "Open complaints past their deadline now", complaints.overdue_now())]
