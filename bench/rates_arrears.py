"""The month's arrears and late-charge run at a large city's volume: N bills (default 1,000,000,
from a real bill run over N synthetic customers), a fifth of them paid, then the arrears run 40
days after the due date with both kinds of late charge on (3 % once, 1.2 % a month): each unpaid
bill takes its one-time charge and its first monthly addition, set-based. Then the run again
(it must add nothing), and the floor: a bare INSERT … SELECT of the same charge rows (one per
bill and kind, no balances, no checks) into a scratch table on the same database, and the ratio.
Target on a 2-core machine: under 30 s for 1,000,000 bills.

    .venv/bin/python bench/rates_arrears.py                      # SQLite, 1,000,000 bills
    .venv/bin/python bench/rates_arrears.py --bills 100000
    .venv/bin/python bench/rates_arrears.py --mariadb            # MariaDB at 127.0.0.1:3306 (root)
"""
from __future__ import annotations

import argparse
import os
import time
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from _common import database_url, migrated_app, timed

PERIOD, READ_ON, ISSUED = "2026-10", date(2026, 10, 5), date(2026, 11, 10)
MARIADB = "mysql+pymysql://root@127.0.0.1:3306/erp_bench_arrears?charset=utf8mb4"


def _floor(db, LateCharge, Bill, as_of: date) -> float:
    """Seconds to INSERT … SELECT one bare charge row per bill and kind into a copy of the table."""
    scratch = sa.Table("bench_floor_late_charge", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                       *[sa.Column(c.name, c.type) for c in LateCharge.__table__.columns if c.name != "id"])
    engine = db.session.get_bind(clause=Bill.__table__)
    db.session.commit()
    scratch.drop(engine, checkfirst=True)
    scratch.create(engine)
    began = time.perf_counter()
    for kind, seq, per_10000 in (("once", 0, 300), ("monthly", 1, 120)):
        select = sa.select(Bill.id, Bill.customer_id, sa.literal(1), sa.literal(kind), sa.literal(seq),
                           sa.literal(as_of, sa.Date), Bill.total, Bill.total * per_10000 // 100_000 * 10, sa.literal(0))
        db.session.execute(sa.insert(scratch).from_select(
            ["bill_id", "customer_id", "run_id", "kind", "seq", "assessed_on", "base", "amount", "paid"], select))
    db.session.commit()
    elapsed = time.perf_counter() - began
    db.session.close()
    scratch.drop(engine)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bills", type=int, default=1_000_000)
    parser.add_argument("--mariadb", action="store_true", help="Run on MariaDB at 127.0.0.1:3306 (root).")
    args = parser.parse_args()
    if args.mariadb:
        os.environ["DATABASE_URL"] = MARIADB

    url = database_url("rates_arrears")
    app = migrated_app(url)
    results: dict[str, float] = {}
    from erp.audit.services import acting_as
    from erp.extensions import db
    from plugins.rates.demo import load_tariff, synthetic
    from plugins.rates.models import Bill, LateCharge, Payment, Tariff
    from plugins.rates.services import arrears, billing

    print(f"database: {url.split('?')[0]}   bills: {args.bills:,}", flush=True)
    with app.app_context(), acting_as(None, "bench"):
        load_tariff()
        tariff = db.session.execute(sa.select(Tariff)).scalars().one()
        tariff.late_rate, tariff.late_monthly_rate, tariff.late_monthly_months = Decimal("0.03"), Decimal("0.012"), 60
        db.session.commit()
        with timed("set-up: customers and readings", results):
            synthetic(args.bills, READ_ON)
        with timed("set-up: the bill run", results):
            run = billing.execute(billing.start_run(PERIOD, "monthly", "", ISSUED).id)
        with timed("set-up: a fifth of the bills paid", results):
            paid = (sa.select(sa.literal("va"), sa.literal("B", sa.String) + sa.cast(Bill.id, sa.String),
                              sa.literal("payment"), Bill.due_on, Bill.number, Bill.total, Bill.id, Bill.customer_id,
                              Bill.total, sa.literal(0), sa.literal("matched"), sa.literal("bench"), sa.literal("bench"),
                              sa.literal("bench"), Bill.created_at)
                    .where(Bill.run_id == run.id, Bill.id % 5 == 0))
            db.session.execute(sa.insert(Payment).from_select(
                ["channel", "txn_id", "kind", "received_on", "reference", "amount", "bill_id", "customer_id", "applied",
                 "credit", "status", "source", "posting_key", "created_by", "created_at"], paid))
            db.session.commit()
        as_of = run.due_on + timedelta(days=40)
        with timed("arrears run", results):
            first = arrears.run(as_of)
        with timed("arrears run again", results):
            again = arrears.run(as_of)
        results["floor: bare INSERT … SELECT"] = _floor(db, LateCharge, Bill, as_of)
        print(f"{'floor: bare INSERT … SELECT':<34} {results['floor: bare INSERT … SELECT']:8.2f} s")
        bills = db.session.execute(sa.select(sa.func.count()).select_from(Bill)).scalar()

    seconds = results["arrears run"]
    print()
    print(f"bills               {bills:>12,}")
    print(f"late charges        {first.charges:>12,}   ({first.amount:,} won); run again: {again.charges:,}")
    print(f"bills per second    {bills / seconds:>12,.0f}")
    print(f"total seconds       {seconds:>12.2f}   (target: 30 s for 1,000,000 bills)")
    print(f"ratio run / floor   {seconds / results['floor: bare INSERT … SELECT']:>12.2f}")


if __name__ == "__main__":
    main()
