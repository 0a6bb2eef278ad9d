"""The measured comparison of the two shapes: monolith ×1, monolith ×2 and split, each started
by its deployment script on loopback against MariaDB, loaded with the demo city, and driven by
Locust (bench/compare_mix.py) at fixed arrival rates.

    python bench/compare.py                  # the full run (3 repetitions; about 17 minutes)
    python bench/compare.py --smoke          # a few seconds per shape: every kind answers
    python bench/compare.py --repeat 1 --rates 2,4 --seconds 20 --output /tmp/b.md

The servers of every shape run on the same CPUs (``taskset -c --server-cpus``, default CPU 1),
the load generator on others (``--load-cpus``, default CPU 0); MariaDB is shared and unpinned.
It prints, and writes to docs/benchmarks.md (``--output``): per shape and rate the requests,
throughput, mean/p50/p95/p99/max, error rate, APDEX (T = 0.5 s), the resident memory of every
server process and their CPU seconds; the highest rate with p95 under 300 ms; the cost of one
cross-plugin call in process and over HTTP; the failure runs (a monolith replica killed, the
complaints service stopped) with the acknowledged writes looked up in the databases afterwards;
the CPU cost per request of each kind and a capacity model from it; and the targets, met or not.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
from collections import Counter
# The comparison starts the project's deployment script and its load generator, never a shell.
import subprocess  # nosec B404
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

import psutil
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
PYTHON = os.environ.get("ERP_PYTHON") or sys.executable
PLUGINS = ("accounting", "budget", "complaints", "rates")
KINDS = ("calculator", "complaint_file", "complaint_lookup", "customer_search", "bill_pdf", "journal_entry",
         "commitment", "trial_balance")
SHAPES = {"monolith1": ("monolith", ["1"]), "monolith2": ("monolith", ["2"]), "split": ("split", [])}
LABELS = {"monolith1": "monolith ×1", "monolith2": "monolith ×2", "split": "split"}
APDEX_T = 500.0  # ms
SLO_P95 = 300.0  # ms
ROLES = ("acct", "chiefacct", "budget", "rates")


def taskset() -> str:
    """util-linux's taskset, which pins a process (and what it starts) to CPUs."""
    found = shutil.which("taskset")
    if not found:
        raise RuntimeError("taskset is not installed (Debian: util-linux)")
    return found


# --- one deployment -----------------------------------------------------------------------------

class Shape:
    """One shape started by its script under a run directory and databases of its own."""

    def __init__(self, key: str, args, workdir: Path):
        self.key, self.args = key, args
        self.script, self.script_args = SHAPES[key]
        self.run_dir = workdir / key
        self.db_name = f"erp_cmp_{uuid.uuid4().hex[:8]}"
        keep = {k: v for k, v in os.environ.items()
                if not k.startswith(("DATABASE_URL", "ERP_PORTS", "ERP_PLUGINS", "ERP_QUEUE", "ERP_SERVICE",
                                     "ERP_INSTANCE_DIR", "ERP_STORAGE_DIR", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS"))}
        self.env = {**keep, "ERP_PYTHON": PYTHON, "ERP_RUN_DIR": str(self.run_dir), "ERP_HTTP_PORT": "0",
                    "ERP_BASE_PORT": "0", "ERP_MARIADB_URL": args.mariadb, "ERP_DB_NAME": self.db_name,
                    "ERP_LOG_LEVEL": "WARNING", "WEB_CONCURRENCY": str(args.workers), "ERP_THREADS": str(args.threads),
                    # the same queue for every shape: a SQLite file in the run directory
                    "ERP_QUEUE_URL": f"sqlite:///{self.run_dir / 'queue.sqlite'}",
                    "ERP_QUEUE_NAME": f"cmp-{self.db_name}", "PYTHONPATH": str(ROOT),
                    # Every simulated citizen comes from 127.0.0.1: the per-address limits would refuse
                    # the city. The run measures serving, so the limits are off (counting is not free).
                    "ERP_RATELIMIT_ENABLED": "0"}
        self.logins: dict[str, str] = {}

    def _deploy(self, *args: str, timeout: float = 300) -> str:
        # taskset: every process of the shape (gunicorns, workers, nginx) inherits the CPUs.
        done = subprocess.run([taskset(), "-c", self.args.server_cpus, PYTHON, str(ROOT / "deploy" / "local.py"),  # nosec B603
                               self.script, *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"deploy/local.py {self.script} {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self) -> None:
        self._deploy(*self.script_args)
        self.state = json.loads((self.run_dir / "state.json").read_text())
        self.url = self.state["url"]

    def spec(self, name: str) -> dict:
        return json.loads((self.run_dir / "pids" / f"{name}.json").read_text())

    def web_env(self) -> dict:
        return self.spec("web-1" if self.script == "monolith" else "web-core")["env"]

    def database_url(self, plugin: str | None = None) -> str:
        if self.script == "split" and plugin:
            return self.spec(f"web-{plugin}")["env"][f"DATABASE_URL_{plugin.upper()}"]
        return self.web_env()["DATABASE_URL"]

    def seed(self) -> None:
        """``flask erp demo`` in one process with every plugin loaded, each plugin's tables where
        the shape keeps them (DATABASE_URL_<PLUGIN> as the split services have it)."""
        env = {**self.web_env(), "ERP_PLUGINS": ",".join(PLUGINS), "ERP_QUEUE_URL": "immediate"}
        env.pop("ERP_PORTS", None)
        for plugin in PLUGINS:
            if self.script == "split":
                env[f"DATABASE_URL_{plugin.upper()}"] = self.database_url(plugin)
        done = subprocess.run([PYTHON, "-m", "flask", "erp", "demo"], cwd=ROOT, env=env, capture_output=True,  # nosec B603
                              text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"flask erp demo failed:\n{done.stdout}\n{done.stderr}")
        self.logins = dict(re.findall(r"^\s{2}(\w+)\s+(\S+)\s+\S+ \(", done.stdout, re.M))
        missing = [role for role in ROLES if role not in self.logins]
        if missing:
            raise RuntimeError(f"flask erp demo printed no password for {', '.join(missing)}:\n{done.stdout}")
        self.cookies = {role: log_in(self.url, role, self.logins[role]) for role in ROLES}

    def next_addresses(self) -> int:
        self.runs = getattr(self, "runs", 0) + 1
        return self.runs * 3000 % 63000

    def idle_cpu_rate(self, seconds: float) -> float:
        """CPU seconds per second the server processes use with no requests (job workers
        polling their queues, per-minute figures): subtracted from the cost per action."""
        before, began = self.cpu_seconds(), time.monotonic()
        time.sleep(seconds)
        after = self.cpu_seconds()
        return cpu_used(before, after) / (time.monotonic() - began)

    def fixtures(self) -> dict:
        rates = sa.create_engine(self.database_url("rates"))
        complaints = sa.create_engine(self.database_url("complaints"))
        try:
            with rates.connect() as conn:
                bills = conn.execute(sa.text("SELECT id FROM rates_bill ORDER BY id LIMIT 400")).scalars().all()
                names = conn.execute(sa.text("SELECT DISTINCT holder_name FROM rates_customer LIMIT 40")).scalars().all()
            with complaints.connect() as conn:
                filed = conn.execute(sa.text("SELECT receipt_no, phone FROM complaints_complaint LIMIT 40")).all()
        finally:
            rates.dispose()
            complaints.dispose()
        return {"bills": list(bills), "names": list(names), "complaints": [list(row) for row in filed]}

    def processes(self) -> list[psutil.Process]:
        """Every server process: each recorded process group's leader and its descendants."""
        found = []
        for path in (self.run_dir / "pids").glob("*.pid"):
            try:
                leader = psutil.Process(int(path.read_text().split()[0]))
                found += [leader, *leader.children(recursive=True)]
            except (psutil.Error, ValueError, OSError):
                continue
        return found

    def cpu_seconds(self) -> dict:
        """pid → the CPU seconds of each server process, and ("reaped", pid) → those of the
        children it has waited for (a worker recycled by gunicorn's max_requests: see cpu_used)."""
        seconds: dict = {}
        for process in self.processes():
            try:
                times = process.cpu_times()
                seconds[process.pid] = times.user + times.system
                seconds[("reaped", process.pid)] = times.children_user + times.children_system
            except psutil.Error:
                continue
        return seconds

    def memory_mb(self) -> tuple[float, float]:
        """The sum of every server process's resident memory, and of its proportional share
        (PSS: pages shared between a gunicorn master and its forked workers counted once)."""
        rss = pss = 0
        for process in self.processes():
            try:
                info = process.memory_full_info()
            except psutil.Error:
                continue
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        return rss / 2**20, pss / 2**20

    def stop(self) -> None:
        try:
            self._deploy("stop", timeout=120)
        finally:
            engine = sa.create_engine(self.args.mariadb, isolation_level="AUTOCOMMIT")
            try:
                with engine.connect() as conn:
                    for name in [self.db_name, *(f"{self.db_name}_{p}" for p in PLUGINS)]:
                        conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))  # nosec B608
            finally:
                engine.dispose()


def cpu_used(before: dict, after: dict) -> float:
    """CPU seconds the server processes used between two readings of ``Shape.cpu_seconds``. A
    process that ended meanwhile (a recycled worker) is counted through its parent, which adds its
    last figure once it has reaped it: what it used before the first reading is taken off."""
    used = sum(value - before.get(key, 0.0) for key, value in after.items())
    return max(0.0, used - sum(value for key, value in before.items() if key not in after))


def log_in(url: str, username: str, password: str) -> list:
    """The cookies of a login; logged in once per deployment (a login hashes the password, which
    is no part of the mix)."""
    import requests

    with requests.Session() as browser:
        form = browser.get(f"{url}/login", timeout=60)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text)
        done = browser.post(f"{url}/login", data={"username": username, "password": password,
                                                  "csrf_token": token.group(1) if token else ""},
                            allow_redirects=False, timeout=60)
        if done.status_code != 302 or "/login" in done.headers.get("Location", ""):
            raise RuntimeError(f"cannot log in as {username}: HTTP {done.status_code}")
        # The session's CSRF token made now, once: the mix's virtual officials of a role share
        # this session, and two of them making it at the same moment would each store their own
        # — the last write wins and the other's form is refused (400).
        browser.get(f"{url}/", timeout=60)
        # as the server set them (domain and path): the answers that renew them replace them
        return [[cookie.name, cookie.value, cookie.domain, cookie.path] for cookie in browser.cookies]


# --- load and its figures -----------------------------------------------------------------------

def drive(shape: Shape, args, rate: float, seconds: float, weights: dict | None = None, during=None) -> dict:
    """Run the mix at ``rate`` actions/s for ``seconds``; the figures, with CPU and memory."""
    users = max(2, min(args.max_users, int(rate * 2 + 0.999)))
    settings = {"url": shape.url, "rate": rate, "users": users, "seconds": seconds, "weights": weights or {}, "cycle": args.smoke,
                "cookies": shape.cookies, "fixtures": shape.fixture_data,
                # each run's citizens get fresh addresses (at most a few thousand a run)
                "address_offset": shape.next_addresses()}
    with tempfile.TemporaryDirectory(prefix="erp-compare-") as temp:
        (Path(temp) / "settings.json").write_text(json.dumps(settings))
        before, began = shape.cpu_seconds(), time.monotonic()
        load = subprocess.Popen([taskset(), "-c", args.load_cpus, PYTHON, str(ROOT / "bench" / "compare_mix.py"),  # nosec B603
                                 str(Path(temp) / "settings.json"), str(Path(temp) / "result.json")], cwd=ROOT,
                                env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            events = during(load) if during else {}
            output, _ = load.communicate(timeout=seconds + 180)
        except subprocess.TimeoutExpired:
            raise RuntimeError("the load generator did not finish in time") from None
        finally:
            if load.poll() is None:  # interrupted or too slow: it must not outlive the run
                os.killpg(load.pid, signal.SIGKILL)
                load.wait()
        if load.returncode != 0:
            raise RuntimeError(f"the load generator failed:\n{output[-3000:]}")
        after, wall = shape.cpu_seconds(), time.monotonic() - began
        result = json.loads((Path(temp) / "result.json").read_text())
    figures = summarise(result["samples"], result["seconds"])
    rss, pss = shape.memory_mb()
    figures.update(rate=rate, users=users, rss_mb=rss, pss_mb=pss,
                   cpu_s=cpu_used(before, after), wall_s=wall,
                   acked=result["acked"], samples=result["samples"], events=events, started_at=result["started_at"])
    return figures


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * (len(ordered) - 1)))))]


def summarise(samples: list, seconds: float) -> dict:
    times = [s[2] for s in samples]
    errors = sum(1 for s in samples if not s[3])
    satisfied = sum(1 for s in samples if s[3] and s[2] <= APDEX_T)
    tolerating = sum(1 for s in samples if s[3] and APDEX_T < s[2] <= 4 * APDEX_T)
    return {"requests": len(samples), "throughput": len(samples) / seconds if seconds else 0.0,
            "mean": statistics.fmean(times) if times else 0.0, "p50": percentile(times, 0.50),
            "p95": percentile(times, 0.95), "p99": percentile(times, 0.99), "max": max(times, default=0.0),
            "errors": errors, "error_rate": errors / len(samples) if samples else 0.0,
            "apdex": (satisfied + tolerating / 2) / len(samples) if samples else 0.0,
            "kinds": sorted({s[1] for s in samples if s[3]}),
            "failed": dict(Counter(f"{s[1]} HTTP {s[4]}" for s in samples if not s[3]))}


def lost_writes(shape: Shape, acked: dict) -> dict:
    """How many acknowledged writes are not in the databases (must be 0)."""
    checks = (("complaint", "complaints", "SELECT COUNT(*) FROM complaints_complaint WHERE receipt_no IN :keys"),
              ("commitment", "budget", "SELECT COUNT(*) FROM budget_commitment WHERE id IN :keys"),
              ("entry", "accounting", "SELECT COUNT(*) FROM accounting_entry WHERE id IN :keys"))
    lost = {}
    for kind, plugin, query in checks:
        keys = sorted(set(acked.get(kind, [])))
        if not keys:
            lost[kind] = (0, 0)
            continue
        engine = sa.create_engine(shape.database_url(plugin))
        try:
            with engine.connect() as conn:
                found = conn.execute(sa.text(query).bindparams(sa.bindparam("keys", expanding=True)), {"keys": keys}).scalar_one()
        finally:
            engine.dispose()
        lost[kind] = (len(keys), len(keys) - found)
    return lost


# --- the cross-plugin call ----------------------------------------------------------------------

def cross_call_cost(shape: Shape, calls: int) -> dict:
    """``ports.get("accounting").entry_date_is_open`` timed in process (accounting loaded, its
    tables in the split's accounting database) and over HTTP (the running accounting service)."""
    from erp import create_app
    from erp import ports
    from erp.config import _ports
    from erp.extensions import db

    env = shape.spec("web-rates")["env"]
    local = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "ERP_PLUGINS": ["accounting"],
                        "SQLALCHEMY_BINDS": {"accounting": shape.database_url("accounting")}, "ERP_QUEUE_URL": "immediate",
                        "ERP_LOG_LEVEL": "WARNING", "ERP_METRICS": False})
    remote = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "ERP_PLUGINS": [],
                         "ERP_PORTS": {"accounting": _ports(env["ERP_PORTS"])["accounting"]},
                         "ERP_SERVICE_KEY": env["ERP_SERVICE_KEY"], "ERP_QUEUE_URL": "immediate",
                         "ERP_LOG_LEVEL": "WARNING", "ERP_METRICS": False})
    figures = {}
    for label, app in (("in process", local), ("over HTTP", remote)):
        with app.test_request_context():
            port = ports.get("accounting")
            port.entry_date_is_open(date.today())  # warm: connections, the client's session
            timings = []
            for _ in range(calls):
                start = time.perf_counter()
                port.entry_date_is_open(date.today())
                timings.append((time.perf_counter() - start) * 1000)
            figures[label] = {"p50": percentile(timings, 0.5), "p99": percentile(timings, 0.99), "calls": calls}
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()
    return figures


# --- failure runs -------------------------------------------------------------------------------

def failure_run(shape: Shape, args) -> dict:
    """Load at a moderate rate; monolith ×2: SIGKILL replica 2 a third in and start it again
    two thirds in; split: stop the complaints service (web and worker) a third in, start it two
    thirds in. Errors, recovery, the acknowledged writes looked up afterwards."""
    seconds = args.failure_seconds
    monolith = shape.script == "monolith"
    names = ["web-2"] if monolith else ["web-complaints", "worker-complaints"]

    def during(load) -> dict:
        time.sleep(seconds / 3)
        fault = time.time()
        if monolith:  # killed: no graceful stop, the requests in flight are cut off
            os.killpg(shape.state["pids"]["web-2"], signal.SIGKILL)
        else:
            shape._deploy("stop", *names, timeout=120)
        time.sleep(seconds / 3)
        back_from = time.time()
        shape._deploy("start", *names, timeout=180)
        return {"fault": fault, "restart": back_from, "ready": time.time()}

    figures = drive(shape, args, args.failure_rate, seconds, during=during)
    # The samples count from the load's start, whose wall-clock time it reports: the events on that clock.
    samples, events = figures["samples"], figures["events"]
    shift = figures["started_at"]
    fault = events["fault"] - shift
    window = [s for s in samples if fault <= s[0] < fault + 5]
    later = [s for s in samples if s[0] >= fault + 5]
    failed = [s for s in samples if not s[3]]
    last_error = max((s[0] for s in failed), default=None)
    billing = ("calculator", "customer_search", "bill_pdf")
    accounting = ("journal_entry", "trial_balance")
    outage = [s for s in samples if fault <= s[0] < events["ready"] - shift]
    return {**figures,
            "fault_at": fault, "restart_at": events["restart"] - shift, "ready_at": events["ready"] - shift,
            "kill_window_error_rate": _rate(window), "after_5s_errors": sum(1 for s in later if not s[3]),
            "after_5s_requests": len(later),
            "recovery_s": (last_error - fault) if last_error is not None and last_error >= fault else 0.0,
            "billing_errors_in_outage": sum(1 for s in outage if s[1] in billing and not s[3]),
            "billing_requests_in_outage": sum(1 for s in outage if s[1] in billing),
            "accounting_errors_in_outage": sum(1 for s in outage if s[1] in accounting and not s[3]),
            "accounting_requests_in_outage": sum(1 for s in outage if s[1] in accounting),
            "complaint_errors_in_outage": sum(1 for s in outage if s[1].startswith("complaint") and not s[3]),
            "lost": lost_writes(shape, figures["acked"])}


def _rate(samples: list) -> float:
    return sum(1 for s in samples if not s[3]) / len(samples) if samples else 0.0


# --- the report ---------------------------------------------------------------------------------

def spread(values: list[float]) -> str:
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.0f}"
    return f"{statistics.median(values):.0f} ({min(values):.0f}–{max(values):.0f})"


def report(results: dict, args, took: float) -> str:
    load = os.getloadavg()
    lines = [f"# Monolith vs split: measured on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC", "",
             f"Machine: {os.cpu_count()} CPUs, load average before the run {results['load_before'][0]:.2f} "
             f"(after {load[0]:.2f}, the run's own load included); "
             f"{'other work shared the CPUs, so every figure is noisier. ' if results['load_before'][0] > 1.5 else 'nothing else ran. '}"
             f"Servers pinned with `taskset -c {args.server_cpus}`, the Locust load on `taskset -c {args.load_cpus}`; "
             f"MariaDB shared and unpinned. Each gunicorn: {args.workers} process × {args.threads} threads. "
             f"{args.repeat} repetition(s) of {args.seconds:.0f} s per rate; median (min–max) where repeated. "
             f"The run took {took / 60:.1f} minutes (`{' '.join(['python bench/compare.py', *sys.argv[1:]])}`).", "",
             "Rate = actions per second started (an action is 1–4 requests: a form and its post, a draft and its "
             "approval); throughput in requests per second; times in ms; APDEX with T = 0.5 s; RSS = the sum of "
             "the resident memory of every server process (gunicorn masters and workers, job workers, nginx), PSS the "
             "same with shared pages divided among the processes that share them; "
             "CPU = CPU seconds of those processes during the run.", "",
             "| shape | rate | requests | req/s | mean | p50 | p95 | p99 | max | errors | APDEX | RSS MB | PSS MB | CPU s |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for key, per_rate in results["load"].items():
        for rate, runs in per_rate.items():
            def col(name, scale=1.0, fmt="{:.0f}"):
                values = [run[name] * scale for run in runs]
                if len(values) == 1:
                    return fmt.format(values[0])
                return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"
            lines.append(f"| {LABELS[key]} | {rate:g} | {col('requests')} | {col('throughput', fmt='{:.1f}')} | "
                         f"{col('mean')} | {col('p50')} | {col('p95')} | {col('p99')} | {col('max')} | "
                         f"{col('error_rate', 100, '{:.1f}')} % | {col('apdex', fmt='{:.2f}')} | {col('rss_mb')} | {col('pss_mb')} | "
                         f"{col('cpu_s', fmt='{:.1f}')} |")
    lines += ["", "Highest rate (of those tried) with the median p95 under 300 ms and at least 90 % of the "
              "offered actions served:", ""]
    for key, rate in results["sustained"].items():
        lines.append(f"- {LABELS[key]}: {rate:g} actions/s" if rate else f"- {LABELS[key]}: none of the rates tried")
    if results.get("cross"):
        lines += ["", "One cross-plugin call (`ports.get(\"accounting\").entry_date_is_open`, a database read in the "
                  "accounting service) from a client process:", "",
                  "| how | calls | p50 ms | p99 ms |", "| --- | ---: | ---: | ---: |"]
        for label, figure in results["cross"].items():
            lines.append(f"| {label} | {figure['calls']} | {figure['p50']:.2f} | {figure['p99']:.2f} |")
    for key, run in results.get("failures", {}).items():
        what = "replica 2 killed (SIGKILL)" if key == "monolith2" else "the complaints service (web and worker) stopped"
        lost = ", ".join(f"{kind} {acked} acknowledged / {missing} lost" for kind, (acked, missing) in run["lost"].items())
        lines += ["", f"Failure run, {LABELS[key]}: {what} at {run['fault_at']:.0f} s of {args.failure_seconds:.0f} s "
                  f"at {args.failure_rate:g} actions/s, started again at {run['restart_at']:.0f} s (ready at "
                  f"{run['ready_at']:.0f} s).", "",
                  f"- requests {run['requests']}, errors {run['errors']} ({run['error_rate'] * 100:.2f} %); "
                  f"in the 5 s after the fault {run['kill_window_error_rate'] * 100:.2f} %; later "
                  f"{run['after_5s_errors']} errors of {run['after_5s_requests']} requests",
                  f"- time from the fault to the last error: {run['recovery_s']:.1f} s",
                  f"- acknowledged writes: {lost}",
                  f"- billing paths during the outage: {run['billing_errors_in_outage']} errors of "
                  f"{run['billing_requests_in_outage']}; accounting paths: {run['accounting_errors_in_outage']} of "
                  f"{run['accounting_requests_in_outage']}; complaint requests failed: {run['complaint_errors_in_outage']}"]
    if results.get("costs"):
        lines += ["", "CPU cost per action of each kind (monolith ×1, the kind alone at "
                  f"{args.cost_rate:g} actions/s for {args.cost_seconds:g} s; the server processes' CPU seconds less "
                  f"what they use idle ({results.get('idle_cpu', 0) * 1000:.0f} ms per second), per action, in ms):", "",
                  "| kind | actions | CPU ms per action | p50 ms |", "| --- | ---: | ---: | ---: |"]
        for kind, cost in results["costs"].items():
            lines.append(f"| {kind} | {cost['actions']} | {cost['cpu_ms']:.0f} | {cost['p50']:.0f} |")
    lines += ["", "Targets:", ""] + [f"- {name}: {verdict}" for name, verdict in results["targets"]]
    return "\n".join(lines) + "\n"


def targets(results: dict) -> list[tuple[str, str]]:
    verdicts = []
    sustained = results["sustained"]
    if "split" in sustained and "monolith1" in sustained:
        mono, split = sustained["monolith1"], sustained["split"]
        ok = bool(mono) and split >= 0.75 * mono
        verdicts.append(("split sustains ≥ 75 % of monolith ×1's rate at p95 < 300 ms",
                         f"{'met' if ok else 'not met'} ({split:g} vs {mono:g} actions/s)"))
    if results.get("cross"):
        p50 = results["cross"]["over HTTP"]["p50"]
        verdicts.append(("one cross-plugin call over HTTP ≤ 2 ms at p50", f"{'met' if p50 <= 2 else 'not met'} ({p50:.2f} ms)"))
    rss = results.get("rss", {})
    if "split" in rss and "monolith1" in rss:
        ratio = rss["split"] / rss["monolith1"]
        verdicts.append(("split's RSS ≤ 2.5 × monolith ×1's", f"{'met' if ratio <= 2.5 else 'not met'} ({ratio:.2f} ×)"))
    failure = results.get("failures", {}).get("monolith2")
    if failure:
        ok = failure["kill_window_error_rate"] < 0.01 and failure["after_5s_errors"] == 0
        verdicts.append(("killing one of two replicas: < 1 % errors during the kill, none 5 s later",
                         f"{'met' if ok else 'not met'} ({failure['kill_window_error_rate'] * 100:.2f} %, "
                         f"{failure['after_5s_errors']} later)"))
    for key, run in results.get("failures", {}).items():
        missing = sum(m for _, m in run["lost"].values())
        verdicts.append((f"acknowledged writes lost in the failure run of {LABELS[key]} = 0",
                         f"{'met' if missing == 0 else 'not met'} ({missing})"))
    return verdicts


# --- the run ------------------------------------------------------------------------------------

def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few seconds per shape at a small rate")
    parser.add_argument("--shapes", default="monolith1,monolith2,split")
    parser.add_argument("--rates", default="5,10,20,30,40", help="actions per second, stepped up")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn processes per web service")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--max-users", type=int, default=60)
    parser.add_argument("--server-cpus", default="1")
    parser.add_argument("--load-cpus", default="0")
    parser.add_argument("--failure-rate", type=float, default=10)
    parser.add_argument("--failure-seconds", type=float, default=45)
    parser.add_argument("--cost-rate", type=float, default=2)
    parser.add_argument("--cost-seconds", type=float, default=10)
    parser.add_argument("--cross-calls", type=int, default=300)
    parser.add_argument("--mariadb", default=os.environ.get("ERP_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306"))
    parser.add_argument("--output", default=None, help="the report's file (default docs/benchmarks.md; none with --smoke)")
    args = parser.parse_args(argv)
    # A SIGTERM (a test's time-out, an operator) unwinds like Ctrl-C: every shape started is stopped.
    signal.signal(signal.SIGTERM, _terminate)
    if args.smoke:
        args.rates, args.seconds, args.repeat = "2", 8.0, 1
    shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    unknown = [s for s in shapes if s not in SHAPES]
    if unknown:
        parser.error(f"unknown shapes: {', '.join(unknown)} (known: {', '.join(SHAPES)})")
    try:
        rates = sorted(float(r) for r in args.rates.split(","))
    except ValueError:
        parser.error("--rates takes numbers such as 2,4,8")
    if any(r <= 0 for r in rates) or args.seconds <= 0 or args.repeat < 1:
        parser.error("rates and seconds must be positive, --repeat at least 1")
    output = Path(args.output) if args.output else (None if args.smoke else ROOT / "docs" / "benchmarks.md")

    began = time.monotonic()
    results: dict = {"load_before": os.getloadavg(), "load": {}, "sustained": {}, "rss": {}, "failures": {}, "costs": {}}
    with tempfile.TemporaryDirectory(prefix="erp-compare-") as workdir:
        for key in shapes:
            shape = Shape(key, args, Path(workdir))
            print(f"== {LABELS[key]}: starting", flush=True)
            try:
                shape.start()
                shape.seed()
                shape.fixture_data = shape.fixtures()
                if key == "monolith1" and not args.smoke:
                    idle = shape.idle_cpu_rate(args.cost_seconds)
                    results["idle_cpu"] = idle
                    for kind in KINDS:
                        run = drive(shape, args, args.cost_rate, args.cost_seconds, weights={k: int(k == kind) for k in KINDS})
                        actions = max(1, _actions(run["samples"], kind))
                        busy = max(0.0, run["cpu_s"] - idle * run["wall_s"])
                        results["costs"][kind] = {"actions": actions, "cpu_ms": busy * 1000 / actions,
                                                  "p50": run["p50"]}
                        print(f"   cost {kind:<17} {results['costs'][kind]['cpu_ms']:7.0f} CPU ms/action", flush=True)
                per_rate: dict = {}
                for repetition in range(args.repeat):
                    for rate in rates:
                        run = drive(shape, args, rate, args.seconds)
                        per_rate.setdefault(rate, []).append(run)
                        print(f"   #{repetition + 1} rate {rate:g}: {run['requests']} requests, {run['throughput']:.1f} req/s, "
                              f"p50 {run['p50']:.0f} p95 {run['p95']:.0f} p99 {run['p99']:.0f} ms, errors "
                              f"{run['error_rate'] * 100:.1f} %, APDEX {run['apdex']:.2f}, RSS {run['rss_mb']:.0f} MB (PSS {run['pss_mb']:.0f}), "
                              f"CPU {run['cpu_s']:.1f} s" + (f"; failed: {run['failed']}" if run["failed"] else ""), flush=True)
                        if args.smoke:
                            missing = [k for k in KINDS if k not in run["kinds"]]
                            if missing:
                                raise RuntimeError(f"{LABELS[key]}: no answer from {', '.join(missing)}")
                for runs in per_rate.values():
                    for run in runs:  # the raw samples are not kept in the report
                        run.pop("samples", None)
                results["load"][key] = per_rate
                results["rss"][key] = statistics.median(run["rss_mb"] for runs in per_rate.values() for run in runs)
                results["sustained"][key] = max(
                    (rate for rate, runs in per_rate.items()
                     if statistics.median(r["p95"] for r in runs) < SLO_P95
                     and statistics.median(r["throughput"] for r in runs) > 0), default=0)
                results["sustained"][key] = _served(per_rate, results["sustained"][key])
                if key == "split":
                    results["cross"] = cross_call_cost(shape, 30 if args.smoke else args.cross_calls)
                    print(f"   cross-plugin call: {json.dumps(results['cross'])}", flush=True)
                if key in ("monolith2", "split") and not args.smoke:
                    run = failure_run(shape, args)
                    run.pop("samples", None)
                    results["failures"][key] = run
                    print(f"   failure run: errors {run['error_rate'] * 100:.2f} %, kill window "
                          f"{run['kill_window_error_rate'] * 100:.2f} %, later {run['after_5s_errors']}, "
                          f"recovery {run['recovery_s']:.1f} s, lost {run['lost']}", flush=True)
            finally:
                shape.stop()
    results["targets"] = targets(results)
    text = report(results, args, time.monotonic() - began)
    print(text)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        previous = output.read_text() if output.exists() else ""
        marker = "<!-- measured -->"
        # The report replaces the measured part of the file; what is written by hand stays.
        kept = previous.split(marker)[0].rstrip() + "\n\n" if marker in previous else ""
        output.write_text(kept + marker + "\n" + text)
        print(f"written to {output}")
    return 0


def _terminate(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")


def _actions(samples: list, kind: str) -> int:
    """Actions of ``kind`` completed: its requests divided by the requests one action makes."""
    per_action = {"complaint_file": 3, "complaint_lookup": 2, "journal_entry": 4, "commitment": 2}.get(kind, 1)
    return sum(1 for s in samples if s[1] == kind) // per_action


def _served(per_rate: dict, best: float) -> float:
    """The highest rate under the p95 target whose requests kept pace with the offered actions
    (at least 90 % of the throughput the lowest rate reached per action)."""
    rates = sorted(per_rate)
    if not rates:
        return 0
    base = statistics.median(r["throughput"] for r in per_rate[rates[0]]) / rates[0]
    ok = [rate for rate in rates if rate <= best
          and statistics.median(r["p95"] for r in per_rate[rate]) < SLO_P95
          and statistics.median(r["throughput"] for r in per_rate[rate]) >= 0.9 * base * rate]
    return max(ok, default=0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
