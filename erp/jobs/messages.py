"""Messages of jobs (their results and errors) stored as a message and its values, and shown in
the reader's language: a worker has no reader, so it must not translate.

``message(N_("%(n)s bills issued"), n=1204)`` is what a job returns (or a ServiceError carries);
``render(stored)`` is what a page shows — translated now, numbers with thousands separators, and
``plural=`` gives the English plural form, chosen by the count ``n`` (both forms are marked with
N_, so each is its own entry of the catalogues: Korean has one form, English two). A stored text that
is not such a message (an exception's text, a row from before) is shown as it is.
"""
from __future__ import annotations

import json

from flask_babel import gettext

from erp.common.formatting import number

KEY = "msg"


def message(msgid: str, plural: str = "", **values) -> str:
    """A message to store: ``msgid`` (marked with N_), optionally its ``plural`` (counted by
    ``n``), and its values (numbers, texts)."""
    stored = {KEY: msgid, "values": values}
    if plural:
        stored["plural"] = plural
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
    msgid = data["plural"] if data.get("plural") and raw.get("n") != 1 else data[KEY]
    return gettext(msgid, **values)
