"""Accounting at a large utility's volume: a year of books with 2,000,000 journal lines across
300 accounts, then the time of the trial balance, the balance sheet and the year-end closing.

The lines are bulk-loaded (as a migration of legacy books would be) and the kept monthly
balances rebuilt from them with the same service an administrator runs after such an import;
the statements and the closing then run through the application's own services.
Target on a 2-core machine: trial balance and balance sheet each under 2 s, closing under 10 s.

    .venv/bin/python bench/accounting_trial_balance.py                 # SQLite
    DATABASE_URL='mysql+pymysql://root@127.0.0.1:3306/erp_bench?charset=utf8mb4' \
        .venv/bin/python bench/accounting_trial_balance.py             # MariaDB
"""
from __future__ import annotations

import argparse
import random
from datetime import date, timedelta

import sqlalchemy as sa
from _common import database_url, migrated_app, timed

YEAR = 2026


def _accounts(db, Account, wanted: int) -> tuple[list[int], list[int]]:
    """Leaf accounts to post to: the standard chart's, plus cost sub-accounts up to ``wanted``."""
    table = Account.__table__
    parent = db.session.execute(sa.select(table.c.id).where(table.c.code == "5200")).scalar_one()
    postable = list(db.session.execute(sa.select(table.c.id).where(table.c.postable.is_(True))).scalars())
    extra = [{"code": f"5300-{n:03d}", "name": f"세부 경비 {n:03d}", "name_en": f"Cost detail {n:03d}",
              "account_class": "expense", "normal_side": "debit", "parent_id": parent, "postable": True,
              "active": True, "sort_key": f"5:5300-{n:03d}"} for n in range(max(0, wanted - len(postable)))]
    if extra:
        db.session.execute(table.insert(), extra)
    db.session.commit()
    rows = db.session.execute(sa.select(table.c.id, table.c.account_class).where(table.c.postable.is_(True))).all()
    # Debits to assets and costs, credits to revenue, liabilities and capital: books that look like
    # a utility's, with positive assets.
    return ([i for i, cls in rows if cls in ("asset", "expense")], [i for i, cls in rows if cls not in ("asset", "expense")])


def _load(db, JournalEntry, JournalLine, DocumentSequence, accounts: tuple[list[int], list[int]], lines_wanted: int,
          batch: int) -> None:
    """Balanced entries of four lines (two debits, two credits) spread over the year."""
    rng = random.Random(7)  # nosec B311
    entries_table, lines_table = JournalEntry.__table__, JournalLine.__table__
    entry_count = lines_wanted // 4
    start_id = (db.session.execute(sa.select(sa.func.max(entries_table.c.id))).scalar() or 0) + 1
    entries, lines = [], []
    for n in range(entry_count):
        entry_id = start_id + n
        day = date(YEAR, 1, 1) + timedelta(days=n * 365 // entry_count)
        a, b = rng.randrange(1, 5_000_000), rng.randrange(1, 5_000_000)
        entries.append({"id": entry_id, "number": f"{YEAR}-JE-{n + 1:06d}", "entry_date": day, "memo": "bench",
                        "status": "posted", "kind": "normal", "source": "bench", "total": a + b,
                        "created_by": "bench", "created_at": day, "posted_by": "bench", "posted_at": day})
        debit1, debit2 = rng.sample(accounts[0], 2)
        credit1, credit2 = rng.sample(accounts[1], 2)
        for line_no, (account, debit, credit) in enumerate(
                ((debit1, a, 0), (debit2, b, 0), (credit1, 0, a + b - 1), (credit2, 0, 1)), start=1):
            lines.append({"entry_id": entry_id, "line_no": line_no, "account_id": account, "debit": debit,
                          "credit": credit, "memo": "", "department_code": "", "budget_ref": "", "entry_date": day})
        if len(lines) >= batch:
            db.session.execute(entries_table.insert(), entries)
            db.session.execute(lines_table.insert(), lines)
            entries, lines = [], []
    if entries:
        db.session.execute(entries_table.insert(), entries)
        db.session.execute(lines_table.insert(), lines)
    seq = DocumentSequence.__table__
    db.session.execute(seq.insert().values(doc_type="JE", year=YEAR, last_number=entry_count))
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--accounts", type=int, default=300)
    args = parser.parse_args()

    url = database_url("accounting_tb")
    app = migrated_app(url)
    from erp.audit.services import acting_as
    from erp.common.models import DocumentSequence
    from erp.extensions import db
    from plugins.accounting.models import Account, JournalEntry, JournalLine
    from plugins.accounting.services import closing, journal, reports

    results: dict[str, float] = {}
    print(f"database: {url.split(':')[0]}   lines: {args.lines:,}   accounts: {args.accounts}")
    with app.app_context(), acting_as(None, "bench"):
        accounts = _accounts(db, Account, args.accounts)
        with timed("load lines (bulk insert)", results):
            _load(db, JournalEntry, JournalLine, DocumentSequence, accounts, args.lines,
                  10_000 if url.startswith("mysql") else 100_000)
        with timed("rebuild monthly balances", results):
            journal.rebuild_balances(YEAR)
        with timed("trial balance (year)", results):
            tb = reports.trial_balance(YEAR)
        with timed("balance sheet (year end)", results):
            sheet = reports.balance_sheet(YEAR, 12)
        raw = db.session.execute(sa.select(sa.func.sum(JournalLine.debit)).where(
            JournalLine.entry_date.between(date(YEAR, 1, 1), date(YEAR, 12, 31)))).scalar_one()
        with timed("year-end closing", results):
            closing.close_year(YEAR)
    print(f"trial balance: debits {tb.debit_total:,} = credits {tb.credit_total:,}: {'yes' if tb.balanced else 'NO'};"
          f" equals the sum of the lines: {'yes' if raw == tb.debit_total else 'NO'}")
    print(f"balance sheet: assets {sheet.totals[0][1][0]:,} = liabilities and capital {sheet.totals[1][1][0]:,}:"
          f" {'yes' if sheet.totals[0][1][0] == sheet.totals[1][1][0] else 'NO'}")
    verdict = (results["trial balance (year)"] < 2 and results["balance sheet (year end)"] < 2
               and results["year-end closing"] < 10)
    print(f"targets (TB < 2 s, BS < 2 s, closing < 10 s): {'met' if verdict else 'NOT met'}")


if __name__ == "__main__":
    main()
