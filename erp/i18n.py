"""Translation helpers shared by the core and the plugins."""
from __future__ import annotations


def N_(text: str) -> str:
    """Mark a string for translation without translating it now (it is stored, or kept in a
    table, and translated where it is shown)."""
    return text


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with an English plural form without translating it now: the pair is one
    entry of the catalogues (extracted with ``-k Nn_:1,2``, as the Makefile does), translated
    with ``ngettext`` where it is shown (e.g. ``erp.jobs.messages.message(Nn_(…), n=3)``)."""
    return singular, plural
