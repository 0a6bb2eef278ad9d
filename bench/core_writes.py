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
import threading
import time

from _common import database_url, migrated_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    url = database_url("core_writes")
    app = migrated_app(url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": args.threads + 5} if url.startswith("mysql") else {})

    from erp.audit import services as audit
    from erp.common import codes, docnumbers

    with app.app_context():
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
