"""Write-off (결손처분) of water charges whose claim has lapsed: a bill still owing more than the
limitation period (``ERP_RATES_LIMITATION_YEARS``, default 3 — 민법 §163 as the ordinances apply
it) after its due date. A rates clerk drafts a proposal from the list of candidates; the chief
accountant approves it — never the person who drafted it — and the write-off is posted to
accounting through the outbox: the receivables (1113) written off against the allowance for
doubtful receivables (1114) as far as it goes, the rest as bad-debt expense (5218).

The bills stay as issued and keep matching payments: a payment applied to a written-off bill after
the approval is booked as a recovery (``recognise_recoveries``: the receivable restored against the
allowance, 1113 / 1114, so with the receipt's own entry cash ends against the allowance), once per
payment line; a reversal of such a payment books the opposite.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _

from erp import ports
from erp.audit import services as audit
from erp.i18n import N_
from erp.common import tx
from erp.common.clock import local_today, utcnow
from erp.common.errors import refuse
from erp.common.tx import transactional
from plugins.rates.models import WriteOff, WriteOffBill, WriteOffRecovery
from plugins.rates.repositories import bills as bill_repo
from plugins.rates.repositories import collection as repo
from plugins.rates.services import postings

RECEIVABLE, ALLOWANCE, BAD_DEBT = "1113", "1114", "5218"
DEFAULT_YEARS = 3


def limitation_years() -> int:
    return int(current_app.config.get("ERP_RATES_LIMITATION_YEARS", DEFAULT_YEARS))


def cutoff(on: date | None = None) -> date:
    """The last due date whose claim has lapsed by ``on`` (default today): due more than the
    limitation period ago."""
    on = on or local_today()
    years = limitation_years()
    try:
        back = on.replace(year=on.year - years)
    except ValueError:  # 29 February
        back = on.replace(year=on.year - years, day=28)
    return back - timedelta(days=1)


def candidates(on: date | None = None, limit: int | None = 1000) -> list[tuple]:
    """(bill, balance) of the lapsed bills still owing and in no write-off, oldest due first."""
    return repo.lapsed(cutoff(on), limit)


@transactional
def draft(bill_ids: list[int], reason: str) -> WriteOff:
    """A rates clerk's write-off proposal of the chosen lapsed bills, for what each still owes."""
    reason = (reason or "").strip()
    if not reason:
        refuse(_("Give the reason for the write-off."), "reason")
    wanted = {int(b) for b in bill_ids}
    if not wanted:
        refuse(_("Choose the bills to write off."))
    # One claim of a bill: a draft of the same bill at this moment waits, then finds it claimed.
    tx.read_committed(WriteOff.__table__)
    bill_repo.lock_bills(sorted(wanted))
    limit = cutoff()
    lapsed = {bill.id: (bill, balance) for bill, balance in repo.lapsed(limit)}
    if not wanted <= lapsed.keys():
        refuse(_("Only bills whose claim has lapsed, still owing and in no other write-off, can be written off."))
    today, (actor_id, actor) = local_today(), audit.current_actor()
    write_off = WriteOff(number=f"WO-{today.year}-{repo.next_write_off_sequence(today.year):04d}", cutoff=limit,
                         reason=reason[:300], status="draft", drafted_by_id=actor_id, drafted_by=actor[:50], drafted_at=utcnow())
    for bill_id in sorted(wanted):
        write_off.bills.append(WriteOffBill(bill_id=bill_id, amount=lapsed[bill_id][1]))
    write_off.total = sum(line.amount for line in write_off.bills)
    repo.add(write_off)
    audit.record("create", "rates_write_off", write_off.id, N_("write-off %(number)s drafted: %(bills)s bills, %(amount)s won"),
                 values={"number": write_off.number, "bills": len(wanted), "amount": write_off.total}, after={"reason": reason, "bills": sorted(wanted)})
    tx.commit()
    return write_off


def _same_person(write_off: WriteOff) -> bool:
    actor_id, actor = audit.current_actor()
    if write_off.drafted_by_id is not None and actor_id is not None:
        return write_off.drafted_by_id == actor_id
    return write_off.drafted_by == actor[:50]


@transactional
def approve(write_off_id: int) -> WriteOff:
    """The chief accountant approves a drafted write-off (not the drafter): each bill is written off
    for what it still owes now (a bill paid meanwhile drops out) and the entry is owed to accounting."""
    tx.read_committed(WriteOff.__table__)
    write_off = repo.write_off(write_off_id, lock=True)
    if write_off is None or write_off.status != "draft":
        refuse(_("Choose a drafted write-off."))
    if _same_person(write_off):
        refuse(_("A write-off is approved by someone other than the person who drafted it."))
    # A payment of its bills being recorded now is waited for and taken off what they owe; one
    # recorded after waits for the approval and is booked as a recovery (payments.import_lines).
    bill_repo.lock_bills(bill_repo.with_adjusting([line.bill_id for line in write_off.bills]))
    owing = {bill.id: balance for bill, balance in repo.lapsed(write_off.cutoff, claimed_by=write_off.id)}
    late = repo.open_late_charges(list(owing))
    for line in list(write_off.bills):
        if owing.get(line.bill_id, 0) <= 0:
            write_off.bills.remove(line)
        else:
            line.amount, line.late = owing[line.bill_id], late.get(line.bill_id, 0)
    if not write_off.bills:
        refuse(_("Every bill of this write-off has been paid meanwhile; withdraw it."))
    write_off.total = sum(line.amount for line in write_off.bills)
    actor_id, actor = audit.current_actor()
    write_off.status, write_off.approved_by_id, write_off.approved_by = "approved", actor_id, actor[:50]
    write_off.approved_on, write_off.approved_at = local_today(), utcnow()
    write_off.posting_key = f"rates:write-off:{write_off.id}"
    postings.owe_posting(write_off.posting_key, write_off.approved_on, f"결손처분 {write_off.number} ({write_off.reason[:100]})",
                         _write_off_lines(write_off.total, write_off.approved_on))
    audit.record("update", "rates_write_off", write_off.id, N_("write-off %(number)s approved: %(amount)s won"),
                 values={"number": write_off.number, "amount": write_off.total},
                 after={"bills": [line.bill_id for line in write_off.bills], "total": write_off.total})
    tx.commit()
    return write_off


def _write_off_lines(total: int, on: date) -> list[tuple]:
    """The receivables written off: against the allowance as far as its balance goes, the rest as
    bad-debt expense."""
    found = ports.get("accounting").account_balances(on.year, on.month, [ALLOWANCE])
    allowance = max(0, sum(b.credit - b.debit for b in found))
    from_allowance = min(allowance, total)
    lines = []
    if from_allowance:
        lines.append((ALLOWANCE, from_allowance, 0, "대손충당금 사용"))
    if total - from_allowance:
        lines.append((BAD_DEBT, total - from_allowance, 0, "대손상각"))
    lines.append((RECEIVABLE, 0, total, "결손처분 요금 미수금"))
    return lines


@transactional
def withdraw(write_off_id: int, note: str = "") -> WriteOff:
    """A drafted write-off withdrawn (its bills become candidates again)."""
    tx.read_committed(WriteOff.__table__)
    write_off = repo.write_off(write_off_id, lock=True)  # not while it is being approved
    if write_off is None or write_off.status != "draft":
        refuse(_("Choose a drafted write-off."))
    write_off.status = "withdrawn"
    audit.record("update", "rates_write_off", write_off.id, N_("write-off %(number)s withdrawn"), values={"number": write_off.number},
                 after={"note": (note or "")[:300]})
    tx.commit()
    return write_off


def recognise_recoveries() -> int:
    """Book, once each, the payments (and reversals) applied to written-off bills after their
    write-off: the receivable restored against the allowance. Joins the caller's unit of work;
    returns how many lines were recognised."""
    found = repo.unrecognised_recoveries()
    for payment_id, bill_id, amount, received_on in found:
        key = f"rates:write-off-recovery:{payment_id}"
        repo.add(WriteOffRecovery(payment_id=payment_id, bill_id=bill_id, amount=amount, recovered_on=received_on,
                                  posting_key=key))
        debit, credit = (amount, 0) if amount > 0 else (0, -amount)
        postings.owe_posting(key, received_on, f"결손처분 채권 회수 (수납 {payment_id})",
                             [(RECEIVABLE, debit, credit, "결손처분 채권 회수"), (ALLOWANCE, credit, debit, "대손충당금 환입")])
    return len(found)


def of_bill(bill_id: int) -> tuple[WriteOff | None, int]:
    """The approved write-off holding the bill, and what was recovered on it since."""
    write_off = repo.write_off_of_bill(bill_id)
    return write_off, (repo.recoveries_of([bill_id]).get(bill_id, 0) if write_off else 0)
