"""Translation helpers shared by the core and the plugins."""
from __future__ import annotations


def N_(text: str) -> str:
    """Mark a string for translation without translating it now (it is stored, or kept in a
    table, and translated where it is shown)."""
    return text
