"""The citizens' bill inquiry (요금 조회, no login) and their applications for e-billing or
auto-debit. A citizen names the customer number and the holder's name (or the telephone number
on the account); a wrong name gets the same answer as an unknown number. Look-ups are limited
per address and per customer number in front of the page (Flask-Limiter, ``erp.web.limits``).

What a customer owes is ``amount_due`` — every figure the citizen sees comes from there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from erp.audit import services as audit
from erp.i18n import N_
from erp.common import tx
from erp.common.clock import utcnow
from erp.common.errors import refuse
from erp.common.tx import transactional
from plugins.rates.models import Application, Bill, Customer, Payment
from plugins.rates.repositories import collection as repo
from plugins.rates.repositories import customers as customer_repo
from plugins.rates.services import arrears, payments
from plugins.rates.services.notices import payment_reference

_ACCOUNT = re.compile(r"^(\d{4})-?(\d{5})-?(\d)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_BANK_ACCOUNT = re.compile(r"^[0-9][0-9-]{5,38}$")
KINDS = ("e_billing", "auto_debit")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def normalise_account(text: str) -> str:
    """A customer number as printed (RRRR-NNNNN-C), typed with or without hyphens; "" if not one."""
    match = _ACCOUNT.match((text or "").strip())
    return "-".join(match.groups()) if match else ""


def _matches(customer: Customer, secret: str) -> bool:
    name = _squeezed(secret)
    if name and name == _squeezed(customer.holder_name):
        return True
    phone = _digits(secret)
    return len(phone) >= 9 and phone == _digits(customer.phone)


def look_up(account_no: str, name_or_phone: str) -> Customer:
    """The customer, if the number and the holder's name (or phone) match; any mismatch is refused
    with one message, whether the number is unknown or the name wrong. (Attempts are limited per
    address and per customer number in front of the page: ``ERP_RATELIMIT_BILL_INQUIRY``.)"""
    account = normalise_account(account_no)
    customer = customer_repo.by_account(account) if account else None
    if customer is None or not _matches(customer, name_or_phone):
        refuse(_("No customer matches this customer number and name or telephone number."))
    return customer


def late_charges_due(customer_id: int) -> int:
    """The late charges (가산금) open on the customer's bills (written-off ones are not collected):
    those assessed by the arrears runs and the one-time charge due once a bill is overdue
    (``arrears.amount_due``)."""
    return sum(item.late_charges for item in arrears.amount_due(customer_id).items)


def amount_due(customer_id: int, late_charges: int | None = None) -> int:
    """What the customer owes now: the bills not written off, less what was applied to them (an
    adjusting bill that lowers a bill counts off), with their open late charges (``late_charges``
    when the caller has them already). Never below zero; a credit is shown apart."""
    billed, paid = repo.owed_sums(customer_id)
    late = late_charges_due(customer_id) if late_charges is None else late_charges
    return max(0, billed - paid + late)


@dataclass
class BillLine:
    bill: Bill
    balance: payments.Balance
    reference: str  # the e-payment number
    written_off: bool

    @property
    def owing(self) -> int:
        return 0 if self.written_off else max(0, self.balance.balance)


@dataclass
class Summary:
    customer: Customer
    bills: list[BillLine]
    payments: list[Payment]
    amount_due: int
    credit: int
    owing: list[BillLine] = field(default_factory=list)
    late_charges: int = 0


def summary(customer_id: int, recent: int = 12) -> Summary:
    """What the inquiry page shows: the recent bills with what each still owes, the recent
    payments, the amount due, the customer's credit and how to pay the bills still owing."""
    customer = repo.customer(customer_id)
    bills = repo.customer_bills(customer_id, recent)
    balances = payments.balances(bills)
    written_off = set(repo.written_off_among([b.id for b in bills]))
    lines = [BillLine(bill, balances[bill.id], payment_reference(bill), bill.id in written_off) for bill in bills]
    late = late_charges_due(customer_id)
    return Summary(customer, lines, repo.customer_payments(customer_id), amount_due(customer_id, late),
                   max(0, payments.customer_credit(customer_id)), [line for line in lines if line.owing > 0], late)


@transactional
def apply(customer_id: int, kind: str, *, email: str = "", bank: str = "", account: str = "", holder: str = "",
          phone: str = "", ip: str = "") -> Application:
    """A citizen's application (after a successful inquiry): e-billing to an e-mail address, or
    auto-debit from a bank account; recorded for a clerk to process."""
    customer = repo.customer(customer_id)
    if customer is None:
        refuse(_("There is no such customer."))
    if kind not in KINDS:
        refuse(_("Choose what you apply for."), "kind")
    email, bank, holder = (email or "").strip(), (bank or "").strip(), (holder or "").strip()
    account, phone = (account or "").strip().replace(" ", ""), (phone or "").strip()
    if kind == "e_billing" and not _EMAIL.match(email):
        refuse(_("Enter an e-mail address such as name@example.com."), "email")
    if kind == "auto_debit":
        if not bank:
            refuse(_("Name the bank."), "bank")
        if not _BANK_ACCOUNT.match(account):
            refuse(_("Enter the account number in digits (hyphens allowed)."), "account")
        if not holder:
            refuse(_("Enter the account holder's name."), "holder")
    if len(email) > 200 or len(bank) > 40 or len(holder) > 100 or len(phone) > 20:
        refuse(_("An entry is too long."))
    if repo.open_application(customer.id, kind) is not None:
        refuse(_("An application of this kind is already waiting to be processed."))
    application = repo.add(Application(customer_id=customer.id, kind=kind, email=email if kind == "e_billing" else "",
                                       bank=bank if kind == "auto_debit" else "", account=account if kind == "auto_debit" else "",
                                       holder=holder if kind == "auto_debit" else "", phone=phone, status="received",
                                       received_at=utcnow()))
    audit.record("create", "rates_application", application.id,
                 f"citizen application {kind} for {customer.account_no} (from {(ip or '-')[:64]})")
    tx.commit()
    return application


@transactional
def process(application_id: int, accept: bool, note: str = "") -> Application:
    """A clerk processes an application: accepted, the customer's e-billing or auto-debit (CMS) is
    turned on; refused, the note says why."""
    application = repo.application(application_id)
    if application is None or application.status != "received":
        refuse(_("Choose an application waiting to be processed."))
    note = (note or "").strip()
    if not accept and not note:
        refuse(_("Give the reason for refusing."), "note")
    customer = application.customer
    before = {"e_billing": customer.e_billing, "auto_debit": customer.auto_debit}
    if accept:
        setattr(customer, application.kind, True)
    application.status = "done" if accept else "refused"
    application.note = note[:300]
    application.processed_by = audit.current_actor()[1][:50]
    application.processed_at = utcnow()
    audit.record("update", "rates_customer", customer.id, N_("application %(id)s (%(kind)s): %(status)s"),
                 values={"id": application.id, "kind": application.kind, "status": application.status},
                 before=before, after={"e_billing": customer.e_billing, "auto_debit": customer.auto_debit, "note": note[:300]})
    tx.commit()
    return application
