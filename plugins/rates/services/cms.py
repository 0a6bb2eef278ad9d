"""CMS auto-debit (자동이체): the debit request file for a due date, and the bank's result file.

For every bill due on the date whose customer has auto-debit on and that still owes money, a
debit is recorded (one per bill and due date; asking again returns the same debits, with any bill
added since) and written into the request file in the ``fixed`` payment layout. The result file
(layout ``cms-result``, see ``payment_layouts``) answers each debit: a debit made becomes a
payment line of channel ``cms`` (matched to the bill and booked like any imported payment); a
failed one keeps the bank's reason, and the bill stays a normal bill to be paid by giro, virtual
account or at the counter — listed on the CMS page with its bill to print and send as the notice.
A result file is imported whole or not at all, and importing it again changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from erp.audit import services as audit
from erp.common import tx
from erp.common.clock import utcnow
from erp.common.tx import transactional
from erp.i18n import N_
from plugins.rates.models import CmsDebit
from plugins.rates.repositories import payments as repo
from plugins.rates.services import payment_layouts as layouts
from plugins.rates.services import payments

OK = "0000"


@dataclass
class DebitRequest:
    due_on: date
    count: int
    total: int
    data: bytes


@dataclass
class CmsResult:
    paid: int = 0
    failed: int = 0
    known: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"paid": self.paid, "failed": self.failed, "known": self.known, "errors": self.errors}


@transactional
def request(due_on: date, giro_no: str = "") -> DebitRequest:
    """The debit request file for ``due_on``: every auto-debit bill due that day still owing."""
    existing = {debit.bill_id: debit for debit in repo.debits_of(due_on)}
    bills = repo.auto_debit_bills(due_on)
    owing = payments.balances(bills)
    for bill in bills:
        if bill.id not in existing and owing[bill.id].balance > 0:
            existing[bill.id] = repo.add(CmsDebit(due_on=due_on, bill_id=bill.id, customer_id=bill.customer_id,
                                                  txn_id=f"CMS-{due_on:%Y%m%d}-{bill.id}", amount=owing[bill.id].balance,
                                                  status="requested", requested_at=utcnow()))
    asked = [debit for debit in existing.values() if debit.status == "requested"]
    lines = [layouts.PaymentLine(n, "cms", debit.txn_id, due_on, due_on, "", "", giro_no[:7], debit.bill.number,
                                 debit.amount, debit.customer.holder_name)
             for n, debit in enumerate(sorted(asked, key=lambda d: d.id), start=1)]
    audit.record("create", "rates_cms_debit", "", N_("CMS debit request for %(due)s: %(count)s debits, %(amount)s won"),
                 values={"due": str(due_on), "count": len(lines), "amount": sum(line.amount for line in lines)})
    tx.commit()
    return DebitRequest(due_on, len(lines), sum(line.amount for line in lines),
                        layouts.FixedLayout.write(lines, file_date=due_on, giro_no=giro_no[:7]))


@transactional
def import_results(data: bytes) -> CmsResult:
    """Record the bank's answer to the debits: payments for those made, the reason for those failed."""
    lines, errors = layouts.parse_cms_result(data)
    result = CmsResult(errors=errors)
    if errors:
        return result
    tx.read_committed(CmsDebit.__table__)  # the payments it records serialise on their bills (payments.import_lines)
    debits = repo.debit_by_txn([line.txn_id for line in lines], lock=True)  # a twin import waits, then finds them answered
    for line in lines:
        debit = debits.get(line.txn_id)
        if debit is None:
            errors.append(layouts.at(line.line_no, _("No debit %(txn)s was requested.", txn=line.txn_id)))
        elif line.code == OK and line.amount != debit.amount:
            errors.append(layouts.at(line.line_no, _("%(debited)s won debited, %(asked)s won asked.",
                                                     debited=f"{line.amount:,}", asked=f"{debit.amount:,}")))
    if errors:
        return result
    paid_lines, now = [], utcnow()
    for line in lines:
        debit = debits[line.txn_id]
        if debit.status != "requested":
            result.known += 1
            continue
        debit.result_code, debit.answered_at = line.code, now
        if line.code == OK:
            debit.status = "paid"
            paid_lines.append(layouts.PaymentLine(line.line_no, "cms", debit.txn_id, line.debited_on, line.debited_on, "", "",
                                                  "", debit.bill.number, debit.amount, debit.customer.holder_name))
            result.paid += 1
        else:
            debit.status, debit.reason = "failed", line.reason or line.code
            result.failed += 1
    if paid_lines:
        payments.import_lines(paid_lines, "cms-result")
    audit.record("update", "rates_cms_debit", "", N_("CMS results: %(paid)s paid, %(failed)s failed, %(known)s known"),
                 values={"paid": result.paid, "failed": result.failed, "known": result.known})
    tx.commit()
    return result


def failed(limit: int = 500) -> list[CmsDebit]:
    """Debits the bank refused, newest due date first: their bills are sent as normal bills."""
    return repo.failed_debits(limit)


def of_bill(bill_id: int) -> list[CmsDebit]:
    return repo.debit_of_bill(bill_id)
