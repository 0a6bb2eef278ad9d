"""The month's arrears and late-charge run at a large city's volume: N bills (default 1,000,000)
of N synthetic customers, a fifth of them paid, then the arrears run 40 days after the due date
with both kinds of late charge on (3 % once, 1.2 % a month): each unpaid bill takes its one-time
charge and its first monthly addition, set-based. Then the run again (it must add nothing), and
the floor: a bare INSERT … SELECT of the same charge rows (one per bill and kind, no balances, no
checks) into a scratch table on the same database, and the ratio. Target on a 2-core machine:
under 30 s for 1,000,000 bills.

The set-up is set-based too — customers, the run's bills and the payments each one INSERT …
SELECT over a generated series of numbers (no Python rows) — so the full size is made in a minute
or two. The bills are written directly with plausible amounts rather than priced by a bill run:
the arrears run reads only their totals, due dates and payments (bench/rates_bill_run.py times
the bill run).

    .venv/bin/python bench/rates_arrears.py                      # SQLite, 1,000,000 bills
    .venv/bin/python bench/rates_arrears.py --bills 100000
    .venv/bin/python bench/rates_arrears.py --mariadb            # MariaDB at 127.0.0.1:3306 (root)
"""
from __future__ import annotations

import argparse
import os
import time
import warnings
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from _common import database_url, migrated_app, timed

PERIOD, START, END, ISSUED, DUE = "2026-10", date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 10), date(2026, 11, 30)
MARIADB = "mysql+pymysql://root@127.0.0.1:3306/erp_bench_arrears?charset=utf8mb4"


def _numbers(count: int):
    """A subquery of the numbers 0 … count - 1 (column ``n``): ten digits cross-joined once per
    decimal place, which both databases generate without a recursion limit."""
    places = max(1, len(str(max(count - 1, 1))))
    digits = [sa.union_all(*[sa.select(sa.literal(d).label("d")) for d in range(10)]).subquery(f"p{i}")
              for i in range(places)]
    n = sum((digits[i].c.d * 10 ** i for i in range(places)), sa.literal(0))
    # The most significant digit outermost: SQLite then yields the numbers in order (MariaDB's
    # join buffers do not, hence the ORDER BY of the insert that reads them).
    joined = digits[-1]
    for digit in reversed(digits[:-1]):
        joined = joined.join(digit, sa.true())
    return sa.select(n.label("n")).select_from(joined).where(n < count).subquery("numbers")


def _setup(db, count: int, results: dict):
    """``count`` customers, a finished bill run of one bill each, a fifth of the bills paid: each
    table one INSERT … SELECT. Returns the run."""
    from erp.common.clock import utcnow
    from plugins.rates.models import Bill, BillRun, Customer, Payment

    now = utcnow()
    numbers = _numbers(count)
    cid = numbers.c.n + 1
    text = lambda value: sa.cast(value, sa.String)  # noqa: E731
    route = text(9000 + (cid - 1) // 50_000)
    kind = numbers.c.n % 20  # the mix of the demo's synthetic customers: households, shops, blocks
    with timed("set-up: customers", results):
        account = route + "-" + sa.func.substr(text(100_000 + (cid - 1) % 50_000 + 1), 2) + "-0"
        use_type = sa.case((kind == 3, "general"), else_="household")
        # The cross join of the digits is the point: SQLAlchemy's cartesian-product warning is off here.
        warnings.filterwarnings("ignore", "SELECT statement has a cartesian product", sa.exc.SAWarning)
        db.session.execute(sa.insert(Customer).from_select(
            ["id", "account_no", "holder_name", "address", "use_type", "households", "mixed", "cycle", "route_code",
             "e_billing", "auto_debit", "virtual_account", "status", "created_at"],
            # Names and addresses rise with the id, so each index grows at its end (random keys
            # would make the 1,000,000 inserts several times slower than the rows themselves).
            sa.select(cid, account, "수용가" + sa.func.substr(text(10_000_000 + cid), 2),
                      "한빛시 한빛로 " + sa.func.substr(text(10_000_000 + cid), 2), use_type,
                      sa.case((kind == 10, 20), else_=1), sa.false(), sa.literal("monthly"), route, sa.false(),
                      kind == 5, sa.literal(""), sa.literal("active"), sa.literal(now, sa.DateTime))
            .order_by(cid)))
        db.session.commit()
    with timed("set-up: the run's bills", results):
        run = BillRun(period=PERIOD, cycle="monthly", route_code="", period_start=START, period_end=END,
                      issued_on=ISSUED, due_on=DUE, status="finished", expected=count, billed=count,
                      started_by="bench", created_at=now, finished_at=now)
        db.session.add(run)
        db.session.flush()
        customers = sa.select(Customer.id, Customer.use_type, Customer.households).subquery("c")
        use = sa.case((customers.c.households > 1, 300 + customers.c.id % 200), else_=customers.c.id * 7 % 41)
        water = use * 580 // 10 * 10
        sewer = use * 480 // 10 * 10
        levy = use * 170 // 10 * 10
        meter = sa.case((customers.c.households > 1, 3_000), else_=1_080)
        db.session.execute(sa.insert(Bill).from_select(
            ["number", "run_id", "customer_id", "period", "kind", "reference", "reason", "use_type", "diameter",
             "households", "period_start", "period_end", "read_on", "issued_on", "due_on", "prev_reading",
             "curr_reading", "use", "reductions", "meter_amount", "water_amount", "sewer_amount", "water_use_amount",
             "water_reduction", "sewer_reduction", "total", "created_at"],
            sa.select("202610-" + text(customers.c.id), sa.literal(run.id), customers.c.id, sa.literal(PERIOD),
                      sa.literal("regular"), sa.literal(""), sa.literal(""), customers.c.use_type,
                      sa.case((customers.c.households > 1, 50), else_=13), customers.c.households,
                      sa.literal(START, sa.Date), sa.literal(END, sa.Date), sa.literal(END, sa.Date),
                      sa.literal(ISSUED, sa.Date), sa.literal(DUE, sa.Date), sa.literal(0), use, use, sa.literal(""),
                      meter, water, sewer, levy, sa.literal(0), sa.literal(0), meter + water + sewer + levy,
                      sa.literal(now, sa.DateTime))))
        run.total_amount = db.session.execute(sa.select(sa.func.sum(Bill.total))).scalar()
        db.session.commit()
    with timed("set-up: a fifth of the bills paid", results):
        paid = (sa.select(sa.literal("va"), "B" + text(Bill.id), sa.literal("payment"), Bill.due_on, Bill.number,
                          Bill.total, Bill.id, Bill.customer_id, Bill.total, sa.literal(0), sa.literal("matched"),
                          sa.literal("bench"), sa.literal("bench"), sa.literal("bench"), Bill.created_at)
                .where(Bill.run_id == run.id, Bill.id % 5 == 0))
        db.session.execute(sa.insert(Payment).from_select(
            ["channel", "txn_id", "kind", "received_on", "reference", "amount", "bill_id", "customer_id", "applied",
             "credit", "status", "source", "posting_key", "created_by", "created_at"], paid))
        db.session.commit()
    return run


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
    from plugins.rates.demo import load_tariff
    from plugins.rates.models import Bill, LateCharge, Tariff
    from plugins.rates.services import arrears

    print(f"database: {url.split('?')[0]}   bills: {args.bills:,}", flush=True)
    with app.app_context(), acting_as(None, "bench"):
        load_tariff()
        tariff = db.session.execute(sa.select(Tariff)).scalars().one()
        tariff.late_rate, tariff.late_monthly_rate, tariff.late_monthly_months = Decimal("0.03"), Decimal("0.012"), 60
        db.session.commit()
        run = _setup(db, args.bills, results)
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
