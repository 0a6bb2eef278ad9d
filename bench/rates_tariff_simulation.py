"""A draft tariff tried on a large city's year: N customers (default 1,000,000) with twelve
monthly regular bills each, then the simulation through the service (the year's bills grouped by
what the tariff charges on, each group priced under the tariff in force and the draft). The floor,
measured in the same run: one bare COUNT of the year's regular bills. Target on a 2-core machine:
under 5 s for 1,000,000 customers' twelve months. Each bill run records its profile (its bills
grouped by what the tariff charges on) when it finishes; the time that takes is printed too.

    .venv/bin/python bench/rates_tariff_simulation.py                  # SQLite, 1,000,000 customers
    .venv/bin/python bench/rates_tariff_simulation.py --customers 100000
    DATABASE_URL='mysql+pymysql://root@127.0.0.1:3306/erp_bench_sim?charset=utf8mb4' \\
        .venv/bin/python bench/rates_tariff_simulation.py              # MariaDB
"""
from __future__ import annotations

import argparse
import random
import time
from datetime import date

import sqlalchemy as sa
from _common import database_url, migrated_app, timed

YEAR = 2025
FLOOR = "floor: count the year's bills"


def _bills(db, customers: int, results: dict, chunk: int = 50_000) -> int:
    """Twelve finished monthly runs of ``YEAR`` with a regular bill per customer each (the columns
    the simulation reads carry a city's mix: mostly households on 13 mm meters using 5–40 ㎥,
    shops, some apartment meters), each run profiled as a run is when it finishes."""
    from erp.common.clock import utcnow
    from erp.common.sql import bulk_insert
    from plugins.rates.models import Bill, BillRun, Customer
    from plugins.rates.repositories import bills as repo
    from plugins.rates.services.billing import COLUMNS

    rng = random.Random(7)  # nosec B311 - benchmark data, nothing secret
    ids = db.session.execute(sa.select(Customer.id, Customer.use_type, Customer.households).order_by(Customer.id)).all()
    now, written = utcnow().isoformat(" "), 0
    for month in range(1, 13):
        period, start = f"{YEAR}-{month:02d}", date(YEAR, month, 1)
        end = date(YEAR + month // 12, month % 12 + 1, 1).toordinal() - 1
        end = date.fromordinal(end)
        run = BillRun(period=period, cycle="monthly", route_code="", period_start=start, period_end=end, issued_on=end,
                      due_on=end, status="finished", expected=len(ids), billed=len(ids))
        db.session.add(run)
        db.session.commit()
        for low in range(0, len(ids), chunk):
            rows = []
            for customer_id, use_type, households in ids[low:low + chunk]:
                use = rng.randint(5, 40) * households if use_type == "household" else rng.randint(20, 300)
                rows.append((f"{period.replace('-', '')}-{customer_id:010d}", run.id, customer_id, period, "regular", "", "",
                             use_type, 13 if households == 1 else 50, households, start, end, start, end, end, 0, use, use,
                             "", 0, 0, 0, 0, 0, 0, 0, now))
            bulk_insert(Bill.__table__, COLUMNS, rows)
            db.session.commit()
            written += len(rows)
        began = time.perf_counter()
        repo.write_run_profile(run.id)
        db.session.commit()
        results["profile the runs (at their end)"] = results.get("profile the runs (at their end)", 0.0) + time.perf_counter() - began
    print(f"{'profile the runs (at their end)':<34} {results['profile the runs (at their end)']:8.2f} s", flush=True)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args()
    url = database_url("rates_tariff_simulation")
    app = migrated_app(url)
    results: dict[str, float] = {}
    from erp.audit.services import acting_as
    from erp.extensions import db
    from plugins.rates.demo import BLOCKS, METERS, REDUCTIONS, load_tariff, synthetic
    from plugins.rates.models import Bill
    from plugins.rates.services import simulation, tariffs

    print(f"database: {url.split('?')[0]}   customers: {args.customers:,} × 12 months", flush=True)
    with app.app_context(), acting_as(None, "bench"):
        load_tariff()
        with timed("create customers", results):
            synthetic(args.customers, date(YEAR, 1, 5))
        with timed("create twelve months of bills", results):
            bills = _bills(db, args.customers, results)
        draft = tariffs.draft_terms(rounding="line", water_use_rate="170", mixed_household_volume=15,
                                    blocks_text=BLOCKS.replace(",585", ",650"), meters_text=METERS, reductions_text=REDUCTIONS)
        with timed(FLOOR, results):
            counted = db.session.execute(sa.select(sa.func.count()).select_from(Bill).where(
                Bill.kind == "regular", Bill.period >= f"{YEAR}-01", Bill.period <= f"{YEAR}-12")).scalar()
        began = time.perf_counter()
        result = simulation.simulate(YEAR, draft, date(YEAR + 1, 1, 1))
        results["simulation"] = time.perf_counter() - began
        print(f"{'simulation':<34} {results['simulation']:8.2f} s", flush=True)
    print()
    print(f"bills simulated     {result.bills:>14,} of {bills:,} written ({counted:,} counted)")
    print(f"water revenue now   {result.revenue_now:>14,} won; under the draft {result.revenue_draft:,} ({result.change:+}%)")
    print(f"simulation seconds  {results['simulation']:>14.2f}   (target: 5 s for 1,000,000 customers' twelve months)")
    print(f"ratio to the floor  {results['simulation'] / results[FLOOR]:>14.2f}")


if __name__ == "__main__":
    main()
