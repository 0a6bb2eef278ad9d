"""A monthly bill run at a large city's volume: N customers with a meter and a reading each
(default 1,000,000), billed end to end through the service — read the period's readings,
compute every bill, insert the bills, post the run's entry to accounting — then the floor: a bare
bulk insert of the same number of bill rows into a scratch table on the same database, and the
ratio of the two. Targets on a 2-core machine: under 30 s on SQLite and 60 s on MariaDB, ratio
under 10.

    .venv/bin/python bench/rates_bill_run.py                     # SQLite, 1,000,000 customers
    .venv/bin/python bench/rates_bill_run.py --customers 100000
    DATABASE_URL='mysql+pymysql://root@127.0.0.1:3306/erp_bench_bills?charset=utf8mb4' \
        .venv/bin/python bench/rates_bill_run.py                 # MariaDB
"""
from __future__ import annotations

import argparse
import time
from datetime import date

import sqlalchemy as sa
from _common import database_url, migrated_app, timed

PERIOD, READ_ON, ISSUED = "2026-10", date(2026, 10, 5), date(2026, 11, 10)


def _floor(db, Bill, count: int, chunk: int) -> float:
    """Seconds to bulk-insert ``count`` bill-shaped rows into a bare copy of the bill table."""
    from erp.common.clock import utcnow
    from erp.common.sql import bulk_insert
    from plugins.rates.services.billing import COLUMNS

    scratch = sa.Table("bench_floor_bill", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                       *[sa.Column(c.name, c.type) for c in Bill.__table__.columns if c.name in COLUMNS])
    engine = db.session.get_bind(clause=Bill.__table__)
    db.session.commit()  # the DDL below takes its own connection
    scratch.drop(engine, checkfirst=True)
    scratch.create(engine)
    # The values as the bill run writes them (dates as the text the databases store).
    start, end, issued, now, elapsed = "2026-10-01", "2026-10-31", ISSUED.isoformat(), utcnow().isoformat(" "), 0.0
    for low in range(0, count, chunk):
        rows = [(f"202610-{n:010d}", 1, n + 1, PERIOD, "regular", "", "", "household", 13, 1, start, end, READ_ON, issued,
                 issued, 1000, 1020, 20, "", 780, 11_700, 4_740, 3_400, 0, 0, 20_620, now)
                for n in range(low, min(low + chunk, count))]
        began = time.perf_counter()
        bulk_insert(scratch, COLUMNS, rows)
        db.session.commit()
        elapsed += time.perf_counter() - began
    db.session.close()
    scratch.drop(engine)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args()

    url = database_url("rates_bill_run")
    app = migrated_app(url)
    results: dict[str, float] = {}
    from erp import ports
    from erp.audit.services import acting_as
    from erp.extensions import db
    from plugins.rates.demo import load_tariff, synthetic
    from plugins.rates.models import Bill
    from plugins.rates.repositories import bills as repo
    from plugins.rates.services import billing

    print(f"database: {url.split('?')[0]}   customers: {args.customers:,}", flush=True)
    with app.app_context(), acting_as(None, "bench"):
        load_tariff()
        with timed("create customers and readings", results):
            synthetic(args.customers, READ_ON)
        with timed("bill run (end to end)", results):
            run = billing.execute(billing.start_run(PERIOD, "monthly", "", ISSUED).id)
        bills = db.session.execute(sa.select(sa.func.count(), sa.func.count(sa.distinct(Bill.customer_id)), sa.func.sum(Bill.total))
                                   .select_from(Bill)).one()
        posting = repo.outbox_by_key(f"rates:bill-run:{run.id}")
        billed, amount = run.billed, run.total_amount
        posted = f"{posting.status} as {posting.result_ref}" if posting else "none"
        receivable = {b.code: b.debit for b in ports.get("accounting").account_balances(2026, 12, ["1113"])}["1113"]
        results["floor: bare bulk insert"] = _floor(db, Bill, args.customers, billing.CHUNK)
        print(f"{'floor: bare bulk insert':<34} {results['floor: bare bulk insert']:8.2f} s")

    seconds = results["bill run (end to end)"]
    print()
    print(f"bills issued        {billed:>12,}   ({bills[1]:,} customers, each once: {bills[0] == bills[1] == args.customers})")
    print(f"amount billed       {amount:>12,} won (sum of bills {int(bills[2] or 0):,}; receivable posted {receivable:,})")
    print(f"posting             {posted}")
    print(f"bills per second    {billed / seconds:>12,.0f}")
    print(f"total seconds       {seconds:>12.2f}   (target: 30 s on SQLite, 60 s on MariaDB for 1,000,000)")
    print(f"ratio run / floor   {seconds / results['floor: bare bulk insert']:>12.2f}   (target: under 10)")


if __name__ == "__main__":
    main()
