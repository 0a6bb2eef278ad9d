"""The public bill calculator over HTTP: ``POST /api/rates/quote`` against a bare Flask endpoint.

Serves the application with gunicorn (deploy/gunicorn.conf.py with 4 sync workers, on
127.0.0.1 and a free port) on a throw-away database holding the demo tariff (포항시), checks one
quote, then drives the endpoint with wrk for a fixed time; in the same run a bare Flask app (one
POST view that reads the JSON body and answers a small JSON) is served with the same gunicorn
settings and driven the same way. Prints req/s, p50 and p99 of both and the ratio; target: the
quote at least half the bare rate. A run in which wrk saw a non-2xx answer, a socket error or a
timeout says so and exits non-zero.

``--compare-metrics`` serves the quote a second time with the operations figures switched off
(``ERP_METRICS=0``: no Prometheus counting, no per-minute figures) and prints the rate with them
against the rate without them (target: at most 5 % slower, ratio >= 0.95). The two are measured
in alternating rounds (``--rounds``, default 2 each), so a drift of the machine's load falls on
both alike.

A sync worker serves one request at a time, so connections beyond the workers only wait in the
listen queue: that adds latency, not throughput. --connections defaults to twice the workers,
enough to keep every worker busy while the previous connection is closed and the next accepted
(gunicorn's sync workers close each connection). wrk runs one thread: it needs far less CPU than
the workers it drives, and the machine has few cores. Bounded: --warmup + --seconds for each
server, about 40 s in all by default, and both servers are always stopped. Needs wrk
(``apt-get install wrk``).

    .venv/bin/python bench/rates_quote_http.py --seconds 10 --connections 8
    DATABASE_URL='mysql+pymysql://root@127.0.0.1:3306/erp_bench_quote?charset=utf8mb4' \\
        .venv/bin/python bench/rates_quote_http.py --seconds 10 --connections 8
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

# The benchmark starts gunicorn and wrk itself, with fixed argument lists and no shell.
import subprocess  # nosec B404

from _common import database_url, migrated_app

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
QUOTE = {"use_type": "household", "diameter": 13, "consumption": 21, "households": 1,
         "period_start": "2026-11-01", "period_end": "2026-11-30"}
BARE_APP = '''"""A bare Flask endpoint: the floor any view served by the same gunicorn can reach."""
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/api/rates/quote")
def quote():
    payload = request.get_json(silent=True) or {}
    return jsonify(total=0, days=30, lines=[], echo=payload.get("use_type"))
'''
WRK_SCRIPT = '''wrk.method = "POST"
wrk.body = [[%s]]
wrk.headers["Content-Type"] = "application/json"

done = function(summary, latency, requests)
  io.write(string.format(
    "BENCH-RESULT {\\"requests\\": %%.0f, \\"duration_us\\": %%.0f, \\"p50_us\\": %%.0f, \\"p99_us\\": %%.0f, " ..
    "\\"connect\\": %%.0f, \\"read\\": %%.0f, \\"write\\": %%.0f, \\"status\\": %%.0f, \\"timeout\\": %%.0f}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout))
end
'''


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def post(url: str, body: dict, timeout: float = 10.0) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    # Only http://127.0.0.1:<port> built by this script.
    with urllib.request.urlopen(request, timeout=timeout) as response:  # nosec B310
        return response.status, json.loads(response.read())


def no_control_socket() -> list[str]:
    """gunicorn >= 25 opens a control socket under ~/.gunicorn, shared by every server of the user."""
    from gunicorn.config import KNOWN_SETTINGS

    return ["--no-control-socket"] if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS) else []


class Server:
    """``gunicorn -c deploy/gunicorn.conf.py`` with sync workers on 127.0.0.1, in its own process group."""

    def __init__(self, name: str, app: str, workers: int, env: dict, workdir: Path, chdir: Path):
        self.name, self.port = name, free_port()
        self.url = f"http://{HOST}:{self.port}/api/rates/quote"
        self.log_path = workdir / f"{name}.log"
        # The deployment's settings with sync workers: gunicorn would run gthread with the
        # deployment's threads > 1, hence --threads 1.
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                   "--chdir", str(chdir), "--bind", f"{HOST}:{self.port}", "--worker-class", "sync",
                   "--threads", "1", "--workers", str(workers), *no_control_socket(), app]
        self.log = open(self.log_path, "wb")
        # Fixed argument list, no shell; the app and the port come from this script.
        self.process = subprocess.Popen(  # nosec B603
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, body: dict, seconds: float = 60.0) -> dict:
        """The first answer to ``body`` (the arbiter listens before the workers have loaded the app)."""
        deadline = time.monotonic() + seconds
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name}: gunicorn exited with {self.process.returncode}\n{self.tail()}")
            try:
                status, answer = post(self.url, body)
            except urllib.error.HTTPError as error:
                raise RuntimeError(f"{self.name}: {error.code} {error.read()[:500]!r}") from None
            except (OSError, ValueError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.name}: no answer within {seconds:.0f} s\n{self.tail()}") from None
                time.sleep(0.2)
                continue
            if status != 200:
                raise RuntimeError(f"{self.name}: status {status}")
            if "Using worker: sync" not in self.tail(200):
                raise RuntimeError(f"{self.name}: gunicorn does not run sync workers\n{self.tail()}")
            return answer

    def recycled(self) -> int:
        """Workers gunicorn restarted during the run (max_requests of the deployment settings)."""
        return self.log_path.read_text(errors="replace").count("Autorestarting worker")

    def tail(self, lines: int = 20) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
            except ProcessLookupError:
                pass
        self.log.close()


def wrk(wrk_path: str, script: Path, url: str, seconds: float, connections: int, threads: int) -> dict:
    command = [wrk_path, "--threads", str(threads), "--connections", str(connections),
               "--duration", f"{max(1, round(seconds))}s", "--timeout", "5s", "--script", str(script), url]
    # Fixed argument list, no shell; the target is a server this script started on 127.0.0.1.
    done = subprocess.run(  # nosec B603
        command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    match = re.search(r"^BENCH-RESULT (\{.*\})$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout[-1000:]}{done.stderr[-1000:]}")
    result = json.loads(match.group(1))
    result["rate"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    return result


def load_demo_tariff(app) -> None:
    """The demo's tariff (포항시, in force since 1 July 2014) and nothing else of the demo data."""
    from erp.audit.services import acting_as
    from erp.extensions import db
    from plugins.rates import demo

    with app.app_context(), acting_as(None, "bench"):
        demo.load_tariff()
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()  # the workers open their own connections


def line(label: str, result: dict) -> str:
    return (f"{label:<14} {result['rate']:9,.0f} req/s   p50 {result['p50_us'] / 1000:7.2f} ms"
            f"   p99 {result['p99_us'] / 1000:7.2f} ms   ({result['requests']:,.0f} requests)")


def combine(runs: list[dict]) -> dict:
    """wrk's figures of several rounds as one: requests and time add up, latencies are averaged."""
    if len(runs) == 1:
        return runs[0]
    total = {key: sum(run[key] for run in runs) for key in ("requests", "duration_us", "connect", "read", "write",
                                                               "status", "timeout", "errors")}
    total["rate"] = total["requests"] / (total["duration_us"] / 1e6)
    for key in ("p50_us", "p99_us"):
        total[key] = sum(run[key] for run in runs) / len(runs)
    return total


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def measure(args, wrk_path: str, url: str, workdir: Path) -> tuple[dict, dict]:
    """Serve, check and load the quote (with the operations figures, and without them when
    comparing), then the bare endpoint; wrk's figures and worker restarts of each."""
    (workdir / "bare_app.py").write_text(BARE_APP)
    script = workdir / "quote.lua"
    script.write_text(WRK_SCRIPT % json.dumps(QUOTE))
    base_env = {k: v for k, v in os.environ.items()
                if k not in ("WEB_CONCURRENCY", "ERP_THREADS", "GUNICORN_CMD_ARGS", "PROMETHEUS_MULTIPROC_DIR", "ERP_METRICS")}
    erp_env = {**base_env, "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32), "ERP_LOG_LEVEL": args.log_level,
               "PYTHONPATH": str(ROOT), "ERP_METRICS": "1",
               # One address sends every request: the per-address limits would answer 429.
               "ERP_RATELIMIT_ENABLED": "0"}
    servers = [("quote", "wsgi:app", erp_env, ROOT)]
    if args.compare_metrics:
        servers = [("quote", "wsgi:app", erp_env, ROOT), ("quote, no ops", "wsgi:app", {**erp_env, "ERP_METRICS": "0"}, ROOT)]
        servers = servers * args.rounds
    servers.append(("bare Flask", "bare_app:app", base_env, workdir))
    runs: dict[str, list[dict]] = {}
    results, recycled = {}, {}
    for name, app_spec, env, chdir in servers:
        server = Server(name.split()[0].rstrip(","), app_spec, args.workers, env, workdir, chdir)
        try:
            answer = server.wait_ready(QUOTE)
            if name.startswith("quote") and name not in runs:
                if not isinstance(answer.get("total"), int):
                    raise RuntimeError(f"the quote answered without a total: {answer}")
                print(f"{'check':<14} {QUOTE['consumption']} ㎥, {QUOTE['diameter']} mm household, "
                      f"{QUOTE['period_start']}..{QUOTE['period_end']}: 200, total {answer['total']:,} won", flush=True)
            if args.warmup > 0:
                wrk(wrk_path, script, server.url, args.warmup, args.connections, args.threads)
            runs.setdefault(name, []).append(wrk(wrk_path, script, server.url, args.seconds, args.connections, args.threads))
            recycled[name] = recycled.get(name, 0) + server.recycled()
        finally:
            server.stop()
        print(line(name, runs[name][-1]), flush=True)
    for name, measured in runs.items():
        results[name] = combine(measured)
    if args.compare_metrics:
        # Each round's pair ran back to back: its ratio is the least disturbed by the machine's drift.
        results["pairs"] = [on["rate"] / off["rate"] for on, off in zip(runs["quote"], runs["quote, no ops"], strict=True)]
    return results, recycled


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured load on each server")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured load on each server first")
    parser.add_argument("--connections", type=int, default=8, help="open connections of wrk (default: 2 x workers)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers of each server")
    parser.add_argument("--log-level", default="INFO", help="ERP_LOG_LEVEL of the served app (production: INFO)")
    parser.add_argument("--compare-metrics", action="store_true",
                        help="also serve the quote without /metrics and the per-minute figures (ERP_METRICS=0) and "
                             "print the cost of them (target: at most 5 %%)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds with and without them (--compare-metrics)")
    args = parser.parse_args()
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    wrk_path = shutil.which("wrk")
    if wrk_path is None:
        print("wrk is not installed: install it with `apt-get install wrk` (Debian package wrk) and run again.",
              file=sys.stderr)
        return 2

    busy = os.getloadavg()[0]
    url = database_url("rates_quote_http")
    load_demo_tariff(migrated_app(url))
    workdir = Path(tempfile.mkdtemp(prefix="erp-bench-http-"))
    try:
        results, recycled = measure(args, wrk_path, url, workdir)
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        print(f"FAILED: {error}\nserver logs kept in {workdir}", file=sys.stderr)
        return 1

    pairs = results.pop("pairs", [])
    quote, bare = results["quote"], results["bare Flask"]
    ratio = quote["rate"] / bare["rate"]
    print(f"{'database':<14} {url.split(':')[0]}")
    print(f"{'load':<14} wrk, {args.connections} connections, {args.threads} thread(s), {args.seconds:.0f} s each "
          f"after {args.warmup:.0f} s warm-up; gunicorn {args.workers} sync workers on {HOST}")
    print(f"{'machine':<14} {os.cpu_count()} CPUs, load average {busy:.1f} before the run"
          f"{' (other processes skew the figures)' if busy >= 0.5 else ''}")
    print(f"{'recycled':<14} {recycled['quote']} quote / {recycled['bare Flask']} bare worker(s) (max_requests)")
    print(f"{'ratio':<14} quote / bare = {ratio:.2f}")
    failed = False
    for name, result in results.items():
        if result["errors"]:
            failed = True
            print(f"{'ERRORS':<14} {name}: {result['status']:.0f} non-2xx/3xx, {result['connect']:.0f} connect, "
                  f"{result['read']:.0f} read, {result['write']:.0f} write, {result['timeout']:.0f} timeout")
        else:
            print(f"{'errors':<14} {name}: none (no non-2xx answer, no socket error, no timeout)")
    print(f"target (quote >= 0.5 x bare, no errors): {'met' if ratio >= 0.5 and not failed else 'NOT met'}")
    if args.compare_metrics:
        with_ops, without = results["quote"], results["quote, no ops"]
        overall = with_ops["rate"] / without["rate"]
        cost = median(pairs)
        print(f"{'with ops':<14} {with_ops['rate']:9,.0f} req/s   (metrics and per-minute figures on; {args.rounds} rounds)")
        print(f"{'without ops':<14} {without['rate']:9,.0f} req/s   (ERP_METRICS=0; {args.rounds} rounds)")
        print(f"{'ops rounds':<14} with / without per round: {', '.join(f'{p:.3f}' for p in pairs)}")
        print(f"{'ops ratio':<14} with / without = {cost:.3f} (median of the rounds; {(1 - cost) * 100:+.1f} % cost); "
              f"all rounds together {overall:.3f}")
        print(f"target (with >= 0.95 x without): {'met' if cost >= 0.95 else 'NOT met'}")
    if failed:
        print(f"server logs kept in {workdir}")
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
