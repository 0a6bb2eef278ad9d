"""Anchors of the audit chains: signed checkpoints kept outside the database.

The chain's HMAC stops a database administrator from rewriting records (they lack the key), but
not from deleting the newest records and moving the head back. So the head (chain, sequence,
hash, time) is written regularly — by the ``audit.anchor`` periodic job and ``flask erp
audit-anchor`` — to an append-only JSON-lines file per chain under the storage directory
(``<ERP_STORAGE_DIR>/audit/<chain>.anchors.jsonl``) and as a line in the log stream, each signed
with the audit key. ``audit-verify`` checks every anchor against the chain: an anchored record
missing or a hash differing is tampering, and so is an anchor line whose signature is wrong.

A second kind of line, ``boundary``, is written once by ``flask erp audit-rekey`` on a chain
begun before the key existed: the records up to its sequence were chained with plain SHA-256 and
are pinned by the boundary's hash; the records after it are keyed.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app

from erp.common.paths import private_dir, private_file

log = logging.getLogger("erp.audit")

_ANCHOR_DOMAIN = b"erp-audit-anchor\n"  # anchors and records are signed apart: one never passes as the other
SIGNED_FIELDS = ("kind", "chain", "seq", "head", "at")


def key() -> bytes:
    """The audit key of this process (ERP_AUDIT_KEY)."""
    value = current_app.config.get("ERP_AUDIT_KEY") or ""
    if not value:
        raise RuntimeError("ERP_AUDIT_KEY is empty: the audit trail cannot be chained or verified without its key")
    return value.encode("utf-8")


def folder() -> Path:
    return Path(current_app.config["ERP_STORAGE_DIR"]) / "audit"


def path_of(chain: str) -> Path:
    return folder() / f"{chain}.anchors.jsonl"


def sign(fields: dict, secret: bytes | None = None) -> str:
    payload = json.dumps({name: fields[name] for name in SIGNED_FIELDS}, sort_keys=True, ensure_ascii=False,
                         separators=(",", ":"))
    return hmac.new(secret or key(), _ANCHOR_DOMAIN + payload.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Anchor:
    kind: str  # "checkpoint" or "boundary"
    chain: str
    seq: int
    head: str
    at: str  # ISO time, UTC
    line: int  # line number in the file (1-based)

    @property
    def time(self) -> datetime:
        return datetime.fromisoformat(self.at)


@dataclass
class AnchorFile:
    """What one chain's anchor file says: the valid anchors in order, and the lines that are not
    validly signed anchors of this chain (``(line number, why)``)."""

    anchors: list[Anchor]
    bad: list[tuple[int, str]]

    @property
    def boundary(self) -> Anchor | None:
        return next((a for a in self.anchors if a.kind == "boundary"), None)

    @property
    def last(self) -> Anchor | None:
        return self.anchors[-1] if self.anchors else None


def read(chain: str) -> AnchorFile:
    """Every line of ``chain``'s anchor file, checked (a missing file: no anchors)."""
    result = AnchorFile([], [])
    path = path_of(chain)
    if not path.exists():
        return result
    secret = key()
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                fields = json.loads(text)
                anchor = Anchor(str(fields["kind"]), str(fields["chain"]), int(fields["seq"]), str(fields["head"]),
                                str(fields["at"]), number)
                signature = str(fields["sig"])
            except (ValueError, KeyError, TypeError):
                result.bad.append((number, "is not an anchor"))
                continue
            if not hmac.compare_digest(signature, sign(fields, secret)):
                result.bad.append((number, "has a wrong signature (forged or altered)"))
            elif anchor.chain != chain or anchor.kind not in ("checkpoint", "boundary"):
                result.bad.append((number, "is not an anchor of this chain"))
            else:
                result.anchors.append(anchor)
    return result


def write(chain: str, seq: int, head: str, kind: str = "checkpoint") -> Anchor:
    """Append a signed anchor to ``chain``'s file and the same line to the log stream."""
    fields = {"kind": kind, "chain": chain, "seq": int(seq), "head": head,
              "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    fields["sig"] = sign(fields)
    line = json.dumps(fields, sort_keys=True, ensure_ascii=False) + "\n"
    private_dir(folder())
    path = private_file(path_of(chain))
    # One write() of a short line on a file opened O_APPEND: appenders never interleave.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    log.info("audit anchor", extra={"audit_anchor": fields})
    return Anchor(kind, chain, int(seq), head, fields["at"], 0)


# --- the last verification, for the audit page -------------------------------------------------

def _verified_path(chain: str) -> Path:
    return folder() / f"{chain}.verified.json"


def save_verification(chain: str, ok: bool, checked: int, anchors: int, reason: str) -> None:
    """Keep the outcome of the last verification of ``chain`` (shown on the audit page)."""
    private_dir(folder())
    path = _verified_path(chain)
    temporary = path.with_suffix(".tmp")
    data = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "ok": ok, "checked": checked,
            "anchors": anchors, "reason": reason}
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False)
    os.replace(temporary, path)


def last_verification(chain: str) -> dict | None:
    path = _verified_path(chain)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["at"] = datetime.fromisoformat(data["at"])
        return data
    except (OSError, ValueError, KeyError):
        return None


def last_anchor(chain: str) -> Anchor | None:
    """The newest validly signed anchor of ``chain``."""
    return read(chain).last
