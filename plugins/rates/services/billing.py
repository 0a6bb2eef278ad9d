"""Bill runs (정기부과). Single bills are in ``adjustments``, periods in ``periods``, what the bills
owe the books in ``postings``.

A run bills every customer of a period and cycle (optionally one route) that has readings in the
period and none held. It is built for volume: customers and their period's use are read by one
grouped query per block of customer ids; the bill of a combination of terms (use type, diameter,
use, households, reductions …) is computed once by the pure calculation and reused for every
customer sharing it; bills are written by one executemany per block. Each block is one
transaction, and the database holds one regular bill per customer and period (a unique key; the
insert skips rows it already holds), so a run killed at any point is started again and finishes
with no bill missing and none twice.

When the last block is written the run is finished and, in the same transaction, its posting is
written to the outbox (``postings``): one entry for the run. The relay delivers it through the
accounting port, idempotently.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _

from erp.audit import services as audit
from erp.common import tx
from erp.common.clock import local_today, utcnow
from erp.common.errors import refuse
from erp.common.sql import bulk_insert
from erp.common.tx import transactional
from erp.extensions import db
from erp.i18n import N_
from plugins.rates.models import Bill, BillRun
from plugins.rates.repositories import bills as repo
from plugins.rates.repositories import customers as customer_repo
from plugins.rates.services import arrears, periods, postings
from plugins.rates.services import tariffs as tariff_service
from plugins.rates.services.calculation import QuoteError, QuoteRequest, Reduction, quote

CHUNK = 50_000  # customer ids per transaction: a kill loses at most one block's work
AMOUNTS = ("meter_amount", "water_amount", "sewer_amount", "water_use_amount", "water_reduction", "sewer_reduction")
LINE_CODES = {"meter": "meter_amount", "water": "water_amount", "sewer": "sewer_amount", "water_use": "water_use_amount",
              "water_reduction": "water_reduction", "sewer_reduction": "sewer_reduction"}
COLUMNS = ["number", "run_id", "customer_id", "period", "kind", "reference", "reason", "use_type", "diameter", "households",
           "period_start", "period_end", "read_on", "issued_on", "due_on", "prev_reading", "curr_reading", "use",
           "reductions", *AMOUNTS, "total", "created_at"]
STALE_AFTER = timedelta(minutes=2)  # a running run without a heartbeat for this long was interrupted


@transactional
def start_run(period: str, cycle: str = "monthly", route_code: str = "", issued_on: date | None = None,
              due_on: date | None = None) -> BillRun:
    """Open a run for ``period`` — or return the unfinished run of the same period, cycle and
    route, to resume it. Customers already billed for the period are not billed again."""
    start, end = periods.period_dates(period, cycle)
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
    issued_on = issued_on or local_today()
    if issued_on < end:
        refuse(_("Bills are issued after the period ends (%(date)s).", date=end.isoformat()), "issued_on")
    due_on = due_on or periods.default_due(issued_on)
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
    audit.record("create", "rates_bill_run", run.id, N_("bill run %(period)s %(cycle)s %(route)s: %(count)s customers"),
                 values={"period": str(period), "cycle": cycle, "route": route_code or "*", "count": expected})
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
        leak = leak_average(customer_id, start) if codes and "LEAK" in codes else None
        move_out = None
        if moved_out_on is not None:
            move_out = _day(moved_out_on)
            move_out = move_out if move_out <= end else None
        if rate is not None:
            rate = Decimal(str(rate))
        key = (use_type, diameter, int(use), households, mixed, rate, move_out, codes, leak)
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


def leak_average(customer_id: int, start: date) -> Decimal | None:
    """The average use of the customer's periods before ``start`` (the leak reduction's baseline)."""
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
    return amount_columns(result)


def amount_columns(result) -> tuple:
    """A quote's amounts as the bill's amount columns (``AMOUNTS``) and its total."""
    values = dict.fromkeys(AMOUNTS, 0)
    for line in result.lines:
        values[LINE_CODES[line.code]] += line.amount
    return (*values.values(), result.total)


def _finish(run_id: int, errors: dict) -> BillRun:
    """Mark the run finished and owe its posting, in one transaction; then relay."""
    run = _close_run(run_id, errors)
    if run.status == "finished":
        postings.relay()
    return db.session.get(BillRun, run_id)


@transactional
def _close_run(run_id: int, errors: dict) -> BillRun:
    tx.read_committed(BillRun.__table__)  # credits are applied under locks (arrears.carry_over)
    run = db.session.get(BillRun, run_id)
    if run.status == "finished":
        return run
    totals = repo.run_totals(run.id)
    run.billed = sum(row[1] for row in totals)
    run.total_amount = sum(row[8] for row in totals)
    run.status, run.finished_at = "finished", utcnow()
    if errors:
        run.note = "; ".join(f"{count}: {reason}" for reason, count in errors.items())[:500]
    repo.write_run_profile(run.id)  # for the tariff simulation, which reads a year of runs
    arrears.carry_over(run)  # credits applied to the new bills, and the 체납액 line written on them
    lines = postings.posting_lines({row[0]: dict(zip(AMOUNTS, row[2:8], strict=True)) for row in totals})
    if lines:
        postings.owe_posting(postings.run_key(run.id), run.issued_on, f"상하수도요금 정기부과 {run.period} ({run.billed:,}건)", lines)
    audit.record("update", "rates_bill_run", run.id, N_("bill run %(period)s finished: %(count)s bills, %(amount)s won"),
                 values={"period": str(run.period), "count": run.billed, "amount": run.total_amount})
    tx.commit()
    return run


def running_runs() -> list[BillRun]:
    """Bill runs not finished yet (running now, or interrupted and waiting to be resumed)."""
    return repo.running_runs()


def is_stalled(run: BillRun) -> bool:
    """A running run whose worker stopped (its heartbeat is old): it can be resumed."""
    return run.status == "running" and (run.heartbeat_at is None or utcnow() - run.heartbeat_at > STALE_AFTER)


