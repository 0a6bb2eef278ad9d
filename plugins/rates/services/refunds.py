"""Credits left by adjusting bills, and refunds (환불) of customers' credits.

An adjusting bill that lowers a bill already paid leaves the customer a credit (선수금): what the
bill and its adjustments now ask for is less than was paid. The excess moves from the receivable
to the customer's credit by a payment line of kind ``credit`` (channel ``adjust``: nothing
received, ``applied`` taken off the adjusting bill, ``credit`` given) and an entry 1113 / 2113.
The credit is then used on the next bill, or refunded: a refund is listed for payment (a line of
kind ``refund`` takes the credit off at once, so it is not used twice) and paid out to the
customer's bank account with its date and who paid it, posted 2113 / 1111.

These lines are booked when they are made (``posting_key`` set), never by the day's close of
receipts, and are not receipts of a channel (the reconciliation leaves them out).
"""
from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _

from erp.audit import services as audit
from erp.i18n import N_
from erp.common import tx
from erp.common.clock import local_today, utcnow
from erp.common.errors import refuse
from erp.common.tx import transactional
from plugins.rates.models import Bill, Payment, Refund
from plugins.rates.repositories import collection as repo
from plugins.rates.repositories import payments as payment_repo
from plugins.rates.services import postings

CASH, RECEIVABLE, ADVANCES = "1111", "1113", "2113"
_ACCOUNT = re.compile(r"^[0-9][0-9-]{5,38}$")


def credit_from_adjustment(bill: Bill) -> int:
    """Move to the customer's credit what the bill family (the original and its adjustments) was
    paid beyond what it now asks for, up to what the adjusting ``bill`` lowered it by. Joins the
    caller's unit of work (the adjustment's); returns the amount moved."""
    if bill.kind != "adjusting" or bill.total >= 0 or bill.original_id is None:
        return 0
    family = repo.family(bill.original_id)
    asked = sum(b.total for b in family)
    paid = sum(payment_repo.paid_sums([b.id for b in family]).values())
    moved = min(paid - asked, -bill.total)
    if moved <= 0:
        return 0
    key = f"rates:adjust-credit:{bill.number}"
    payment_repo.add(Payment(channel="adjust", txn_id=f"CR-{bill.number}"[:40], kind="credit", received_on=bill.issued_on,
                             reference=bill.number, payer=bill.customer.holder_name[:100], amount=0, bill_id=bill.id,
                             customer_id=bill.customer_id, applied=-moved, credit=moved, status="matched", source="adjustment",
                             posting_key=key, created_by=audit.current_actor()[1][:50], created_at=utcnow()))
    postings.owe_posting(key, bill.issued_on, f"요금 조정 과오납 선수금 대체 {bill.number}",
                         [(RECEIVABLE, moved, 0, "조정 고지 과오납"), (ADVANCES, 0, moved, "과오납 선수금")])
    return moved


def _text(value: str, field: str, limit: int, message: str) -> str:
    value = (value or "").strip()
    if not value:
        refuse(message, field)
    if len(value) > limit:
        refuse(_("At most %(n)d characters.", n=limit), field)
    return value


@transactional
def list_refund(customer_id: int, amount: int, *, bank: str, account: str, holder: str, reason: str = "") -> Refund:
    """List a refund of (part of) the customer's credit for payment to a bank account; the credit
    is taken off now."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        refuse(_("The amount must be a whole number of won, more than zero."), "amount")
    tx.read_committed(Refund.__table__)
    customer = repo.customer(customer_id, lock=True)  # two refunds at once never take the same credit
    if customer is None:
        refuse(_("There is no such customer."))
    credit = payment_repo.credit_of(customer.id)
    if amount > credit:
        refuse(_("The customer's credit is %(credit)s won; a refund cannot be more.", credit=f"{credit:,}"), "amount")
    bank = _text(bank, "bank", 40, _("Name the bank."))
    account = _text(account, "account", 40, _("Enter the account number in digits (hyphens allowed)."))
    if not _ACCOUNT.match(account.replace(" ", "")):
        refuse(_("Enter the account number in digits (hyphens allowed)."), "account")
    holder = _text(holder, "holder", 100, _("Enter the account holder's name."))
    who = audit.current_actor()[1][:50]
    refund = repo.add(Refund(customer_id=customer.id, amount=amount, reason=(reason or "").strip()[:300], bank=bank,
                             account=account.replace(" ", ""), holder=holder, status="listed", listed_by=who, listed_at=utcnow()))
    refund.posting_key = f"rates:refund:{refund.id}"
    payment_repo.add(Payment(channel="refund", txn_id=f"RF-{refund.id}", kind="refund", received_on=local_today(),
                             reference=customer.account_no, payer=holder, amount=-amount, customer_id=customer.id, applied=0,
                             credit=-amount, status="matched", source="refund", posting_key=refund.posting_key,
                             created_by=who, created_at=utcnow()))
    audit.record("create", "rates_refund", refund.id, N_("refund of %(amount)s won listed for %(customer)s"),
                 values={"amount": amount, "customer": customer.account_no},
                 after={"bank": bank, "holder": holder, "reason": refund.reason})
    tx.commit()
    return refund


@transactional
def pay_refund(refund_id: int, paid_on: date | None = None) -> Refund:
    """Record that a listed refund was paid out (on ``paid_on``, default today, by the current
    user) and owe accounting its entry: the credit (2113) against cash (1111)."""
    tx.read_committed(Refund.__table__)
    refund = repo.refund(refund_id, lock=True)  # two clerks recording it at once: the second finds it paid
    if refund is None or refund.status != "listed":
        refuse(_("Choose a refund waiting to be paid."))
    paid_on = paid_on or local_today()
    if paid_on > local_today():
        refuse(_("A refund cannot be paid in the future."), "paid_on")
    refund.status, refund.paid_on, refund.paid_by = "paid", paid_on, audit.current_actor()[1][:50]
    postings.owe_posting(refund.posting_key, paid_on, f"과오납 환불 {refund.customer.account_no} {refund.holder}",
                         [(ADVANCES, refund.amount, 0, "과오납 선수금 환불"), (CASH, 0, refund.amount, f"환불 {refund.bank}")])
    audit.record("update", "rates_refund", refund.id, N_("refund %(id)s paid: %(amount)s won"), values={"id": refund.id, "amount": refund.amount},
                 after={"paid_on": paid_on.isoformat(), "bank": refund.bank})
    tx.commit()
    return refund
