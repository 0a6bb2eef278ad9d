"""Budget commitments under load: N concurrent clients committing against M lines through the
service layer for a fixed time, then a check that no line is over-committed.

The clients are spread over --processes worker processes (as gunicorn spreads requests over
workers), each running its share as threads with their own sessions and connections, committing
random amounts; a refusal for lack of budget counts as a correct answer. Most lines hold enough
budget for the whole run (so the figure measures commitments, not how fast the money runs out);
--tight lines hold little and run dry within seconds, so the limit is also hit under load.
Target on MariaDB: at least 300 accepted commitments per second with zero over-commitment.
Bounded by --seconds.

    DATABASE_URL='mysql+pymysql://root@127.0.0.1:3306/erp_bench_budget?charset=utf8mb4' \
        .venv/bin/python bench/budget_commitments.py --clients 50 --lines 20 --seconds 20 --processes 4
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import threading
import time
from datetime import date

import sqlalchemy as sa
from _common import database_url, migrated_app

YEAR = 2026


def _worker(url: str, line_ids: list[int], clients: int, first: int, deadline: float, queue) -> None:
    """One worker process: ``clients`` threads committing until ``deadline``."""
    os.environ["DATABASE_URL"] = url
    from erp import create_app
    from erp.audit.services import acting_as
    from erp.common.errors import ServiceError
    from erp.extensions import db
    from plugins.budget.services import execution

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ERP_LOG_LEVEL": "WARNING",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": clients + 2} if url.startswith("mysql") else {}})
    # A thread that gets its database answer waits for the GIL up to the switch interval (5 ms by
    # default) while another thread computes: inside a locked section that convoy is what limits
    # throughput, so hand the GIL over sooner.
    sys.setswitchinterval(float(os.environ.get("ERP_SWITCH_INTERVAL", "0.0005")))
    accepted, refused, errors = [0] * clients, [0] * clients, []

    def client(index: int) -> None:
        rng = random.Random(first + index)  # nosec B311
        with app.app_context(), acting_as(None, f"client-{first + index}"):
            while time.monotonic() < deadline:
                try:
                    execution.commit(rng.choice(line_ids), date(YEAR, 3, 2), "bench vendor", "bench order",
                                     rng.randrange(10_000, 2_000_000, 10))
                    accepted[index] += 1
                except ServiceError:
                    refused[index] += 1
                except Exception as error:  # reported by the parent
                    errors.append(repr(error))
                    db.session.rollback()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((sum(accepted), sum(refused), errors[:5]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--lines", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--budget", type=int, default=3_000_000_000, help="won on each line (30억)")
    parser.add_argument("--tight", type=int, default=2, help="lines holding only 50,000,000 won")
    args = parser.parse_args()

    url = database_url("budget_commitments")
    app = migrated_app(url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": args.clients + 5, "max_overflow": 10}
                       if url.startswith("mysql") else {})
    from erp.audit.services import acting_as
    from erp.auth import services as auth
    from erp.extensions import db
    from plugins.budget.models import Commitment, Line
    from plugins.budget.services import compilation, structure

    with app.app_context(), acting_as(None, "bench"):
        auth.save_department(None, code="BENCH", name="벤치")
        structure.add_project(YEAR, "policy", "P", "bench")
        structure.add_project(YEAR, "unit", "U", "bench", "P")
        structure.add_project(YEAR, "detail", "D", "bench", "U", "BENCH")
        version = compilation.open_version(YEAR)
        line_ids = []
        for n in range(args.lines):
            line = structure.add_line(YEAR, part="revenue", side="expenditure", item_code=f"{200 + n:03d}", sub_code="01",
                                      name=f"bench {n}", account_code="5201", project_code="D")
            compilation.add_basis(version.id, line.id, "bench", 50_000_000 if n < args.tight else args.budget, 1, 1)
            line_ids.append(line.id)
        compilation.approve(version.id)

    started = time.monotonic()
    deadline = started + args.seconds + 2  # the workers start within two seconds
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    shares = [args.clients // args.processes + (1 if i < args.clients % args.processes else 0) for i in range(args.processes)]
    workers = [context.Process(target=_worker, args=(url, line_ids, share, sum(shares[:i]), deadline, queue))
               for i, share in enumerate(shares)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=args.seconds + 120) for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started - 2
    accepted = [r[0] for r in results]
    refused = [r[1] for r in results]
    errors = [e for r in results for e in r[2]]
    with app.app_context():
        dry = db.session.execute(sa.select(sa.func.count()).select_from(Line).where(
            Line.id.in_(line_ids), Line.current_amount - Line.committed < 10_000)).scalar_one()
        over = db.session.execute(sa.select(sa.func.count()).select_from(Line).where(Line.committed > Line.current_amount)).scalar_one()
        mismatched = 0
        for line_id in line_ids:
            total = db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(Commitment.amount), 0))
                                       .where(Commitment.line_id == line_id, Commitment.status != "cancelled")).scalar_one()
            mismatched += int(total != db.session.get(Line, line_id).committed)
    total = sum(accepted)
    print(f"database        {url.split(':')[0]}")
    print(f"clients, lines  {args.clients} in {args.processes} processes, {args.lines} lines")
    print(f"commitments     {total:,} accepted, {sum(refused):,} refused (no budget left) in {elapsed:.1f} s")
    print(f"throughput      {total / elapsed:,.0f} commitments per second "
          f"({(total + sum(refused)) / elapsed:,.0f} answers per second)")
    print(f"lines run dry   {dry} of {args.lines} (less than 10,000 won left)")
    print(f"errors          {len(errors)}{(': ' + errors[0]) if errors else ''}")
    print(f"over-committed  {over} line(s); lines whose commitments do not add up: {mismatched}")
    print(f"target (>= 300/s, no over-commitment): {'met' if total / elapsed >= 300 and not over and not mismatched else 'NOT met'}")


if __name__ == "__main__":
    main()
