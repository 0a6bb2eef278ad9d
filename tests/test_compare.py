"""The comparison's smoke run: bench/compare.py --smoke starts monolith ×1, monolith ×2 and split
on MariaDB (free loopback ports, databases and run directories of its own), drives every kind of
request of the mix through each for a few seconds with Locust, stops them and prints the summary.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess  # nosec B404 - the test runs the project's own benchmark script
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import MARIADB_SERVER

pytestmark = pytest.mark.mariadb

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 900  # seconds: three shapes started, seeded, loaded for 8 s and stopped (2.5 min on a quick machine, 6 on a slow one)


def _databases() -> set[str]:
    engine = sa.create_engine(MARIADB_SERVER)
    try:
        with engine.connect() as conn:
            return {name for name in conn.execute(sa.text("SHOW DATABASES")).scalars() if name.startswith("erp_cmp_")}
    finally:
        engine.dispose()


def test_the_smoke_run_answers_every_kind_of_request_in_each_shape_and_prints_the_summary(tmp_path):
    before = _databases()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DATABASE_URL", "ERP_PORTS", "ERP_PLUGINS", "ERP_QUEUE", "ERP_SERVICE"))}
    run = subprocess.Popen([sys.executable, str(ROOT / "bench" / "compare.py"), "--smoke", "--mariadb", MARIADB_SERVER,  # nosec B603
                            "--output", str(tmp_path / "benchmarks.md")],
                           cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT), "ERP_PYTHON": sys.executable},
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output, _ = run.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGTERM)  # its clean-up stops the deployments it started
        output, _ = run.communicate(timeout=120)
        pytest.fail(f"bench/compare.py --smoke did not finish within {TIMEOUT} s:\n{output[-4000:]}")
    assert run.returncode == 0, output[-6000:]

    # each shape served the whole mix (the script refuses to go on when a kind did not answer)
    for label in ("monolith ×1", "monolith ×2", "split"):
        row = re.search(rf"^\| {label} \| 2 \| (\d+) \| [\d.]+ \|.*\| ([\d.]+) % \|", output, re.M)
        assert row, f"no row for {label}:\n{output[-4000:]}"
        assert int(row.group(1)) >= 16  # 8 kinds in turn at 2 actions/s for 8 s: 16 actions, most of several requests
    assert "| in process |" in output and "| over HTTP |" in output
    assert "Targets:" in output and "split's RSS" in output
    written = (tmp_path / "benchmarks.md").read_text()
    assert "| monolith ×2 | 2 |" in written
    # every database it made is gone again
    assert _databases() <= before
