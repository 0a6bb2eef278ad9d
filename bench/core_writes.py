"""Core write path under concurrency: document numbers + audited writes.

N threads, each in its own session, repeatedly take a document number and record an audited
change (a code in a code table) in one transaction, for a fixed number of seconds. Prints
transactions per second and then checks that the numbers are unique and gapless and that the
audit chain verifies. Targets only the database named by DATABASE_URL (default: a throw-away
SQLite file); bounded by --seconds.

    .venv/bin/python bench/core_writes.py --threads 20 --seconds 10
    DATABASE_URL='mysql+pymysql://root@127.0.0.1:3306/erp_bench?charset=utf8mb4' \
        .venv/bin/python bench/core_writes.py --threads 20 --seconds 10
"""
from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time

import sqlalchemy as sa


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='erp-bench-')}/bench.sqlite"
    if url.startswith("mysql"):
        server, _, rest = url.rpartition("/")
        name = rest.split("?")[0]
        engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
            conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        engine.dispose()
    os.environ.setdefault("ERP_INSTANCE_DIR", tempfile.mkdtemp(prefix="erp-bench-instance-"))

    from flask_migrate import upgrade

    from erp import create_app
    from erp.audit import services as audit
    from erp.common import codes, docnumbers
    from erp.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ERP_LOG_LEVEL": "WARNING",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": args.threads + 5} if url.startswith("mysql") else {}})
    with app.app_context():
        upgrade()
        codes.ensure_group("BENCH", "benchmark")

    deadline = time.monotonic() + args.seconds
    counts = [0] * args.threads
    errors: list[str] = []

    def worker(index: int) -> None:
        with app.app_context(), audit.acting_as(None, f"bench-{index}"):
            n = 0
            while time.monotonic() < deadline:
                number = docnumbers.next_number("BN", 2026)
                codes.save_code("BENCH", None, code=number, name=f"thread {index}", name_en="", sort_order=n, active=True)
                n += 1
            counts[index] = n

    started = time.monotonic()
    threads = [threading.Thread(target=lambda i=i: _guard(worker, i, errors)) for i in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    total = sum(counts)
    print(f"database      {url.split(':')[0]}")
    print(f"threads       {args.threads}")
    print(f"transactions  {total} in {elapsed:.1f} s = {total / elapsed:,.0f} per second")
    print(f"errors        {len(errors)}{(': ' + errors[0]) if errors else ''}")
    with app.app_context():
        numbers = sorted(int(c.code.rsplit('-', 1)[1]) for c in codes.codes("BENCH", active_only=False))
        gapless = numbers == list(range(1, len(numbers) + 1))
        result = audit.verify()
        print(f"numbers       {len(numbers)} issued, unique and gapless: {'yes' if gapless else 'NO'}")
        print(f"audit chain   {result.checked} records, intact: {'yes' if result.ok else 'NO: ' + result.reason}")


def _guard(worker, index, errors):
    try:
        worker(index)
    except Exception as error:  # reported in the summary
        errors.append(repr(error))


if __name__ == "__main__":
    main()
