"""Arrears (체납): what customers owe after the due date, late charges (가산금), the 체납액 carried
onto the next bill, customers' credits applied, the ageing of arrears, the disconnection-notice
list (단수 예고) and the disconnections and reconnections recorded.

Late charges follow the settings of the tariff version in force on the day of assessment, both
kinds cities use: the one-time percentage once the due date has passed (``late_rate``, e.g. 3 %)
and the monthly addition (``late_monthly_rate``, e.g. 1.2 %, month by month for up to
``late_monthly_months`` months on a bill still owing at least ``late_monthly_threshold`` won).
Each is charged on the bill's unpaid balance, below 10 won dropped (``calculation.late_charge``).
A bill covered by a kept instalment plan (분납) takes none.

The monthly arrears run (``run``: the page's button, ``flask rates arrears-run``, the job
``rates.arrears-run``) applies customers' credits to what they owe, reviews instalment plans, and
assesses the charges set-based (INSERT … SELECT per kind and due date). A charge is unique per
bill, kind and month, so a run repeated — the same day or later — never charges twice. Late
charges are revenue: each run owes accounting receivables 1113 against 661-07 가산금수익.

Credits (선수금, from overpayments) pay the oldest bills first — each bill's late charges, then
its balance — recorded as payment lines of channel ``credit`` (amount 0, applied to the bill,
credit used) and booked 2113 선수금 against 1113. The bill run applies them to the new bills and
then carries each customer's overdue balance and open late charges onto the new bill as its own
line (``Bill.arrears``, 체납액); it is not part of the bill's total, so receivables hold every
amount once.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from flask_babel import gettext as _

from erp.audit import services as audit
from erp.i18n import N_
from erp.common import tx
from erp.common.clock import local_today, utcnow
from erp.common.errors import refuse
from erp.common.tx import transactional
from plugins.rates.models import ArrearsRun, Bill, BillRun, Customer, Payment, ReminderNotice, SupplyEvent
from plugins.rates.repositories import arrears as repo
from plugins.rates.repositories import bills as bill_repo
from plugins.rates.repositories import customers as customer_repo
from plugins.rates.repositories import overview
from plugins.rates.repositories import payments as payment_repo
from plugins.rates.services import instalments, postings
from plugins.rates.services.calculation import late_charge, late_charge_sql

RECEIVABLE, ADVANCES, LATE_REVENUE = "1113", "2113", "661-07"
BUCKETS = ((0, 30), (31, 60), (61, 90), (91, 180), (181, 365), (366, None))
BUCKET_LABELS = ("0–30", "31–60", "61–90", "91–180", "181–365", "365+")


@dataclass
class RunResult:
    run: ArrearsRun
    charges: int  # charges assessed by this call
    amount: int
    credit_used: int
    plans_ended: int


@transactional
def run(as_of: date | None = None) -> RunResult:
    """The month's arrears run as of ``as_of`` (default today): credits applied, instalment plans
    reviewed, late charges assessed and owed to accounting. Repeated, it changes nothing more."""
    tx.read_committed(Bill.__table__)  # credits are applied under locks (_apply_credits)
    as_of = as_of or local_today()
    tariff = repo.tariff_on(as_of)
    if tariff is None:
        refuse(_("No tariff is in force on %(date)s.", date=as_of.isoformat()), "as_of")
    arrears_run = repo.take_run(as_of, audit.current_actor()[1][:50], utcnow())  # a twin run waits here
    last = repo.last_charge_id()
    used = _apply_credits(as_of)
    ended = instalments.review(as_of)
    with repo.owing_bills(as_of):
        if Decimal(tariff.late_rate) > 0:
            rate = Decimal(tariff.late_rate)
            repo.assess_once(arrears_run.id, as_of, lambda balance: late_charge_sql(balance, rate))
        if Decimal(tariff.late_monthly_rate) > 0 and tariff.late_monthly_months > 0:
            rate = Decimal(tariff.late_monthly_rate)
            months = [(m, _charged_before(as_of, m)) for m in range(1, tariff.late_monthly_months + 1)]
            repo.assess_monthly(arrears_run.id, as_of, months, lambda balance: late_charge_sql(balance, rate),
                                tariff.late_monthly_threshold)
    # The charges this call wrote: the run's past the last key before it.
    new_count, new_amount = repo.charges_after(last, arrears_run.id)
    arrears_run.charges = (arrears_run.charges or 0) + new_count
    arrears_run.amount = (arrears_run.amount or 0) + new_amount
    arrears_run.credit_used = (arrears_run.credit_used or 0) + used
    arrears_run.plans_ended = (arrears_run.plans_ended or 0) + ended
    if new_amount:
        postings.owe_posting(postings.free_key(f"rates:late-charges:{as_of.isoformat()}"), as_of,
                             f"상하수도요금 가산금 부과 {as_of.isoformat()} ({new_count:,}건)",
                             [(RECEIVABLE, new_amount, 0, "가산금 미수금"), (LATE_REVENUE, 0, new_amount, "가산금수익")])
    audit.record("update", "rates_arrears_run", arrears_run.id,
                 f"arrears run {as_of}: {new_count} late charges ({new_amount} won), {used} won of credit applied, "
                 f"{ended} instalment plan(s) ended")
    tx.commit()
    return RunResult(arrears_run, new_count, new_amount, used, ended)


def runs() -> list[ArrearsRun]:
    return repo.runs()


def _charged_before(as_of: date, month: int) -> date:
    """The first due date whose ``month``-th monthly addition is not due on ``as_of``: a bill
    takes it once its due date plus that many months has passed (before ``as_of``), and adding
    months never goes back, so the bills that take it are exactly those due before this date."""
    day = as_of - relativedelta(months=month)
    while day + relativedelta(months=month) < as_of:
        day += relativedelta(days=1)
    while day - relativedelta(days=1) + relativedelta(months=month) >= as_of:
        day -= relativedelta(days=1)
    return day


def _apply_credits(on: date, customer_ids: set[int] | None = None) -> int:
    """Apply every customer's credit to what they owe, oldest due first (each bill's late charges,
    then its balance); book the total used. Returns the amount used.

    Its caller began its work in READ COMMITTED (``tx.read_committed``): the bills the credits
    would pay are locked, then the customers (a reversal's order), and both are read again, so a
    payment at the counter committed meanwhile is seen — no bill is paid twice — and a refund of
    the same credit waits (it locks the customer) or is seen — no credit is used twice."""
    tx.read_committed(Bill.__table__)
    candidates = repo.customers_with_credit(customer_ids)
    if not candidates:
        return 0
    bill_ids = {bill_id for _c, bill_id, _d, _b, _l in repo.open_items(sorted(candidates))}
    bill_repo.lock_bills(bill_ids)
    customer_repo.lock(candidates)
    credits = repo.customers_with_credit(candidates)
    # A bill owing again since the first read (a reversal) was not locked: left to the next run.
    items = [item for item in repo.open_items(sorted(credits)) if item[1] in bill_ids] if credits else []
    charges: dict[int, list] = {}
    for charge in repo.open_charges([bill_id for _c, bill_id, _d, _b, late in items if late]):
        charges.setdefault(charge.bill_id, []).append(charge)
    who, now, used, uses = audit.current_actor()[1][:50], utcnow(), 0, []
    for customer_id, bill_id, _due, balance, _late in items:
        left = credits.get(customer_id, 0)
        if left <= 0:
            continue
        to_late = 0
        for charge in charges.get(bill_id, ()):
            part = min(left - to_late, charge.amount - charge.paid)
            charge.paid += part
            to_late += part
        applied = min(left - to_late, balance)
        if not applied and not to_late:
            continue
        credits[customer_id] = left - applied - to_late
        used += applied + to_late
        uses.append(Payment(channel="credit", txn_id=f"U{on:%Y%m%d}-{bill_id}-{secrets.token_hex(4)}", kind="credit",
                            received_on=on, reference="", payer="", amount=0, bill_id=bill_id, customer_id=customer_id,
                            applied=applied, credit=-(applied + to_late), status="matched", source="credit",
                            created_by=who, created_at=now))
    if used:
        key = postings.free_key(f"rates:credit-use:{on.isoformat()}")
        for use in uses:
            use.posting_key = key
            payment_repo.add(use)
        postings.owe_posting(key, on, f"선수금 충당 {on.isoformat()}",
                             [(ADVANCES, used, 0, "과오납 선수금 충당"), (RECEIVABLE, 0, used, "요금 미수금 회수")])
    return used


def lock_credit_of(customer_id: int, bill_ids=()) -> None:
    """Lock what applying or giving back the customer's credit touches, before the caller writes:
    the customer's bills still owing, those its credit paid, and ``bill_ids``, then the customer
    — the order of every writer of a credit (:func:`_apply_credits`), so two of them never wait
    for each other in a circle. In the caller's READ COMMITTED unit of work."""
    tx.read_committed(Bill.__table__)
    owing = {bill_id for _c, bill_id, _d, _b, _l in repo.open_items([customer_id])}
    paid_by_credit = {line.bill_id for line in repo.credit_uses(customer_id)}
    bill_repo.lock_bills(owing | paid_by_credit | {b for b in bill_ids if b is not None})
    customer_repo.lock([customer_id])


def carry_over(run: BillRun) -> None:
    """At the close of a bill run, in its transaction: customers' credits applied (to the new
    bills too), then the 체납액 of each new bill written — what the customer's bills due before
    the issue date still owe with their open late charges."""
    _apply_credits(run.issued_on)
    repo.set_arrears(run.id, repo.overdue_by_customer(run.issued_on, exclude_run=run.id))


def carry_over_bill(bill: Bill) -> None:
    """The same for a single bill (a move-out settlement or an adjusting bill), in its
    transaction: the customer's credit applied (to this bill too), then its 체납액 written."""
    _apply_credits(bill.issued_on, {bill.customer_id})
    bill.arrears = repo.overdue_by_customer(bill.issued_on, customer_id=bill.customer_id).get(bill.customer_id, 0)


def return_credit(customer_id: int, amount: int, on: date, reference: str) -> int:
    """Undo up to ``amount`` won of the customer's credit uses, newest first — in the caller's
    transaction, for a reversed payment whose excess was used already: the bills (and late
    charges) the credit paid owe that again, and the credit does not fall below zero. Booked
    1113 against 2113 (the opposite of the use). Returns the amount returned."""
    left, returned = amount, 0
    key = f"rates:credit-return:{reference}"
    who, now = audit.current_actor()[1][:50], utcnow()
    uses = repo.credit_uses(customer_id)
    # What each bill's credit lines still hold, net of earlier returns (lines of opposite sign).
    held: dict[int, list[int]] = {}
    for line in uses:
        applied, to_late = held.setdefault(line.bill_id, [0, 0])
        held[line.bill_id] = [applied + line.applied, to_late + (-line.credit - line.applied)]
    for bill_id in dict.fromkeys(line.bill_id for line in uses):
        if left <= 0:
            break
        applied, to_late = held[bill_id]
        # Late charges were paid before the balance: returned first (only credit uses pay them).
        want, late_back = min(left, max(0, to_late)), 0
        for charge in repo.paid_charges(bill_id) if want else ():
            part = min(want - late_back, charge.paid)
            charge.paid -= part
            late_back += part
            if late_back >= want:
                break
        bill_back = min(left - late_back, max(0, applied))
        if not late_back and not bill_back:
            continue
        left -= late_back + bill_back
        returned += late_back + bill_back
        payment_repo.add(Payment(channel="credit", txn_id=f"R{on:%Y%m%d}-{bill_id}-{secrets.token_hex(4)}", kind="credit",
                                 received_on=on, reference=reference[:40], payer="", amount=0, bill_id=bill_id,
                                 customer_id=customer_id, applied=-bill_back, credit=late_back + bill_back,
                                 status="matched", source="credit", posting_key=key, created_by=who, created_at=now))
    if returned:
        postings.owe_posting(key, on, f"선수금 충당 취소 {reference}",
                             [(RECEIVABLE, returned, 0, "요금 미수금 환원"), (ADVANCES, 0, returned, "선수금 충당 취소")])
    return returned


# --- what a customer owes --------------------------------------------------------------------------

@dataclass
class DueItem:
    """A bill still owing: its balance, its late charges not paid (assessed, and the one-time
    charge due but not assessed yet), and how many days it is overdue (0: not due yet)."""
    bill: Bill
    balance: int
    late_charges: int
    days_overdue: int


@dataclass
class AmountDue:
    items: list[DueItem] = field(default_factory=list)
    credit: int = 0

    @property
    def owed(self) -> int:
        return sum(item.balance + item.late_charges for item in self.items)

    @property
    def total(self) -> int:
        """What the customer has to pay now (never below zero; a larger credit is refunded or carried)."""
        return max(0, self.owed - self.credit)

    @property
    def overdue(self) -> int:
        return sum(item.balance + item.late_charges for item in self.items if item.days_overdue > 0)


def amount_due(customer_id: int, on: date | None = None) -> AmountDue:
    """What the customer owes on ``on`` (default today), bill by bill, with late charges: each
    bill's unpaid balance, its late charges not paid yet — those assessed by the arrears runs and,
    once the due date has passed, the one-time charge the next run will assess — and the
    customer's credit (선수금) set against the total. The citizens' inquiry shows this."""
    on = on or local_today()
    tariff = repo.tariff_on(on)
    plan = repo.active_plan_of(customer_id)
    result = AmountDue(credit=max(0, payment_repo.credit_of(customer_id)))
    assessed_once = repo.bills_charged_once(customer_id)
    for bill, balance, late in repo.customer_bills_owing(customer_id):
        days = max(0, (on - bill.due_on).days)
        pending = 0
        covered = plan is not None and bill.due_on <= plan.covered_through
        if days and tariff is not None and not covered and bill.id not in assessed_once and balance > 0:
            pending = late_charge(balance, Decimal(tariff.late_rate))
        result.items.append(DueItem(bill, balance, late + pending, days))
    return result


def charges_of_bill(bill_id: int):
    """The late charges assessed on a bill."""
    return repo.charges_of_bill(bill_id)


# --- ageing ------------------------------------------------------------------------------------------

@dataclass
class AgeingRow:
    key: str
    bills: list[int]
    amounts: list[int]

    @property
    def total(self) -> int:
        return sum(self.amounts)


def ageing(as_of: date | None = None, by: str = "route") -> tuple[list[AgeingRow], AgeingRow]:
    """What overdue bills owe on ``as_of`` (balance and open late charges) by days past due in the
    buckets 0–30, 31–60, 61–90, 91–180, 181–365 and over 365, by route or by use type; with the totals."""
    as_of = as_of or local_today()
    if by not in ("route", "use_type"):
        refuse(_("Group by route or by use type."), "by")
    group = Customer.route_code if by == "route" else Bill.use_type
    # Bucket i holds the bills due on or after as_of - (its last day): days past due 1 … 30 → bucket 0.
    edges = [as_of - relativedelta(days=high) for _low, high in BUCKETS if high is not None]
    rows: dict[str, AgeingRow] = {}
    total = AgeingRow("", [0] * len(BUCKETS), [0] * len(BUCKETS))
    for key, bucket, bills, amount in repo.ageing(as_of, edges, group):
        row = rows.setdefault(key, AgeingRow(key, [0] * len(BUCKETS), [0] * len(BUCKETS)))
        row.bills[bucket] += bills
        row.amounts[bucket] += amount
        total.bills[bucket] += bills
        total.amounts[bucket] += amount
    return list(rows.values()), total


@dataclass
class Receivables:
    """Month by month (YYYY-MM): billed, collected, written off, and outstanding at the month's end."""

    months: list[str]
    billed: list[int]
    collected: list[int]
    written_off: list[int]
    outstanding: list[int]


def receivables(months: list[str]) -> Receivables:
    """The receivables of these consecutive months (YYYY-MM, oldest first). Outstanding is billed
    less collected and less written off; a payment on a written-off bill (a recovery) is collected
    on a bill already taken off, so it lowers nothing still outstanding."""
    first = date(int(months[0][:4]), int(months[0][5:]), 1)
    billed, collected = overview.billed_by_month(first), overview.collected_by_month(first)
    written_off, recovered = overview.written_off_by_month(), overview.recovered_by_month()
    running = (overview.outstanding_before(first) - sum(v for k, v in written_off.items() if k < months[0])
               + sum(v for k, v in recovered.items() if k < months[0]))
    outstanding = []
    for key in months:
        running += billed.get(key, 0) - collected.get(key, 0) - written_off.get(key, 0) + recovered.get(key, 0)
        outstanding.append(running)
    return Receivables(months, [billed.get(key, 0) for key in months], [collected.get(key, 0) for key in months],
                       [written_off.get(key, 0) for key in months], outstanding)


# --- disconnection notices and supply --------------------------------------------------------------

@dataclass
class NoticeCandidate:
    customer: object
    oldest_due: date
    owed: int
    months: int


def disconnection_list(as_of: date | None = None) -> list[NoticeCandidate]:
    """The customers due a disconnection notice (단수 예고) on ``as_of``: owing on a bill overdue
    ``disconnect_months`` months or more, or (when set) ``disconnect_amount`` won or more; never
    protected households (a reduction of the tariff's ``protected_reductions``, e.g. 기초생활수급자),
    customers keeping an instalment plan, nor those disconnected already; with the tariff's
    ``reminder_required``, only customers sent a reminder (독촉장) whose new due date has passed."""
    as_of = as_of or local_today()
    tariff = repo.tariff_on(as_of)
    if tariff is None:
        return []
    codes = [code.strip() for code in (tariff.protected_reductions or "").split(",") if code.strip()]
    excluded = repo.protected_customers(codes, as_of) | repo.customers_in_plans() | repo.disconnected()
    reminded = repo.reminded_before(as_of) if tariff.reminder_required else None
    limit = as_of - relativedelta(months=tariff.disconnect_months)
    found = []
    for customer, oldest, owed in repo.overdue_summary(as_of):
        if customer.id in excluded or customer.status != "active":
            continue
        if reminded is not None and customer.id not in reminded:
            continue
        by_months = tariff.disconnect_months > 0 and oldest <= limit
        by_amount = tariff.disconnect_amount > 0 and owed >= tariff.disconnect_amount
        if by_months or by_amount:
            delta = relativedelta(as_of, oldest)
            found.append(NoticeCandidate(customer, oldest, owed, delta.years * 12 + delta.months))
    return found


def reminder_required(as_of: date | None = None) -> bool:
    """Whether the tariff in force lists only customers whose reminder's due date has passed."""
    tariff = repo.tariff_on(as_of or local_today())
    return tariff is not None and tariff.reminder_required


def supply_events(customer_id: int) -> list[SupplyEvent]:
    return repo.supply_events(customer_id)


def is_disconnected(customer_id: int) -> bool:
    events = repo.supply_events(customer_id)
    return bool(events) and events[0].kind == "disconnect"


@transactional
def record_supply(customer_id: int, kind: str, on: date | None, reason: str) -> SupplyEvent:
    """Record a disconnection (단수) or a reconnection of a customer's supply: dated, by whom, why."""
    customer = customer_repo.get(customer_id)
    if customer is None:
        refuse(_("There is no such customer."))
    if kind not in ("disconnect", "reconnect"):
        refuse(_("Choose disconnection or reconnection."), "kind")
    on = on or local_today()
    if on > local_today():
        refuse(_("The date cannot be in the future."), "on")
    reason = (reason or "").strip()
    if not reason:
        refuse(_("Give the reason."), "reason")
    disconnected = is_disconnected(customer_id)
    if kind == "disconnect" and disconnected:
        refuse(_("The supply is disconnected already."), "kind")
    if kind == "reconnect" and not disconnected:
        refuse(_("The supply is not disconnected."), "kind")
    event = repo.add(SupplyEvent(customer_id=customer_id, kind=kind, on=on, reason=reason[:300],
                                 recorded_by=audit.current_actor()[1][:50], created_at=utcnow()))
    audit.record("create", "rates_supply_event", event.id, N_("%(kind)s of %(customer)s on %(date)s: %(reason)s"),
                 values={"kind": kind, "customer": customer.account_no, "date": on.isoformat(), "reason": reason})
    tx.commit()
    return event


# --- reminders ---------------------------------------------------------------------------------------

@dataclass
class Reminder:
    customer: Customer
    due: AmountDue


def reminder_due_date(issued_on: date | None = None) -> date:
    """A reminder's new due date: ``reminder_days`` (a tariff setting) after it is issued."""
    issued_on = issued_on or local_today()
    tariff = repo.tariff_on(issued_on)
    return issued_on + relativedelta(days=tariff.reminder_days if tariff is not None else 10)


def reminders(route_code: str, on: date | None = None) -> list[Reminder]:
    """The reminders (독촉장) of a route on ``on``: its customers owing on overdue bills, those
    keeping an instalment plan left out."""
    on = on or local_today()
    if not route_code or route_code not in customer_repo.routes():
        refuse(_("There is no route %(route)s.", route=route_code or "-"), "route_code")
    in_plans = repo.customers_in_plans()
    found = []
    for customer_id in repo.customers_on_route(route_code):
        if customer_id in in_plans:
            continue
        due = amount_due(customer_id, on)
        if due.overdue - due.credit > 0:
            found.append(Reminder(customer_repo.get(customer_id), due))
    return found


@transactional
def issue_reminders(route_code: str, due_on: date, on: date | None = None) -> list[Reminder]:
    """Issue the reminders of a route on ``on`` (default today) with the new due date ``due_on``:
    each overdue bill on them is recorded as reminded (date, new due date, what it owed). Printed
    again the same day, the same reminders take the new due date. Returns them to print."""
    on = on or local_today()
    if due_on is None or due_on <= on:
        refuse(_("The new due date must come after today."), "due_on")
    found = reminders(route_code, on)
    lines = [(item.bill.id, reminder.customer.id, item.balance + item.late_charges)
             for reminder in found for item in reminder.due.items if item.days_overdue > 0]
    existing = repo.reminders_on([bill_id for bill_id, _c, _o in lines], on)
    who, now = audit.current_actor()[1][:50], utcnow()
    for bill_id, customer_id, owed in lines:
        notice = existing.get(bill_id)
        if notice is None:
            repo.add(ReminderNotice(bill_id=bill_id, customer_id=customer_id, issued_on=on, due_on=due_on, owed=owed,
                                    issued_by=who, created_at=now))
        else:
            notice.due_on, notice.owed = due_on, owed
    audit.record("create", "rates_reminder", route_code,
                 f"reminders of route {route_code} on {on}: {len(found)} customer(s), {len(lines)} bill(s), due {due_on}")
    tx.commit()
    return found


def reminders_of(customer_id: int) -> list[ReminderNotice]:
    """The reminders issued on the customer's bills, newest first."""
    return repo.reminders_of(customer_id)
