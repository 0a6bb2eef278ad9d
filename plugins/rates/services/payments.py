"""Payments (수납) from every channel: files of the banks, a gateway's pushes, the counter.

A payment line's identity is its channel and transaction id (a unique key): a file imported twice,
or files that overlap, change nothing; each import reports how many lines were new, already known,
or refused. A file with any bad line is refused whole (every bad line named) and changes nothing.

Matching, in this order: the e-payment number printed on the bill (전자납부번호, 19 digits — it
names the billing month, the account and the bill's kind, so the bill is found by its number), a
bill number, or the customer's virtual account (the oldest bill still owing). What a line pays
beyond the bill's balance becomes the customer's credit (선수금) — listed for refund, and to be
used on the next bill by the bill run's carry-over (issue 14, item 3); a line that matches nothing
goes to the suspense list (가수금) until a clerk matches it. A wrong payment is cancelled by a
reversal, a new line with the opposite amounts naming it; nothing is deleted.

Booking: each import owes accounting one entry per receipt day and channel it brought — cash
(1111) against receivables (1113), customer credits (2113 선수금) and unmatched money (2121 가수금) —
through the outbox, keyed ``rates:receipts:<day>:<channel>`` (``:2``, ``:3`` … for receipts of a
day that arrive after the day was booked). Counter payments and reversals are booked by the day's
close (``post_receipts``: the reconciliation page's button or ``flask rates post-receipts``).
"""
from __future__ import annotations

import gc
import hashlib
import hmac
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from erp.audit import services as audit
from erp.common import tx
from erp.common.clock import local_today, utcnow
from erp.common.errors import refuse
from erp.common.sql import bulk_insert
from erp.common.tx import transactional
from erp.extensions import db
from erp.i18n import N_
from plugins.rates.models import Payment, PaymentGateway
from plugins.rates.repositories import bills as bill_repo
from plugins.rates.repositories import payments as repo
from plugins.rates.services import payment_layouts as layouts
from plugins.rates.services import arrears, postings, writeoff
from plugins.rates.services.notices import ISSUER_CODE

CASH, RECEIVABLE, ADVANCES, SUSPENSE = "1111", "1113", "2113", "2121"
KINDS = {"1": "", "2": "-S"}
_BILL_NUMBER = re.compile(r"^\d{6}-\d{10}(-S)?(-A\d+)?$")
COLUMNS = ["channel", "txn_id", "kind", "received_on", "transferred_on", "bank_code", "branch_code", "giro_no",
           "reference", "payer", "amount", "bill_id", "customer_id", "applied", "credit", "status", "source",
           "posting_key", "created_by", "created_at"]


@dataclass
class ImportResult:
    """What an import did: lines read, new, already known; the refusal's reasons (nothing imported)."""

    lines: int = 0
    new: int = 0
    known: int = 0
    matched: int = 0
    suspense: int = 0
    amount: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return self.lines if self.errors else 0

    def as_dict(self) -> dict:
        return {"lines": self.lines, "new": self.new, "known": self.known, "matched": self.matched,
                "suspense": self.suspense, "amount": self.amount, "refused": self.refused, "errors": self.errors}


@dataclass
class Balance:
    total: int
    paid: int

    @property
    def balance(self) -> int:
        return self.total - self.paid

    @property
    def status(self) -> str:
        """unpaid | partial | paid"""
        if self.total <= 0 or self.paid >= self.total:
            return "paid"
        return "partial" if self.paid > 0 else "unpaid"


_DOUBLED = bytes.maketrans(b"0123456789", b"0246813579")  # a Luhn-doubled digit's digit sum


def _luhn_ok(number: str) -> bool:
    """The last digit is the Luhn check digit of the others (as ``customers.luhn_digit`` makes
    it), computed with C loops: an import checks hundreds of thousands of numbers. The digits are
    summed as their ASCII codes (less 48 each), which needs no int() per digit."""
    raw = number.encode()
    body = raw[-2::-1]
    total = sum(body[0::2].translate(_DOUBLED)) + sum(body[1::2]) - 48 * len(body)
    return (10 - total % 10) % 10 == raw[-1] - 48


def bill_numbers(reference: str) -> list[str]:
    """The bill numbers an e-payment number or a bill number can stand for (empty: neither)."""
    if len(reference) == 19 and reference.isascii() and reference.isdigit() and reference.startswith(ISSUER_CODE) \
            and _luhn_ok(reference):
        prefix = f"20{reference[2:4]}{reference[4:6]}-{reference[6:16]}"
        kind, sequence = reference[16], reference[17]
        if kind in KINDS:
            return [prefix + KINDS[kind]]
        if kind == "3":
            return [f"{prefix}-A{sequence}", f"{prefix}-S-A{sequence}"]
        return []
    return [reference] if _BILL_NUMBER.match(reference) else []


def bill_numbers_of(references) -> dict[str, list[str]]:
    """``bill_numbers`` of many references: the same answers, with the e-payment numbers' common
    case (a regular or settlement bill) decided inline — an import resolves every line's reference."""
    found, doubled, issuer, kinds = {}, _DOUBLED, ISSUER_CODE.encode(), KINDS
    for reference in references:
        raw = reference.encode()
        if len(raw) == 19 and raw.isdigit() and raw.startswith(issuer) and len(reference) == 19:
            body = raw[-2::-1]
            total = sum(body[0::2].translate(doubled)) + sum(body[1::2]) - 864  # 18 digits × ord("0")
            if (10 - total % 10) % 10 == raw[18] - 48:
                suffix = kinds.get(reference[16])
                if suffix is not None:
                    found[reference] = [f"20{reference[2:6]}-{reference[6:16]}{suffix}"]
                    continue
        found[reference] = bill_numbers(reference)
    return found


@contextmanager
def _cyclic_gc_paused():
    """Hundreds of thousands of rows and lines are made and dropped in a few seconds, none in a
    reference cycle: Python's cyclic collector, run again and again over the growing heap, took
    more than half of an import's time. Paused meanwhile (reference counting still frees them)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_file(data: bytes, layout: str = "", source: str = "") -> ImportResult:
    """Import a payment file (``layout`` by name, detected when empty): all lines or none."""
    with _cyclic_gc_paused():
        lines, errors = layouts.parse(data, layout)
        if errors:
            return ImportResult(lines=len(lines), errors=errors)
        return import_lines(lines, source or (layout or layouts.detect(data)))


@transactional
def import_lines(lines: list[layouts.PaymentLine], source: str) -> ImportResult:
    """Record the lines not known yet, matched to bills, and owe the receipts' entries; returns the counts."""
    result = ImportResult(lines=len(lines))
    pairs = [(line.channel, line.txn_id) for line in lines]
    if len(set(pairs)) != len(pairs):
        seen: set[tuple[str, str]] = set()
        for line, pair in zip(lines, pairs):
            if pair in seen:
                result.errors.append(layouts.at(line.line_no, _("The transaction %(txn)s appears twice.", txn=line.txn_id)))
            seen.add(pair)
        return result
    tx.read_committed(Payment.__table__)
    known = {(channel, txn) for channel in {channel for channel, _txn in pairs}
             for txn in repo.known(channel, [txn for of, txn in pairs if of == channel])}
    fresh = [line for line, pair in zip(lines, pairs) if pair not in known] if known else lines
    result.known = len(lines) - len(fresh)
    candidates = bill_numbers_of([line.reference for line in fresh])
    # One writer of a bill's payments at a time: a counter payment, another file or a write-off of
    # the same bill waits for this one's commit, and reads what it paid (tx.read_committed). The
    # bills named are locked as they are read (a second pass over half a million bills to lock
    # them cost a quarter more time); those of the customers named by their account after.
    bills = repo.bills_by_number([number for numbers in candidates.values() for number in numbers], lock=True)
    accounts = repo.customers_by_virtual_account([ref for ref, numbers in candidates.items() if not numbers])
    customer_ids = list(set(accounts.values()))
    customer_bills = repo.customer_bills(customer_ids)
    if customer_bills:
        bill_repo.lock_bills([b for rows in customer_bills.values() for b, _ in rows])
        # Read again once locked: a bill written off (or issued) while this waited drops out (or in).
        customer_bills = repo.customer_bills(customer_ids)
        bill_repo.lock_bills([b for rows in customer_bills.values() for b, _ in rows])
    paid = repo.paid_sums([b[0] for b in bills.values()] + [b for rows in customer_bills.values() for b, _ in rows])
    totals = {b: t for rows in customer_bills.values() for b, t in rows}
    # What each reference names — (bill id, customer id, total) — resolved once per reference
    # rather than inside the per-line loop (mostly one candidate number, the bill's own).
    named: dict[str, tuple[int, int, int]] = {}
    bill_of = bills.get
    for reference, numbers in candidates.items():
        for number in numbers:
            hit = bill_of(number)
            if hit is not None:
                named[reference] = hit
                break
    # Each (receipt day, channel) of the file is booked by one entry of its own, keyed now, so the
    # lines are written with their entry's key (no update of the rows afterwards).
    keys = {pair: _free_key(*pair) for pair in sorted({(line.received_on, line.channel) for line in fresh})}
    sums: dict[str, list[int]] = {key: [0, 0, 0, 0] for key in keys.values()}  # key → [amount, applied, credit, suspense]
    # (day, channel) → its key, its sums and the day as text: one look-up a line
    slots = {pair: (key, sums[key], pair[0].isoformat()) for pair, key in keys.items()}
    created, who, source, rows = utcnow().isoformat(" "), audit.current_actor()[1][:50], source[:60], []
    iso = {day: day.isoformat() for day in {line.transferred_on for line in fresh} if day is not None}  # a few dates
    iso[None] = None
    matched = unmatched_lines = 0
    paid_of, named_of = paid.get, named.get
    for line in fresh:
        amount, reference = line.amount, line.reference
        hit = named_of(reference)
        if hit is not None:
            bill_id, customer_id, bill_total = hit
        elif reference in accounts:
            customer_id = accounts[reference]
            owing = [b for b, t in customer_bills.get(customer_id, ()) if t > paid_of(b, 0)]
            bill_id = owing[0] if owing else None
            bill_total = totals[bill_id] if owing else 0
        else:
            bill_id = customer_id = None
        applied = credit = 0
        if bill_id is not None:
            already = paid_of(bill_id, 0)
            owing_now = bill_total - already
            applied = amount if amount <= owing_now else owing_now if owing_now > 0 else 0
            paid[bill_id] = already + applied
        key, total, received = slots[(line.received_on, line.channel)]
        total[0] += amount
        if customer_id is None:
            status = "suspense"
            unmatched_lines += 1
            total[3] += amount
        else:
            status, credit = "matched", amount - applied
            matched += 1
            total[1] += applied
            total[2] += credit
        rows.append((line.channel, line.txn_id, "payment", received, iso[line.transferred_on], line.bank_code,
                     line.branch_code, line.giro_no, reference, line.payer, amount, bill_id, customer_id, applied, credit,
                     status, source, key, who, created))
    result.matched, result.suspense, result.amount = matched, unmatched_lines, sum(total[0] for total in sums.values())
    # ignore: a concurrent import of an overlapping file may have written a line meanwhile;
    # references_read: every bill and customer named was read above (and none is ever deleted).
    if bulk_insert(Payment.__table__, COLUMNS, rows, ignore=True, references_read=True) != len(rows):
        # Lines read as new were recorded meanwhile by an import of the same lines (the same file
        # uploaded twice at once): this one's sums would book them again. Nothing of it stays.
        refuse(_("The same payments were being imported at this moment; nothing was imported from this file. "
                 "Import it again: the lines already recorded are skipped."))
    result.new = len(rows)
    for (day, channel), key in sorted(keys.items()):
        postings.owe_posting(key, day, f"상하수도요금 수납 {day.isoformat()} {layouts.CHANNEL_LABELS[channel]}", _entry_lines(*sums[key]))
    if rows:
        audit.record("create", "rates_payment", "", N_("payments imported (%(source)s): %(new)s new (%(amount)s won, %(suspense)s unmatched), %(known)s known"),
                     values={"source": source, "new": result.new, "amount": result.amount, "suspense": result.suspense,
                             "known": result.known})
        writeoff.recognise_recoveries()
    tx.commit()
    return result


def _entry_lines(amount: int, applied: int, credit: int, suspense: int) -> list[tuple]:
    lines = []
    for code, debit_side, value, memo in ((CASH, True, amount, "수납"), (RECEIVABLE, False, applied, "요금 미수금 회수"),
                                          (ADVANCES, False, credit, "과오납 선수금"), (SUSPENSE, False, suspense, "미확인 입금 가수금")):
        if value:
            positive_debit = debit_side == (value > 0)
            lines.append((code, abs(value), 0, memo) if positive_debit else (code, 0, abs(value), memo))
    return lines


def _free_key(day: date, channel: str) -> str:
    """The outbox key of the next entry of a day's receipts of a channel, reserved: ``rates:receipts:<day>:<channel>``,
    then ``:2``, ``:3`` … for receipts of the day booked later (two files imported at once take two)."""
    return postings.free_key(f"rates:receipts:{day.isoformat()}:{channel}")


def _post(through: date) -> list[str]:
    """Each (day, channel) with receipts not booked: its key reserved, its receipts marked with it,
    and the entry of exactly those receipts owed — a close at the same moment waits on the marking
    and finds nothing left, and a payment recorded meanwhile is in the entry or left for the next."""
    keys = []
    for day, channel in repo.unposted(through):
        key = _free_key(day, channel)
        if not repo.mark_posted(day, channel, key):
            postings.release_key(key)
            continue
        lines = _entry_lines(*repo.posted_sums(day, channel, key))
        if lines:
            postings.owe_posting(key, day, f"상하수도요금 수납 {day.isoformat()} {layouts.CHANNEL_LABELS[channel]}", lines)
            keys.append(key)
        else:  # the day's receipts net to nothing: marked, no entry
            repo.rekey_posted(day, channel, key, "-")
            postings.release_key(key)
    return keys


@transactional
def post_receipts(through: date | None = None) -> list[str]:
    """Book every receipt not booked yet up to ``through`` (default today): one entry per day and
    channel, owed to accounting through the outbox. Safe to repeat, also at the same moment (nothing
    is booked twice)."""
    tx.read_committed(Payment.__table__)  # a twin close's marks are seen once it commits
    keys = _post(through or local_today())
    tx.commit()
    return keys


def balances(bills: list) -> dict[int, Balance]:
    """bill id → its Balance, for a page of bills in one read."""
    paid = repo.paid_sums([bill.id for bill in bills])
    return {bill.id: Balance(bill.total, paid.get(bill.id, 0)) for bill in bills}


def balance(bill) -> Balance:
    return balances([bill])[bill.id]


def customer_credit(customer_id: int) -> int:
    """The customer's credit from overpayments (used on the next bill, or refunded)."""
    return repo.credit_of(customer_id)


@transactional
def record_counter(bill_id: int, amount: int, payer: str = "") -> Payment:
    """A payment at the counter (창구수납) for a bill: recorded now, booked with the day's close."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        refuse(_("The amount must be a whole number of won, more than zero."), "amount")
    tx.read_committed(Payment.__table__)
    bill_repo.lock_bills([bill_id])  # after a payment of the bill being recorded meanwhile (import_lines)
    bill = bill_repo.bill(bill_id)
    if bill is None:
        refuse(_("There is no such bill."))
    owing = balance(bill).balance
    applied = max(0, min(amount, owing))
    today = local_today()
    payment = repo.add(Payment(channel="counter", txn_id=f"C{today:%Y%m%d}-{secrets.token_hex(6).upper()}",
                               received_on=today, reference=bill.number, payer=(payer or bill.customer.holder_name)[:100],
                               amount=amount, bill_id=bill.id, customer_id=bill.customer_id, applied=applied,
                               credit=amount - applied, status="matched", source="counter",
                               created_by=audit.current_actor()[1][:50], created_at=utcnow()))
    audit.record("create", "rates_payment", payment.id, N_("counter payment %(txn)s of %(number)s: %(amount)s won"),
                 values={"txn": payment.txn_id, "number": bill.number, "amount": amount})
    writeoff.recognise_recoveries()
    tx.commit()
    return payment


@transactional
def reverse(payment_id: int, reason: str) -> Payment:
    """Cancel a wrong payment by a reversal (a new line of opposite amounts naming it); the
    bill's balance and the customer's credit return to what they were without it. When its
    excess was already used as credit on other bills, those uses are undone as far as needed
    (``arrears.return_credit``): the bills owe again and the credit never falls below zero."""
    tx.read_committed(Payment.__table__)
    original = repo.get(payment_id, lock=True)  # one reversal of it, however many clerks click
    if original is None or original.kind != "payment":
        refuse(_("Choose a payment to reverse."))
    reason = (reason or "").strip()
    if not reason:
        refuse(_("Give the reason for the reversal."), "reason")
    if repo.reversal_of(original.id) is not None:
        refuse(_("This payment is reversed already."))
    if original.credit > 0 and original.customer_id is not None:
        # Its excess may have paid later bills as credit: those and the customer (beside a refund
        # of the same credit) are locked with its bill before anything is written, in the credit
        # writers' order (bills, then the customer).
        arrears.lock_credit_of(original.customer_id, [original.bill_id])
    elif original.bill_id is not None:
        bill_repo.lock_bills([original.bill_id])
    reversal = repo.add(Payment(channel=original.channel, txn_id=f"~R{original.id}", kind="reversal", reverses_id=original.id,
                                received_on=local_today(), reference=original.reference, payer=reason[:100],
                                amount=-original.amount, bill_id=original.bill_id, customer_id=original.customer_id,
                                applied=-original.applied, credit=-original.credit, status=original.status,
                                source="reversal", created_by=audit.current_actor()[1][:50], created_at=utcnow()))
    returned = 0
    if original.credit > 0 and original.customer_id is not None:
        # The excess may have paid later bills as credit already: those uses are undone (the
        # bills owe again) rather than leave the customer a credit below zero.
        shortfall = -repo.credit_of(original.customer_id)
        if shortfall > 0:
            returned = arrears.return_credit(original.customer_id, shortfall, reversal.received_on, f"~R{original.id}")
    audit.record("create", "rates_payment", reversal.id, N_("reversal of payment %(channel)s:%(txn)s"),
                 values={"channel": original.channel, "txn": original.txn_id},
                 after={"reason": reason, "amount": original.amount, "credit_use_undone": returned})
    writeoff.recognise_recoveries()
    tx.commit()
    return reversal


@transactional
def match(payment_id: int, bill_number: str) -> Payment:
    """Match a suspense line to a bill (by its number or e-payment number): the amount pays the
    bill, the excess becomes the customer's credit, and — when the line was booked as 가수금
    already — an entry moves it from suspense to the receivable."""
    tx.read_committed(Payment.__table__)
    payment = repo.get(payment_id, lock=True)  # one clerk matches it: a second finds it matched
    if payment is None or payment.status != "suspense" or payment.kind != "payment":
        refuse(_("Choose an unmatched payment."))
    if repo.reversal_of(payment.id) is not None:
        refuse(_("This payment is reversed already."))
    numbers = bill_numbers((bill_number or "").strip())
    found = repo.bills_by_number(numbers)
    if not found:
        refuse(_("There is no bill with this number."), "bill_number")
    bill_id, customer_id, total = next(iter(found.values()))
    bill_repo.lock_bills([bill_id])
    owing = total - repo.paid_sums([bill_id]).get(bill_id, 0)
    payment.bill_id, payment.customer_id = bill_id, customer_id
    payment.applied = max(0, min(payment.amount, owing))
    payment.credit = payment.amount - payment.applied
    payment.status, payment.matched_on, payment.matched_at = "matched", local_today(), utcnow()
    if payment.posting_key not in ("", "-"):
        lines = [(SUSPENSE, payment.amount, 0, "가수금 정리")] + _entry_lines(0, payment.applied, payment.credit, 0)
        postings.owe_posting(f"rates:payment-match:{payment.id}", payment.matched_on,
             f"가수금 정리 {payment.channel}:{payment.txn_id} → {bill_number}", lines)
    audit.record("update", "rates_payment", payment.id, N_("payment %(channel)s:%(txn)s matched to %(number)s"),
                 values={"channel": payment.channel, "txn": payment.txn_id, "number": bill_number},
                 after={"bill_id": bill_id, "applied": payment.applied, "credit": payment.credit})
    writeoff.recognise_recoveries()
    tx.commit()
    return payment


@dataclass
class ReconciliationRow:
    channel: str
    lines: int
    receipts: int
    applied: int
    credit: int
    suspense: int
    booked: int  # receipts of the day already in an entry owed to accounting
    cash_posted: int  # cash (1111) of those entries that accounting has posted

    @property
    def label(self) -> str:
        return layouts.CHANNEL_LABELS.get(self.channel, self.channel)

    @property
    def difference(self) -> int:
        return self.receipts - self.cash_posted


def reconciliation(day: date) -> list[ReconciliationRow]:
    """The day's receipts by channel beside the cash booked in the entries delivered to accounting."""
    import json

    rows = []
    for channel, count, amount, applied, credit, suspense, booked in repo.day_receipts(day):
        posted = 0
        for row in repo.outbox_keys_like(f"rates:receipts:{day.isoformat()}:{channel}"):
            if row.status != "delivered":
                continue
            request = json.loads(row.payload)["request"]
            posted += sum(line["debit"] - line["credit"] for line in request["lines"] if line["account_code"] == CASH)
        rows.append(ReconciliationRow(channel, count, amount, applied, credit, suspense, booked, posted))
    return rows


# --- bank gateways: tokens of their own ------------------------------------------------------------

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transactional
def register_gateway(name: str) -> tuple[PaymentGateway, str]:
    """Register a bank gateway; returns it with its token, shown only this once."""
    name = (name or "").strip()
    if not name:
        refuse(_("Name the gateway."), "name")
    token = secrets.token_urlsafe(32)
    gateway = PaymentGateway(name=name[:100], token_hash=_hash(token))
    db.session.add(gateway)
    tx.commit()
    return gateway, token


def authenticate_gateway(token: str) -> PaymentGateway | None:
    """The active gateway holding ``token``, or None."""
    if not token:
        return None
    wanted = _hash(token)
    gateway = repo.gateway_by_hash(wanted)
    if gateway is None or not gateway.active or not hmac.compare_digest(gateway.token_hash, wanted):
        return None
    return gateway
