"""Execution: commitment (지출원인행위) → expenditure resolution (지출결의) → payment (지급).

The availability check at commitment is one conditional UPDATE of the line (committed + amount
≤ current budget), so two officials committing at the same moment can never over-commit: the
second waits for the first's row lock and then sees its amount. Payment writes its accounting
posting to an outbox in the same transaction; the relay delivers it through the accounting port
with the outbox key as idempotency key, so a crash between the two never loses or doubles it.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from erp import jobs, ports
from erp.common import approvals, docnumbers, outbox, tx
from erp.common.clock import utcnow
from erp.common.tx import transactional
from plugins.budget.models import Commitment, Outbox
from plugins.budget.repositories import budget as repo
from plugins.budget.services.common import RESERVE_ITEM, actor, refuse, whole_won

PAYMENT_ACCOUNT = "1111"  # payments leave the utility's deposits


@transactional
def commit(line_id: int, on: date, vendor: str, description: str, amount: int) -> Commitment:
    """Commit ``amount`` on a line (a contract, an order); refused when it exceeds what is free."""
    line = repo.line(line_id)
    if line is None:
        refuse(_("There is no such budget line."), "line_id")
    if line.side != "expenditure":
        refuse(_("Only expenditure lines are committed."), "line_id")
    if line.item_code == RESERVE_ITEM:
        # 예비비 is spent only through an approved transfer to the line that needs it.
        refuse(_("The contingency reserve is never spent directly: request a transfer from it to the line that "
                 "needs the money, and commit on that line once the transfer is approved."), "line_id")
    whole_won(amount, "amount", _("Amounts are whole won, not negative."))
    if amount == 0:
        refuse(_("Enter the amount of the commitment."), "amount")
    if not isinstance(on, date) or on.year != line.year:
        refuse(_("The date must fall in the budget year %(year)d.", year=line.year), "committed_on")
    if not (vendor or "").strip() or not (description or "").strip():
        refuse(_("Name the counterparty and what is bought."), "vendor")
    if not repo.reserve_amount(line.id, amount):
        # The UPDATE saw the latest committed state; so must the reason given.
        if repo.year_closed_now(line.year):
            refuse(_("The budget year %(year)d is closed.", year=line.year), "committed_on")
        repo.current_line(line)
        refuse(_("Only %(available)s won is left on %(line)s; %(amount)s won cannot be committed.",
                 available=f"{line.available:,}", line=line.code, amount=f"{amount:,}"), "amount")
    commitment = repo.add(Commitment(number=docnumbers.next_number("CM", line.year), line_id=line.id, committed_on=on,
                                     vendor=vendor.strip()[:120], description=description.strip()[:300], amount=amount,
                                     created_by=actor()))
    tx.commit()
    return commitment


def _get(commitment_id: int) -> Commitment:
    commitment = repo.commitment(commitment_id, lock=True)
    if commitment is None:
        raise LookupError(commitment_id)
    return commitment


def document_name(stage: str) -> str:
    """The document an approver decides on: the commitment, or its expenditure resolution."""
    return _("commitment") if stage == "commitment" else _("expenditure resolution")


def _awaiting(commitment_id: int) -> Commitment:
    commitment = _get(commitment_id)
    if not commitment.awaiting:
        refuse(_("Nothing of %(number)s waits for approval.", number=commitment.number))
    return commitment


@transactional
def approve(commitment_id: int) -> Commitment:
    """결재 of what waits: the commitment (then it can be resolved) or its expenditure resolution
    (then it can be paid). Refused to the official who drafted it, and while it is returned."""
    commitment = _awaiting(commitment_id)
    stage = commitment.awaiting
    name = document_name(stage)
    approvals.check_approver(name, commitment.created_by if stage == "commitment" else commitment.resolved_by)
    approvals.check_not_returned(commitment, name)
    if stage == "commitment":
        commitment.approved_by, commitment.approved_at = approvals.approver(), utcnow()
    else:
        commitment.resolution_approved_by, commitment.resolution_approved_at = approvals.approver(), utcnow()
    tx.commit()
    return commitment


@transactional
def return_to_drafter(commitment_id: int, reason: str) -> Commitment:
    """반려: send the commitment or resolution waiting for approval back to its drafter."""
    commitment = _awaiting(commitment_id)
    if commitment.is_returned:
        refuse(_("This %(document)s was returned already.", document=document_name(commitment.awaiting)))
    approvals.return_document(commitment, reason, name=document_name(commitment.awaiting), entity="budget_commitment",
                              entity_id=commitment.id)
    tx.commit()
    return commitment


@transactional
def resubmit(commitment_id: int, on: date | None = None) -> Commitment:
    """The drafter sends a returned commitment or resolution back for approval; a resolution can
    be given a corrected date."""
    commitment = _awaiting(commitment_id)
    if on is not None and commitment.awaiting == "resolution":
        if on < commitment.committed_on:
            refuse(_("The resolution cannot come before the commitment."), "resolved_on")
        commitment.resolved_on = on
    approvals.resubmit(commitment, name=document_name(commitment.awaiting), entity="budget_commitment",
                       entity_id=commitment.id)
    tx.commit()
    return commitment


def awaiting_approval(year: int | None = None) -> list[Commitment]:
    """Commitments and resolutions waiting for an approver (not returned), oldest first."""
    return repo.commitments_awaiting(year)


@transactional
def resolve(commitment_id: int, on: date) -> Commitment:
    """지출결의: resolve to pay an approved commitment; the resolution then waits for its own
    approval."""
    commitment = _get(commitment_id)
    if commitment.status != "committed":
        refuse(_("Only a commitment that is neither resolved, paid nor cancelled can be resolved."))
    if not commitment.approved_by:
        refuse(_("The commitment must be approved before the expenditure is resolved."))
    if on < commitment.committed_on:
        refuse(_("The resolution cannot come before the commitment."), "resolved_on")
    commitment.status, commitment.resolved_on, commitment.resolved_by = "resolved", on, actor()
    commitment.resolution_approved_by, commitment.resolution_approved_at = "", None
    tx.commit()
    return commitment


@transactional
def pay(commitment_id: int, on: date) -> Commitment:
    """지급: pay a resolved commitment; its accounting entry goes to the outbox and is delivered
    by the relay job the worker runs once the payment commits (and every minute)."""
    commitment = _get(commitment_id)
    if commitment.status != "resolved":
        refuse(_("Only a resolved commitment can be paid."))
    if not commitment.resolution_approved_by:
        refuse(_("The expenditure resolution must be approved before it is paid."))
    if on < commitment.resolved_on:
        refuse(_("The payment cannot come before the resolution."), "paid_on")
    # Accounting would refuse the posting of a payment dated in a locked month or a closed year;
    # a payment that shows "paid" while its entry can never be posted hides money, so ask first.
    # Accounting out of reach is no refusal: the outbox delivers later, and a refusal then shows.
    if not _books_open(on):
        refuse(_("The books are locked for %(date)s (a locked month or a closed year): pay on an open date, "
                 "or ask the chief accountant to unlock the month.", date=on.isoformat()), "paid_on")
    line = commitment.line
    commitment.status, commitment.paid_on = "paid", on
    repo.add_paid(line.id, commitment.amount)
    key = payment_key(commitment)
    department = line.project.department_code if line.project else ""
    # The expense on the line's account (and department) against cash, posted through the
    # accounting port by the relay; the key makes the posting happen once.
    request = {"entry_date": on.isoformat(), "memo": f"{commitment.number} {commitment.vendor} {commitment.description}"[:300],
               "idempotency_key": key, "source": key,
               "lines": [{"account_code": line.account_code, "debit": commitment.amount, "memo": line.code, "department_code": department},
                         {"account_code": PAYMENT_ACCOUNT, "credit": commitment.amount, "memo": commitment.vendor[:200]}]}
    outbox.owe(Outbox, key, "accounting", "post_entry", {"request": request})
    jobs.enqueue("budget.relay", key="budget.relay")  # run by the worker once the payment commits
    tx.commit()
    return commitment


@transactional
def cancel(commitment_id: int) -> Commitment:
    """Cancel the last step taken: a resolution goes back to a commitment; a commitment is
    cancelled and its amount released. A payment cannot be cancelled here (reverse it in the books)."""
    commitment = _get(commitment_id)
    if commitment.status == "resolved":
        commitment.status, commitment.resolved_on, commitment.resolved_by = "committed", None, ""
        commitment.resolution_approved_by, commitment.resolution_approved_at = "", None
    elif commitment.status == "committed":
        commitment.status = "cancelled"
        repo.release_amount(commitment.line_id, commitment.amount)
    else:
        refuse(_("A paid or cancelled commitment cannot be cancelled."))
    commitment.return_reason, commitment.returned_by, commitment.returned_at = "", "", None
    tx.commit()
    return commitment


def _books_open(on: date) -> bool:
    try:
        return ports.get("accounting").entry_date_is_open(on)
    except ports.PortError:
        return True


def payment_key(commitment: Commitment) -> str:
    return f"budget:payment:{commitment.number}"


def posting_of(commitment: Commitment) -> Outbox | None:
    """The posting a paid commitment owes accounting (None before it is paid)."""
    return repo.outbox_by_key(payment_key(commitment))


def refused_postings() -> list[tuple[str, Outbox]]:
    """Payment postings accounting refused, as (outbox table, row): each waits for a repost."""
    return [(Outbox.__tablename__, row) for row in outbox.refused(Outbox)]


def relay(limit: int = 100) -> tuple[int, int]:
    """Deliver pending payment postings to accounting; returns (delivered, failed). Safe to run
    twice or after an interruption: the outbox key is the idempotency key."""
    return outbox.relay(Outbox, limit)
