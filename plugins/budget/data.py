"""Plain data objects (standard library only) passed across the budget plugin's interface."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SectionLine:
    code: str
    name: str
    level: int
    amounts: list[int]
    bold: bool = False


@dataclass
class SettlementSection:
    """예산결산: budget against actual by line, in the shape of the accounting statements."""

    title: str
    columns: list[str]
    sections: list[tuple[str, list[SectionLine], list[int]]] = field(default_factory=list)
    totals: list[tuple[str, list[int]]] = field(default_factory=list)

