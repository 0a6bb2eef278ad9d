"""Messages of jobs (their results and errors) stored as a message and its values, and shown in
the reader's language: a worker has no reader, so it must not translate.

``message(N_("Bill run %(period)s done"), period="2026-10")`` or, with a count,
``message(Nn_("%(n)s bill issued", "%(n)s bills issued"), n=1204)`` is what a job returns (or a
ServiceError carries); ``render(stored)`` is what a page shows — translated now, numbers with
thousands separators, a pair translated by ``ngettext`` on the count ``n`` (one catalogue entry with
its plural forms: Korean has one, English two). A stored text that is not such a message (an
exception's text, a row from before) is shown as it is.
"""
from __future__ import annotations

import json

from flask_babel import gettext, ngettext

from erp.common.formatting import number

KEY = "msg"


def message(msgid: str | tuple[str, str], **values) -> str:
    """A message to store: ``msgid`` marked with N_, or a singular and plural pair marked with
    Nn_ (counted by the value ``n``), and its values (numbers, texts)."""
    if isinstance(msgid, tuple):
        if not isinstance(values.get("n"), int):
            raise TypeError("a message with a plural form is counted by an integer value n")
        msgid, plural = msgid
        stored = {KEY: msgid, "plural": plural, "values": values}
    else:
        stored = {KEY: msgid, "values": values}
    return json.dumps(stored, ensure_ascii=False, sort_keys=True)


def render(stored: str | None) -> str:
    """The stored message in the current language, or the text itself if it is not one."""
    if not stored or not stored.startswith("{"):
        return stored or ""
    try:
        data = json.loads(stored)
    except ValueError:
        return stored
    if not isinstance(data, dict) or KEY not in data:
        return stored
    raw = data.get("values") or {}
    values = {name: number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
              for name, value in raw.items()}
    if data.get("plural") and isinstance(raw.get("n"), int):
        return ngettext(data[KEY], data["plural"], raw["n"], **values)
    return gettext(data[KEY], **values)
