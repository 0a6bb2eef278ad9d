"""A day's payment file at a large city's volume: N payment lines (default 500,000) imported
against B bills (default 1,000,000) through the service — parse the file, find every line's bill
by its e-payment number (90 %) or bill number (5 %; the other 5 % match nothing and go to the
suspense list), split partial payments and overpayments, insert the lines, owe the day's entry —
then the floor: a bare bulk insert of the same lines — no parsing, no matching — into a scratch
copy of the payment table with its unique key and indexes (what storing the lines costs, and the
unique key is what makes a repeated file harmless), and into one without any (the stricter figure,
printed beside it); each the median of three. Targets: under 20 s on SQLite and on MariaDB, ratio
under 5. The file is then imported a second time (every line already known; nothing changes).

    .venv/bin/python bench/rates_payments.py                     # SQLite
    .venv/bin/python bench/rates_payments.py --bills 100000 --lines 50000
    DATABASE_URL='mysql+pymysql://root@127.0.0.1:3306/erp_bench_payments?charset=utf8mb4' \
        .venv/bin/python bench/rates_payments.py                 # MariaDB
"""
from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

import sqlalchemy as sa
from _common import database_url, migrated_app, timed

PERIOD, READ_ON, ISSUED, PAID_ON = "2026-10", date(2026, 10, 5), date(2026, 11, 10), date(2026, 11, 20)


def _lines(numbers: list[tuple[str, int]], count: int):
    """``count`` payment lines over the bills ``(number, total)``, spread over them."""
    from plugins.rates.services.customers import luhn_digit
    from plugins.rates.services.payment_layouts import PaymentLine

    step = max(1, len(numbers) // count)
    lines = []
    for n in range(count):
        number, total = numbers[(n * step) % len(numbers)]
        kind = n % 20
        if kind == 0:
            reference = number  # by bill number
        elif kind == 1:
            reference = f"9{n:018d}"  # matches nothing: suspense
        else:
            body = f"47{number[2:4]}{number[4:6]}{number[7:17]}10"
            reference = body + str(luhn_digit(body))
        amount = total if n % 10 else max(total // 2, 10)  # one in ten pays half
        lines.append(PaymentLine(n + 1, "giro", f"G{n:012d}", PAID_ON, PAID_ON, "011", "0001", "1234567", reference,
                                 amount or 10, ""))
    return lines


FLOOR_RUNS = 3  # one bulk insert of seconds varies by half from run to run: the median of three
KEYED, BARE = "floor: bulk insert, keyed", "floor: bulk insert, no keys"


def _floor(db, Payment, lines, keyed: bool) -> float:
    """Seconds to bulk-insert the same lines, bare, into a copy of the payment table: ``keyed``
    with its unique key and indexes (no foreign keys: the import's load skips their look-ups too
    on MariaDB), else with none."""
    from erp.common.clock import utcnow
    from erp.common.sql import bulk_insert
    from plugins.rates.services.payments import COLUMNS

    keys = [sa.UniqueConstraint("channel", "txn_id"), sa.Index("bench_floor_day_channel", "received_on", "channel"),
            sa.Index("bench_floor_bill", "bill_id"), sa.Index("bench_floor_customer", "customer_id")] if keyed else []
    scratch = sa.Table("bench_floor_payment", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                       *[sa.Column(c.name, c.type) for c in Payment.__table__.columns if c.name in COLUMNS], *keys)
    engine = db.session.get_bind(clause=Payment.__table__)
    db.session.commit()
    scratch.drop(engine, checkfirst=True)
    scratch.create(engine)
    now = utcnow().isoformat(" ")
    rows = [(line.channel, line.txn_id, "payment", line.received_on.isoformat(), line.transferred_on.isoformat(),
             line.bank_code, line.branch_code, line.giro_no, line.reference, line.payer, line.amount, None, None,
             0, 0, "suspense", "floor", "", "bench", now) for line in lines]
    began = time.perf_counter()  # the insert alone: the rows are made before, as the bill run's floor does
    bulk_insert(scratch, COLUMNS, rows)
    db.session.commit()
    elapsed = time.perf_counter() - began
    db.session.close()
    scratch.drop(engine)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bills", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=500_000)
    args = parser.parse_args()

    url = database_url("rates_payments")
    app = migrated_app(url)
    results: dict[str, float] = {}
    from erp import ports
    from erp.audit.services import acting_as
    from erp.extensions import db
    from plugins.rates.demo import load_tariff, synthetic
    from plugins.rates.models import Bill, Payment
    from plugins.rates.services import billing, payments, postings
    from plugins.rates.services.payment_layouts import CsvLayout

    print(f"database: {url.split('?')[0]}   bills: {args.bills:,}   payment lines: {args.lines:,}", flush=True)
    with app.app_context(), acting_as(None, "bench"):
        load_tariff()
        with timed("customers, readings and bills", results):
            synthetic(args.bills, READ_ON)
            billing.execute(billing.start_run(PERIOD, "monthly", "", ISSUED).id)
        numbers = [(number, int(total)) for number, total in db.session.execute(
            sa.select(Bill.number, Bill.total).order_by(Bill.id))]
        lines = _lines(numbers, args.lines)
        data = CsvLayout.write(lines, file_date=PAID_ON, giro_no="1234567")
        db.session.commit()
        with timed("import (parse, match, insert, owe)", results):
            result = payments.import_file(data, "csv", "bench")
        with timed("the same file again (all known)", results):
            again = payments.import_file(data, "csv", "bench")
        postings.relay()
        cash = {b.code: b.debit for b in ports.get("accounting").account_balances(2026, 12, ["1111"])}["1111"]
        counts = db.session.execute(sa.select(sa.func.count(), sa.func.sum(Payment.amount), sa.func.sum(Payment.applied),
                                              sa.func.sum(Payment.credit))).one()
        for label, keyed in ((KEYED, True), (BARE, False)):
            floors = [_floor(db, Payment, lines, keyed) for _ in range(FLOOR_RUNS)]
            results[label] = statistics.median(floors)
            print(f"{label:<34} {results[label]:8.2f} s   (median of {', '.join(f'{f:.2f}' for f in floors)})")

    seconds = results["import (parse, match, insert, owe)"]
    print()
    print(f"lines new / known   {result.new:>12,} / {again.known:,}   (errors {len(result.errors)}, second import new {again.new})")
    print(f"matched / suspense  {result.matched:>12,} / {result.suspense:,}")
    print(f"amount              {int(counts[1]):>12,} won (applied {int(counts[2]):,}, credit {int(counts[3]):,}; cash posted {cash:,})")
    print(f"lines per second    {args.lines / seconds:>12,.0f}")
    print(f"total seconds       {seconds:>12.2f}   (target: 20 s for 500,000 lines)")
    print(f"ratio import / floor {seconds / results[KEYED]:>11.2f}   (target: under 5; the floor with the table's keys)")
    print(f"ratio, floor without {seconds / results[BARE]:>11.2f}   (the floor without any key or index)")


if __name__ == "__main__":
    main()
