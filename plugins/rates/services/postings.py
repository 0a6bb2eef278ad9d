"""What the water bills owe the books: one entry per bill run or single bill, written to the
rates outbox in the transaction that issues the bills and delivered to accounting through its port
by the relay job (idempotently, the outbox key being the entry's idempotency key).

An entry has one line per account: receivables 1113 against water revenue 611-xx by use type,
and the sewerage fee (2116) and the water-use charge (2115) held for their funds.
"""
from __future__ import annotations

from datetime import date

from erp import jobs
from erp.common import outbox
from plugins.rates.models import Bill, BillRun, Outbox
from plugins.rates.repositories import bills as repo

RECEIVABLE = "1113"  # 미수금(수도요금)
WATER_USE_HELD = "2115"  # 예수금(물이용부담금)
SEWER_HELD = "2116"  # 예수금(하수도사용료)
REVENUE = {"household": "611-01", "general": "611-03", "bath": "611-04", "industrial": "611-05"}


def run_key(run_id: int) -> str:
    return f"rates:bill-run:{run_id}"


def bill_key(number: str) -> str:
    return f"rates:bill:{number}"


def of_run(run: BillRun) -> Outbox | None:
    """The posting a bill run owes (None until the run is finished)."""
    return repo.outbox_by_key(run_key(run.id))


def of_bill(bill: Bill) -> Outbox | None:
    """The posting that carries a bill: its own (a single bill), else its run's."""
    return repo.outbox_by_key(bill_key(bill.number)) or (repo.outbox_by_key(run_key(bill.run_id)) if bill.run_id else None)


def posting_lines(by_use_type: dict[str, dict[str, int]]) -> list[tuple]:
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


def owe_posting(key: str, on: date, memo: str, lines: list[tuple]) -> None:
    """Owe accounting the entry of ``lines`` ``(account code, debit, credit, memo)``: an outbox row
    in this transaction, delivered through the accounting port with ``key`` as idempotency key."""
    request = {"entry_date": on.isoformat(), "memo": memo[:300], "idempotency_key": key, "source": key,
               "lines": [{"account_code": code, "debit": debit, "credit": credit, "memo": text[:200]}
                         for code, debit, credit, text in lines]}
    outbox.owe(Outbox, key, "accounting", "post_entry", {"request": request})
    # Delivered by the worker once this work commits (and every minute, should that fail).
    jobs.enqueue("rates.relay", key="rates.relay")


def free_key(base: str) -> str:
    """The key of the next posting of a series kept by day (``base``, then ``base:2``, ``base:3``
    …), reserved for this transaction, which owes its posting (:func:`owe_posting`) before it ends;
    two transactions at once take two keys (``outbox.reserve_key``)."""
    return outbox.reserve_key(Outbox, base)


def release_key(key: str) -> None:
    """Give back a key reserved by :func:`free_key` whose posting is not owed after all."""
    outbox.release_key(Outbox, key)


def refused(prefix: str = "") -> list[tuple[str, Outbox]]:
    """Postings accounting refused (those whose key starts with ``prefix``), as (outbox table,
    row): each waits for a repost on an open date."""
    return [(Outbox.__tablename__, row) for row in outbox.refused_like(Outbox, prefix)]


def relay(limit: int = 100) -> tuple[int, int]:
    """Deliver the rates postings waiting in the outbox; returns (delivered, failed)."""
    return outbox.relay(Outbox, limit)
