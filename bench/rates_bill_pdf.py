"""Printed water bills per second in one process: a route's bills printed into one PDF (the way
bills go to the print shop) and single-bill PDFs (the way a clerk or a citizen opens one).
Target: at least 300 bills per second per process.

    .venv/bin/python bench/rates_bill_pdf.py
    .venv/bin/python bench/rates_bill_pdf.py --bills 3000 --singles 300
"""
from __future__ import annotations

import argparse
import time
from datetime import date

import sqlalchemy as sa
from _common import database_url, migrated_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bills", type=int, default=2_000, help="bills printed in route batches")
    parser.add_argument("--singles", type=int, default=300, help="bills printed one file each")
    parser.add_argument("--batch", type=int, default=500, help="bills per batch file")
    args = parser.parse_args()

    app = migrated_app(database_url("rates_bill_pdf"))
    from sqlalchemy.orm import selectinload

    from erp.audit.services import acting_as
    from erp.extensions import db
    from plugins.rates.demo import load_tariff, synthetic
    from plugins.rates.models import Bill
    from plugins.rates.reports.bills import bills_pdf
    from plugins.rates.services import billing

    with app.app_context(), acting_as(None, "bench"):
        load_tariff()
        synthetic(max(args.bills, args.singles), date(2026, 10, 5))
        billing.execute(billing.start_run("2026-10", "monthly", "", date(2026, 11, 10)).id)
        bills = list(db.session.execute(sa.select(Bill).options(selectinload(Bill.customer)).order_by(Bill.id)).scalars())
        org = app.config["ERP_ORG_NAME"]
        bills_pdf(bills[:1], org)  # fonts registered, tariff cached: not part of the figures

        began, pages, size = time.perf_counter(), 0, 0
        for low in range(0, args.bills, args.batch):
            size += len(bills_pdf(bills[low:low + args.batch], org))
            pages += len(bills[low:low + args.batch])
        batch_seconds = time.perf_counter() - began

        began, single_size = time.perf_counter(), 0
        for bill in bills[:args.singles]:
            single_size += len(bills_pdf([bill], org))
        single_seconds = time.perf_counter() - began

    print(f"route batches  {pages:>7,} bills in {batch_seconds:6.2f} s = {pages / batch_seconds:8,.0f} bills/s "
          f"({size / pages / 1024:.1f} KiB a page, {args.batch} a file)")
    print(f"single files   {args.singles:>7,} bills in {single_seconds:6.2f} s = {args.singles / single_seconds:8,.0f} PDFs/s "
          f"({single_size / args.singles / 1024:.1f} KiB a file)")
    print("target: at least 300 bills per second per process")


if __name__ == "__main__":
    main()
