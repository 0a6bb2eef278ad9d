"""Bill runs (정기부과), move-out settlements (이사정산) and adjusting bills.

A run bills every customer of a period and cycle (optionally one route) that has readings in the
period and none held. It is built for volume: customers and their period's use are read by one
grouped query per block of customer ids; the bill of a combination of terms (use type, diameter,
use, households, reductions …) is computed once by the pure calculation and reused for every
customer sharing it; bills are written by one executemany per block. Each block is one
transaction, and the database holds one regular bill per customer and period (a unique key; the
insert skips rows it already holds), so a run killed at any point is started again and finishes
with no bill missing and none twice.

When the last block is written the run is finished and, in the same transaction, its posting is
written to the outbox: one entry for the run, one line per account (receivables 1113; water
revenue 611-xx by use type; the sewerage fee 2116 and the water-use charge 2115 held for their
funds). The relay delivers it through the accounting port, idempotently.

Issued bills are never edited: a correction is an adjusting bill of the differences that names
the original, posted on its own.
"""
from __future__ import annotations

import calendar as month_calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _

from erp import jobs
from erp.audit import services as audit
from erp.common import calendar, outbox, tx
from erp.common.clock import utcnow
from erp.common.errors import refuse
from erp.common.sql import bulk_insert
from erp.common.tx import transactional
from erp.extensions import db
from plugins.rates.models import Bill, BillRun, Customer, Outbox
from plugins.rates.repositories import bills as repo
from plugins.rates.repositories import customers as customer_repo
from plugins.rates.services import customers as customer_service
from plugins.rates.services import tariffs as tariff_service
from plugins.rates.services.calculation import QuoteError, QuoteRequest, Reduction, quote

RECEIVABLE = "1113"  # 미수금(수도요금)
WATER_USE_HELD = "2115"  # 예수금(물이용부담금)
SEWER_HELD = "2116"  # 예수금(하수도사용료)
REVENUE = {"household": "611-01", "general": "611-03", "bath": "611-04", "industrial": "611-05"}
CHUNK = 50_000  # customer ids per transaction: a kill loses at most one block's work
AMOUNTS = ("meter_amount", "water_amount", "sewer_amount", "water_use_amount", "water_reduction", "sewer_reduction")
LINE_CODES = {"meter": "meter_amount", "water": "water_amount", "sewer": "sewer_amount", "water_use": "water_use_amount",
              "water_reduction": "water_reduction", "sewer_reduction": "sewer_reduction"}
COLUMNS = ["number", "run_id", "customer_id", "period", "kind", "reference", "reason", "use_type", "diameter", "households",
           "period_start", "period_end", "read_on", "issued_on", "due_on", "prev_reading", "curr_reading", "use",
           "reductions", *AMOUNTS, "total", "created_at"]
STALE_AFTER = timedelta(minutes=2)  # a running run without a heartbeat for this long was interrupted


def period_dates(period: str, cycle: str) -> tuple[date, date]:
    """The first and last day of a billing period ``YYYY-MM`` (two months for a bimonthly cycle)."""
    try:
        year, month = (int(part) for part in period.split("-"))
        start = date(year, month, 1)
    except (ValueError, AttributeError):
        refuse(_("Enter the period as YYYY-MM."), "period")
    if cycle not in ("monthly", "bimonthly"):
        refuse(_("Choose monthly or bimonthly billing."), "cycle")
    last_month = start if cycle == "monthly" else (start + timedelta(days=32)).replace(day=1)
    end = last_month.replace(day=month_calendar.monthrange(last_month.year, last_month.month)[1])
    return start, end


def shift_period(period: str, months: int) -> str:
    """The billing month ``months`` after (or, negative, before) ``period``, both ``YYYY-MM``."""
    year, month = (int(part) for part in period.split("-"))
    index = year * 12 + month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def default_due(issued_on: date) -> date:
    """납기: the end of the month of issue, or of the next month when fewer than ten days remain,
    moved to the next working day."""
    due = issued_on.replace(day=month_calendar.monthrange(issued_on.year, issued_on.month)[1])
    if (due - issued_on).days < 10:
        following = due + timedelta(days=1)
        due = following.replace(day=month_calendar.monthrange(following.year, following.month)[1])
    return calendar.next_working_day(due)


@transactional
def start_run(period: str, cycle: str = "monthly", route_code: str = "", issued_on: date | None = None,
              due_on: date | None = None) -> BillRun:
    """Open a run for ``period`` — or return the unfinished run of the same period, cycle and
    route, to resume it. Customers already billed for the period are not billed again."""
    start, end = period_dates(period, cycle)
    route_code = (route_code or "").strip()
    if route_code and route_code not in customer_repo.routes():
        refuse(_("There is no route %(route)s.", route=route_code), "route_code")
    existing = repo.open_run(period, cycle, route_code)
    if existing is not None:
        return existing
    clash = repo.overlapping_run(period, cycle, route_code, start, end)
    if clash is not None:
        # Bimonthly periods run two months from the month given: 2026-10 and 2026-11 would both
        # bill November's water.
        refuse(_("The period overlaps the run of %(period)s (%(start)s ~ %(end)s): bimonthly runs take "
                 "every other month.", period=clash.period, start=clash.period_start.isoformat(),
                 end=clash.period_end.isoformat()), "period")
    issued_on = issued_on or date.today()
    if issued_on < end:
        refuse(_("Bills are issued after the period ends (%(date)s).", date=end.isoformat()), "issued_on")
    due_on = due_on or default_due(issued_on)
    if due_on <= issued_on:
        refuse(_("The due date must come after the issue date."), "due_on")
    if not tariff_service.terms_between(start, end):
        refuse(_("No tariff is in force in this period."), "period")
    expected = repo.unbilled_count(period, cycle, route_code, start)
    if not expected:
        refuse(_("Every customer of this period is billed already."), "period")
    run = BillRun(period=period, cycle=cycle, route_code=route_code, period_start=start, period_end=end,
                  issued_on=issued_on, due_on=due_on, expected=expected, started_by=audit.current_actor()[1],
                  heartbeat_at=utcnow())
    repo.add(run)
    audit.record("create", "rates_bill_run", run.id, f"bill run {period} {cycle} {route_code or '*'}: {expected} customers")
    tx.commit()
    return run


@dataclass
class _Terms:
    """Everything a run needs that is the same for every customer."""
    run: BillRun
    tariffs: list
    memo: dict
    errors: dict


def execute(run_id: int, *, chunk: int = CHUNK, progress: Callable[[int, int, int], None] | None = None) -> BillRun:
    """Bill every customer of the run not billed yet, block by block, then finish the run and
    write its posting to the outbox. Safe to call again after an interruption, or twice at once.
    ``progress(done, of, billed)`` is called after each block (customer ids done of the span)."""
    run = repo.run(run_id)
    if run is None:
        refuse(_("There is no such bill run."))
    if run.status == "finished":
        return run
    terms = _Terms(run, tariff_service.terms_between(run.period_start, run.period_end), {}, {})
    low, high = repo.id_bounds(run.period, run.cycle, run.route_code, run.period_start)
    tx.commit()
    if low is not None:
        span = high + 1 - low
        for block_low in range(low, high + 1, chunk):
            _bill_block(terms, block_low, min(block_low + chunk, high + 1))
            if progress:
                progress(min(block_low + chunk, high + 1) - low, span, terms.run.billed)
    return _finish(run_id, terms.errors)


@transactional
def _bill_block(terms: _Terms, low: int, high: int) -> int:
    """Bill the customers with ids in [low, high) in one transaction; returns the bills written."""
    run = terms.run
    period, start, end, run_id = run.period, run.period_start, run.period_end, run.id
    rows = repo.billing_rows(period, run.cycle, run.route_code, start, end, low, high)
    reductions = repo.reductions_in(low, high, start, end) if rows else {}
    # The same for every bill of the run: written as the text the databases store, once.
    now = utcnow()
    fixed = (start.isoformat(), end.isoformat())
    issued, due, created = run.issued_on.isoformat(), run.due_on.isoformat(), now.isoformat(" ")
    prefix, memo, errors, bills = period.replace("-", "") + "-", terms.memo, terms.errors, []
    for (customer_id, account_no, use_type, households, mixed, rate, moved_out_on, diameter, max_reading,
         use, first, last, read_on) in rows:
        # Most customers have no reduction, no own rate and no move: those tests stay cheap.
        codes = reductions.get(customer_id, ())
        leak_average = _leak_average(customer_id, start) if codes and "LEAK" in codes else None
        move_out = None
        if moved_out_on is not None:
            move_out = _day(moved_out_on)
            move_out = move_out if move_out <= end else None
        if rate is not None:
            rate = Decimal(str(rate))
        key = (use_type, diameter, int(use), households, mixed, rate, move_out, codes, leak_average)
        amounts = memo.get(key)
        if amounts is None:
            amounts = memo[key] = _amounts(terms, key)
        if amounts.__class__ is str:
            errors[amounts] = errors.get(amounts, 0) + 1
            continue
        previous = first if first >= 0 else first + max_reading + 1  # the dial rolled over in the period
        bills.append((prefix + account_no.replace("-", ""), run_id, customer_id, period, "regular", "", "",
                      use_type, diameter, households, *fixed, read_on, issued, due, previous, last, int(use),
                      ",".join(codes), *amounts, created))
    bulk_insert(Bill.__table__, COLUMNS, bills, ignore=True)
    run = db.session.get(BillRun, run_id)
    run.billed += len(bills)
    run.heartbeat_at = now
    tx.commit()
    terms.run = run
    return len(bills)


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _leak_average(customer_id: int, start: date) -> Decimal | None:
    uses = repo.uses_before(customer_id, start)
    return Decimal(sum(uses)) / len(uses) if uses else None


def _amounts(terms: _Terms, key) -> tuple | str:
    """The bill's amount columns and total for one combination of terms, or the reason it cannot be computed."""
    use_type, diameter, use, households, mixed, rate, move_out, codes, leak_average = key
    run = terms.run
    request = QuoteRequest(use_type=use_type, diameter=diameter, consumption=use, period_start=run.period_start,
                           period_end=run.period_end, households=households, mixed=bool(mixed), move_out=move_out,
                           water_use_rate=Decimal(rate) if rate is not None else None,
                           reductions=tuple(Reduction(code, leak_average if code == "LEAK" else None) for code in codes))
    try:
        result = quote(request, terms.tariffs)
    except QuoteError as error:
        return str(error)
    return _columns(result)


def _columns(result) -> tuple:
    values = dict.fromkeys(AMOUNTS, 0)
    for line in result.lines:
        values[LINE_CODES[line.code]] += line.amount
    return (*values.values(), result.total)


def _finish(run_id: int, errors: dict) -> BillRun:
    """Mark the run finished and owe its posting, in one transaction; then relay."""
    run = _close_run(run_id, errors)
    if run.status == "finished":
        relay()
    return db.session.get(BillRun, run_id)


@transactional
def _close_run(run_id: int, errors: dict) -> BillRun:
    run = db.session.get(BillRun, run_id)
    if run.status == "finished":
        return run
    totals = repo.run_totals(run.id)
    run.billed = sum(row[1] for row in totals)
    run.total_amount = sum(row[8] for row in totals)
    run.status, run.finished_at = "finished", utcnow()
    if errors:
        run.note = "; ".join(f"{count}: {reason}" for reason, count in errors.items())[:500]
    lines = _posting_lines({row[0]: dict(zip(AMOUNTS, row[2:8], strict=True)) for row in totals})
    if lines:
        _owe_posting(f"rates:bill-run:{run.id}", run.issued_on, f"상하수도요금 정기부과 {run.period} ({run.billed:,}건)", lines)
    audit.record("update", "rates_bill_run", run.id, f"bill run {run.period} finished: {run.billed} bills, {run.total_amount} won")
    tx.commit()
    return run


def _posting_lines(by_use_type: dict[str, dict[str, int]]) -> list[tuple]:
    """One line per account: the receivable against water revenue by use type, and the sewerage
    fee and water-use charge held for their funds. Negative sums (an adjusting bill that lowers
    the amount) go to the other side."""
    sums: dict[str, int] = {}
    for use_type, amounts in by_use_type.items():
        revenue = REVENUE.get(use_type, "611-09")
        sums[revenue] = sums.get(revenue, 0) + amounts["meter_amount"] + amounts["water_amount"] + amounts["water_reduction"]
        sums[SEWER_HELD] = sums.get(SEWER_HELD, 0) + amounts["sewer_amount"] + amounts["sewer_reduction"]
        sums[WATER_USE_HELD] = sums.get(WATER_USE_HELD, 0) + amounts["water_use_amount"]
    total = sum(sums.values())
    lines = [(RECEIVABLE, total, 0, "요금 미수금") if total >= 0 else (RECEIVABLE, 0, -total, "요금 미수금 감액")]
    for code, amount in sorted(sums.items()):
        if amount:
            lines.append((code, 0, amount, "") if amount > 0 else (code, -amount, 0, ""))
    return lines if total or len(lines) > 1 else []


def _owe_posting(key: str, on: date, memo: str, lines: list[tuple]) -> None:
    """Owe accounting the entry of ``lines`` ``(account code, debit, credit, memo)``: an outbox row
    in this transaction, delivered through the accounting port with ``key`` as idempotency key."""
    request = {"entry_date": on.isoformat(), "memo": memo[:300], "idempotency_key": key, "source": key,
               "lines": [{"account_code": code, "debit": debit, "credit": credit, "memo": text[:200]}
                         for code, debit, credit, text in lines]}
    outbox.owe(Outbox, key, "accounting", "post_entry", {"request": request})
    # Delivered by the worker once this work commits (and every minute, should that fail).
    jobs.enqueue("rates.relay", key="rates.relay")


def relay(limit: int = 100) -> tuple[int, int]:
    """Deliver the rates postings waiting in the outbox; returns (delivered, failed)."""
    return outbox.relay(Outbox, limit)


def running_runs() -> list[BillRun]:
    """Bill runs not finished yet (running now, or interrupted and waiting to be resumed)."""
    return repo.running_runs()


def is_stalled(run: BillRun) -> bool:
    """A running run whose worker stopped (its heartbeat is old): it can be resumed."""
    return run.status == "running" and (run.heartbeat_at is None or utcnow() - run.heartbeat_at > STALE_AFTER)


@transactional
def leak_adjust(bill_id: int, *, reason: str, reference: str = "") -> Bill:
    """누수감면 on an issued bill: an adjusting bill with the leak reduction, and the reduction
    recorded on the customer for that period (with the reference as evidence)."""
    original = repo.bill(bill_id)
    if original is None:
        refuse(_("Choose the issued bill to adjust."))
    existing = repo.by_reference(original.customer_id, original.period, "adjusting", reference[:40]) if reference else None
    if existing is not None:
        return existing
    bill = adjust(bill_id, add_reductions=("LEAK",), reason=reason, reference=reference)
    customer_service.grant_reduction(original.customer_id, "LEAK", original.period_start, original.period_end,
                                     f"{reference} {reason}".strip()[:300])
    tx.commit()
    return bill


# --- single bills: move-out settlement, adjusting bills -------------------------------------------

def _bill_from_quote(customer: Customer, meter_diameter: int, result, **fields) -> Bill:
    values = dict(zip(AMOUNTS, _columns(result)[:-1], strict=True))
    return Bill(customer_id=customer.id, use_type=customer.use_type, diameter=meter_diameter, households=customer.households,
                total=result.total, created_at=utcnow(), **values, **fields)


def _post_bill(bill: Bill, memo: str) -> None:
    lines = _posting_lines({bill.use_type: {name: getattr(bill, name) for name in AMOUNTS}})
    if lines:
        _owe_posting(f"rates:bill:{bill.number}", bill.issued_on, memo, lines)


@transactional
def settle_move_out(customer_id: int, on: date, final_reading: int, reference: str = "") -> Bill:
    """이사정산: record the final reading on the move date, move the holder out and issue the
    settlement bill for the days used (no reductions apply). The same ``reference`` twice returns
    the first settlement bill."""
    customer = customer_repo.get(customer_id)
    if customer is None:
        refuse(_("There is no such customer."))
    period = on.strftime("%Y-%m")
    existing = repo.by_reference(customer.id, period, "settlement", reference[:40]) if reference else None
    if existing is not None:
        return existing
    if repo.regular_bill(customer.id, period) is not None:
        refuse(_("This period is billed already; the move-out is settled from the next period."), "on")
    meter = customer_repo.active_meter(customer.id)
    if meter is None:
        refuse(_("The customer has no meter to read."))
    start, end = period_dates(period, customer.cycle)

    def settlement(use: int):
        return tariff_service.quote_request(QuoteRequest(
            use_type=customer.use_type, diameter=meter.diameter, consumption=use, period_start=start, period_end=end,
            households=customer.households, mixed=customer.mixed, move_out=on, water_use_rate=customer.water_use_rate))

    try:
        settlement(0)  # the tariff and meter can be billed: checked before anything is recorded
    except QuoteError as error:
        refuse(str(error))
    customer_service.read(customer.id, on, final_reading)
    customer_service.move_out(customer.id, on)
    readings = repo.period_readings(customer.id, start, on)
    use = sum(r.use for r in readings)
    result = settlement(use)
    issued = max(on, date.today())
    bill = _bill_from_quote(customer, meter.diameter, result, number=f"{period.replace('-', '')}-{customer.account_no.replace('-', '')}-S",
                            period=period, kind="settlement", reference=reference[:40], reason="이사정산",
                            period_start=start, period_end=on, read_on=on, issued_on=issued, due_on=default_due(issued),
                            prev_reading=readings[0].value - readings[0].use if readings else final_reading,
                            curr_reading=final_reading, use=use)
    repo.add(bill)
    _post_bill(bill, f"이사정산 {bill.number} {customer.holder_name}")
    audit.record("create", "rates_bill", bill.id, f"settlement bill {bill.number}: {bill.total} won")
    tx.commit()
    return bill


@transactional
def adjust(bill_id: int, *, use: int | None = None, add_reductions: tuple[str, ...] = (), reason: str,
           reference: str = "") -> Bill:
    """Issue an adjusting bill for ``bill_id`` (a regular or settlement bill): the bill as it
    should have been — with the corrected ``use`` and/or the added reductions — less what was
    billed so far. The same ``reference`` twice returns the first adjusting bill."""
    original = repo.bill(bill_id)
    if original is None or original.kind == "adjusting":
        refuse(_("Choose the issued bill to adjust."))
    reason = (reason or "").strip()
    if not reason:
        refuse(_("Give the reason for the adjustment."), "reason")
    reference = (reference or "").strip()[:40]
    if reference:
        existing = repo.by_reference(original.customer_id, original.period, "adjusting", reference)
        if existing is not None:
            return existing
    if use is not None and (not isinstance(use, int) or isinstance(use, bool) or use < 0):
        refuse(_("The corrected use must be a whole number of ㎥, zero or more."), "use")
    customer = original.customer
    previous = repo.adjustments_of(original)
    corrected_use = use if use is not None else (previous[-1].use if previous else original.use)
    codes = [c for c in original.reductions.split(",") if c] if original.kind == "regular" else []
    for code in add_reductions:
        if code not in codes:
            codes.append(code)
    leak = _leak_average(customer.id, original.period_start) if "LEAK" in codes else None
    if "LEAK" in codes and leak is None:
        refuse(_("A leak reduction needs earlier readings to compare with."))
    request = QuoteRequest(use_type=original.use_type, diameter=original.diameter, consumption=corrected_use,
                           period_start=original.period_start,
                           period_end=original.period_end if original.kind == "regular" else period_dates(original.period, customer.cycle)[1],
                           households=original.households, mixed=customer.mixed, water_use_rate=customer.water_use_rate,
                           move_out=original.period_end if original.kind == "settlement" else None,
                           reductions=tuple(Reduction(code, leak if code == "LEAK" else None) for code in codes))
    try:
        result = tariff_service.quote_request(request)
    except QuoteError as error:
        refuse(str(error))
    should = dict(zip(AMOUNTS, _columns(result)[:-1], strict=True))
    billed = {name: getattr(original, name) + sum(getattr(b, name) for b in previous) for name in AMOUNTS}
    billed_total = original.total + sum(b.total for b in previous)
    differences = {name: should[name] - billed[name] for name in AMOUNTS}
    if result.total == billed_total and not any(differences.values()):
        refuse(_("The corrected bill is the same as the bill issued; nothing to adjust."))
    issued = date.today()
    bill = Bill(customer_id=customer.id, use_type=original.use_type, diameter=original.diameter,
                households=original.households, total=result.total - billed_total, created_at=utcnow(),
                number=f"{original.number}-A{len(previous) + 1}", period=original.period, kind="adjusting",
                reference=reference or f"{original.number}-A{len(previous) + 1}", original_id=original.id,
                reason=reason[:300], period_start=original.period_start, period_end=original.period_end,
                read_on=original.read_on, issued_on=issued, due_on=default_due(issued) if result.total > billed_total else issued,
                prev_reading=original.prev_reading, curr_reading=original.curr_reading, use=corrected_use,
                reductions=",".join(codes)[:60], **differences)
    repo.add(bill)
    _post_bill(bill, f"요금 조정 {bill.number} ({reason[:100]})")
    audit.record("create", "rates_bill", bill.id, f"adjusting bill {bill.number} of {original.number}: {bill.total} won",
                 after={"use": corrected_use, "reductions": bill.reductions, "reason": reason})
    tx.commit()
    return bill
