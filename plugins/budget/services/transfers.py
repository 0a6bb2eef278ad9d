"""Transfers between budget lines: 이용 (between projects) and 전용 (between items of one
project), requested with a reason and effective on approval, within the rules."""
from __future__ import annotations

from flask_babel import gettext as _

from erp.common import approvals, tx
from erp.common.clock import utcnow
from erp.common.tx import transactional
from erp.extensions import db
from plugins.budget.models import Transfer
from plugins.budget.repositories import budget as repo
from plugins.budget.services.common import actor, no_transfer_in, no_transfer_out, refuse, whole_won
from plugins.budget.services.compilation import recalculate


def _check(from_line, to_line, amount: int) -> None:
    if from_line is None or to_line is None or from_line.year != to_line.year:
        refuse(_("Choose two lines of the same year."), "to_line_id")
    if from_line.id == to_line.id:
        refuse(_("A line cannot transfer to itself."), "to_line_id")
    if from_line.side != "expenditure" or to_line.side != "expenditure":
        refuse(_("Only expenditure lines transfer budget."), "from_line_id")
    whole_won(amount, "amount", _("Amounts are whole won, not negative."))
    if amount == 0:
        refuse(_("Enter the amount to transfer."), "amount")
    if from_line.item_code in no_transfer_out():
        refuse(_("Item %(item)s (%(name)s) may not be moved out.", item=from_line.item_code, name=from_line.name), "from_line_id")
    if to_line.item_code in no_transfer_in():
        refuse(_("Item %(item)s (%(name)s) may not receive transfers.", item=to_line.item_code, name=to_line.name), "to_line_id")
    if from_line.available < amount:
        refuse(_("Only %(available)s won of %(line)s is free to transfer.", available=f"{from_line.available:,}",
                 line=from_line.code), "amount")


def kind_of(from_line, to_line) -> str:
    """이용 between projects, 전용 between items of the same project."""
    return "diversion" if from_line.project_id == to_line.project_id else "use"


@transactional
def request(from_line_id: int, to_line_id: int, amount: int, reason: str) -> Transfer:
    """Request a transfer (checked now, and again on approval)."""
    from_line, to_line = repo.line(from_line_id), repo.line(to_line_id)
    _check(from_line, to_line, amount)
    if not (reason or "").strip():
        refuse(_("Give the reason for the transfer."), "reason")
    transfer = repo.add(Transfer(year=from_line.year, from_line_id=from_line.id, to_line_id=to_line.id, amount=amount,
                                 kind=kind_of(from_line, to_line), reason=reason.strip()[:300], requested_by=actor()))
    tx.commit()
    return transfer


def document_name() -> str:
    return _("transfer")


def _requested(transfer_id: int) -> Transfer:
    transfer = repo.transfer(transfer_id, lock=True)
    if transfer is None:
        raise LookupError(transfer_id)
    if transfer.status not in ("requested", "returned"):
        refuse(_("This transfer was decided already."))
    return transfer


@transactional
def return_transfer(transfer_id: int, reason: str) -> Transfer:
    """반려: send a requested transfer back to the official who asked for it, with the reason."""
    transfer = _requested(transfer_id)
    if transfer.status == "returned":
        refuse(_("This transfer was returned already."))
    approvals.return_document(transfer, reason, name=document_name(), entity="budget_transfer", entity_id=transfer.id)
    transfer.status = "returned"
    tx.commit()
    return transfer


@transactional
def resubmit(transfer_id: int, amount: int | None = None, reason: str | None = None) -> Transfer:
    """The requester corrects a returned transfer (amount, reason) and asks again; checked now and
    again on approval."""
    transfer = _requested(transfer_id)
    if amount is not None:
        transfer.amount = amount
    if reason is not None:
        if not reason.strip():
            refuse(_("Give the reason for the transfer."), "reason")
        transfer.reason = reason.strip()[:300]
    _check(transfer.from_line, transfer.to_line, transfer.amount)
    approvals.resubmit(transfer, name=document_name(), entity="budget_transfer", entity_id=transfer.id)
    transfer.status = "requested"
    tx.commit()
    return transfer


@transactional
def decide(transfer_id: int, approve: bool) -> Transfer:
    """Approve (the budgets move) or reject a requested transfer; its requester may not approve it."""
    transfer = _requested(transfer_id)
    if transfer.status == "returned":
        approvals.check_not_returned(transfer, document_name())
    if approve:
        approvals.check_approver(document_name(), transfer.requested_by)
        _check(transfer.from_line, transfer.to_line, transfer.amount)
    transfer.status = "approved" if approve else "rejected"
    transfer.decided_by, transfer.decided_at = actor(), utcnow()
    db.session.flush()
    if approve:
        recalculate(transfer.from_line)
        recalculate(transfer.to_line)
        if transfer.from_line.current_amount < transfer.from_line.committed:
            refuse(_("Only %(available)s won of %(line)s is free to transfer.",
                     available=f"{transfer.from_line.available:,}", line=transfer.from_line.code), "amount")
    tx.commit()
    return transfer
