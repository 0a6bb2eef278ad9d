"""결재: segregation of duties and 반려 (returning a document with a reason), shared by every
plugin's documents (journal entries, budget requests, commitments, expenditure resolutions,
transfers, write-offs …).

A plugin's document table mixes in :class:`ReturnMixin`; its services call
:func:`check_approver` before approving and :func:`return_document` / :func:`resubmit` for 반려.
The rule is checked against the signed-in official: a process that runs without one (a ``flask``
command, the demo loader, a job not started by a user) is an administrative step, not a second
pair of eyes, and is not held to it.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column

from erp.audit import services as audit
from erp.common.clock import utcnow
from erp.common.errors import refuse

REASON_MAX = 300


class ReturnMixin:
    """The 반려 of a document: why, by whom and when it went back to its drafter. Empty
    ``return_reason``: the document is not (or no longer) returned."""

    return_reason: Mapped[str] = mapped_column(sa.String(REASON_MAX), default="")
    returned_by: Mapped[str] = mapped_column(sa.String(50), default="")
    returned_at: Mapped[datetime | None] = mapped_column()

    @property
    def is_returned(self) -> bool:
        return bool(self.return_reason)


def approver() -> str:
    """The user name decisions are recorded under."""
    return audit.current_actor()[1]


def check_approver(document: str, drafted_by: str | set[str] | list[str]) -> None:
    """Refuse when the signed-in official drafted ``document`` (a translated name such as
    "journal entry"): who drafts a document may not approve it. ``drafted_by`` is the drafter's
    user name, or every user who wrote a part of it."""
    actor_id, actor = audit.current_actor()
    if actor_id is None:
        return
    drafters = {drafted_by} if isinstance(drafted_by, str) else set(drafted_by)
    if actor in drafters:
        refuse(_("You drafted this %(document)s, so another official must approve it (segregation of duties).",
                 document=document))


def check_not_returned(document, name: str) -> None:
    """Refuse to approve a returned document until its drafter resubmits it."""
    if document.is_returned:
        refuse(_("This %(document)s was returned to its drafter; it can be approved once it is resubmitted.",
                 document=name))


def return_document(document, reason: str, *, name: str, entity: str, entity_id) -> None:
    """반려: send ``document`` back to its drafter with ``reason`` (required, kept and audited).
    The caller has checked that the document awaits a decision, and commits."""
    reason = (reason or "").strip()
    if not reason:
        refuse(_("Give the reason for returning the %(document)s.", document=name), "reason")
    if len(reason) > REASON_MAX:
        refuse(_("The reason may be at most %(n)d characters.", n=REASON_MAX), "reason")
    document.return_reason, document.returned_by, document.returned_at = reason, approver(), utcnow()
    _audit(document, "return", entity, entity_id, reason)


def resubmit(document, *, name: str, entity: str, entity_id) -> None:
    """The drafter sends a returned (and corrected) document back for approval; the reason stays
    in the audit trail. The caller commits."""
    if not document.is_returned:
        refuse(_("This %(document)s is not returned: it is waiting for approval already.", document=name))
    _audit(document, "resubmit", entity, entity_id, document.return_reason)
    document.return_reason, document.returned_by, document.returned_at = "", "", None


def _audit(document, action: str, entity: str, entity_id, reason: str) -> None:
    # In the audit chain of the plugin that owns the document (its bind), not the core's.
    audit.record(action, entity, entity_id, reason, chain=getattr(type(document), "__bind_key__", None) or audit.CORE_CHAIN)
