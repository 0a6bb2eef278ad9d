"""Operations: /metrics (checked by promtool and scraped by a real Prometheus), the per-minute
figures every process adds to the database, APDEX, p95 and the threshold prediction on figures
computed by hand, the operations page, and the request id carried into jobs."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
import os
import shutil
import signal
import socket
import subprocess  # nosec B404
import sys
import textwrap
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from erp.ops import dashboard, predict
from erp.ops.dashboard import Prediction, apdex, quantile
from erp.ops.models import BUCKET_COLUMNS, COUNTER_COLUMNS, OpsMinute

from gunicorn_support import wait_until_healthy
from conftest import login

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PROMTOOL = shutil.which("promtool")
PROMETHEUS = shutil.which("prometheus")
NOW = datetime(2026, 11, 26, 1, 0)  # UTC; 10:00 in Seoul


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _row(minute: datetime, instance: str = "web-1", endpoint: str = "/api/rates/quote", **counts) -> dict:
    row = {"minute": minute, "instance": instance, "endpoint": endpoint, **{c: 0 for c in COUNTER_COLUMNS}}
    row.update(counts)
    return row


def _seed(app, rows: list[dict]) -> None:
    from erp.extensions import db

    with app.app_context():
        db.session.execute(sa.insert(OpsMinute), rows)
        db.session.commit()


# --- pure figures, computed by hand ----------------------------------------------------------------

def test_apdex_and_p95_from_buckets_match_the_hand_computed_values():
    # 100 requests: 60 satisfied, 30 tolerating, 10 frustrated -> (60 + 30/2) / 100 = 0.75.
    assert apdex(60, 30, 100) == 0.75
    assert apdex(0, 0, 0) is None
    buckets = [0] * len(BUCKET_COLUMNS)
    buckets[BUCKET_COLUMNS.index("b_100ms")] = 50   # (50 ms, 100 ms]
    buckets[BUCKET_COLUMNS.index("b_500ms")] = 40   # (250 ms, 500 ms]
    buckets[BUCKET_COLUMNS.index("b_2000ms")] = 10  # (1 s, 2 s]
    # The 95th of 100 lies 5 into the 10 of (1 s, 2 s]: 1 + (2 - 1) * 5 / 10 = 1.5 s.
    assert quantile(0.95, buckets, 100) == pytest.approx(1.5)
    # The median lies at the top of the first bucket: 0.05 + 0.05 * 50 / 50 = 0.1 s.
    assert quantile(0.5, buckets, 100) == pytest.approx(0.1)
    # Beyond the last bound, as histogram_quantile: the last finite bound.
    assert quantile(0.95, [0] * len(BUCKET_COLUMNS), 3) == 10.0


def test_least_squares_and_holt_predict_the_hand_computed_crossing():
    # Points (0, 0), (60, 1), (120, 1), (180, 2): mean t = 90, mean v = 1, Σ(t-90)(v-1) = 180,
    # Σ(t-90)² = 18000 -> slope 0.01 per second; the line at t = 180 is 1 + 0.01 * 90 = 1.9.
    trend = predict.least_squares([(0, 0), (60, 1), (120, 1), (180, 2)])
    assert trend.slope == pytest.approx(0.01) and trend.value == pytest.approx(1.9)
    # Threshold 2.5 from below: (2.5 - 1.9) / 0.01 = 60 s; 30 s later, 30 s are left.
    assert predict.seconds_to_cross(trend, 2.5, rising=True) == pytest.approx(60)
    assert predict.seconds_to_cross(trend, 2.5, rising=True, now=210) == pytest.approx(30)
    assert predict.seconds_to_cross(trend, 1.5, rising=True) == 0  # already beyond
    assert predict.seconds_to_cross(trend, 0.5, rising=False) is None  # rising: never falls to 0.5
    # Holt (alpha 0.5, beta 0.3) over 1, 2, 4 a minute apart: level 1, trend 1; then level
    # 0.5*2 + 0.5*(1+1) = 2, trend 0.3*(2-1) + 0.7*1 = 1; then level 0.5*4 + 0.5*(2+1) = 3.5,
    # trend 0.3*(3.5-2) + 0.7*1 = 1.15 per minute. Threshold 5.8: (5.8 - 3.5) / (1.15/60) = 120 s.
    smooth = predict.holt([(0, 1), (60, 2), (120, 4)])
    assert smooth.value == pytest.approx(3.5) and smooth.slope * 60 == pytest.approx(1.15)
    assert predict.seconds_to_cross(smooth, 5.8, rising=True) == pytest.approx(120)
    # A falling metric (APDEX 0.95, 0.93, 0.91 a minute apart) reaches 0.85 in (0.91-0.85)/0.02 = 3 min.
    falling = predict.least_squares([(0, 0.95), (60, 0.93), (120, 0.91)])
    assert predict.seconds_to_cross(falling, 0.85, rising=False) == pytest.approx(180)
    # When the trend turns, the warning clears itself.
    turned = predict.least_squares([(0, 0.91), (60, 0.93), (120, 0.95)])
    assert predict.seconds_to_cross(turned, 0.85, rising=False) is None


def test_the_warning_reads_as_the_issue_says_in_korean_and_english(app):
    from flask_babel import force_locale

    warning = Prediction("p95", 0.6, 1.0, 2400.0, True)
    with app.test_request_context("/"):
        with force_locale("ko"):
            assert warning.message == "p95가 약 40분 후 1초를 넘을 것으로 예상됩니다."
        with force_locale("en"):
            assert warning.message == "p95 is expected to exceed 1 s in about 40 minutes."


# --- the per-minute rows ---------------------------------------------------------------------------

def test_a_process_counts_in_memory_and_adds_to_its_row_of_the_minute(app_factory):
    app = app_factory(ERP_INSTANCE="web-7", ERP_APDEX_T=0.5)
    recorder = app.extensions["erp_ops"]
    # T = 0.5 s: 0.4 s satisfied, 1.9 s tolerating (≤ 4T = 2 s), 2.1 s frustrated; a 500 is an error.
    for seconds, status in ((0.4, 200), (1.9, 200), (2.1, 500)):
        recorder.record("/api/rates/quote", status, seconds)
    assert recorder.flush() == 1
    recorder.record("/api/rates/quote", 404, 0.004)  # the same minute: added to the same row
    recorder.flush()
    from erp.extensions import db

    with app.app_context():
        rows = db.session.execute(sa.select(OpsMinute).where(OpsMinute.endpoint == "/api/rates/quote")).scalars().all()
        if len(rows) == 2:  # the minute turned between the two flushes
            assert sum(r.requests for r in rows) == 4
            return
        (row,) = rows
        assert (row.instance, row.requests, row.errors, row.client_errors) == ("web-7", 4, 1, 1)
        assert (row.apdex_satisfied, row.apdex_tolerating) == (2, 1)
        assert (row.b_5ms, row.b_500ms, row.b_2000ms, row.b_5000ms) == (1, 1, 1, 1)
        assert row.duration_ms_sum == 400 + 1900 + 2100 + 4


PROCESS = textwrap.dedent('''
    import os, sys
    from erp import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "TESTING": True, "SECRET_KEY": "x",
                      "ERP_QUEUE_URL": "immediate", "ERP_INSTANCE": sys.argv[2]})
    client = app.test_client()
    ok, missing = int(sys.argv[3]), int(sys.argv[4])
    for i in range(ok):
        assert client.get("/healthz").status_code == 200
        if i == ok // 2:
            app.extensions["erp_ops"].flush()  # a flush half-way: the rest adds to the same rows
    for _ in range(missing):
        assert client.get("/no-such-page").status_code == 404
    app.extensions["erp_ops"].flush()
''')


def test_per_minute_rows_from_two_processes_sum_on_the_dashboard(app, database_url, monkeypatch):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ERP_LOG_LEVEL": "WARNING"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    started = datetime.utcnow().replace(second=0, microsecond=0)
    processes = [subprocess.Popen([sys.executable, "-c", PROCESS, database_url, name, str(ok), str(missing)],  # nosec B603
                                  cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                 for name, ok, missing in (("replica-a", 30, 3), ("replica-b", 20, 2))]
    for process in processes:
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0, output.decode(errors="replace")[-3000:]
    with app.app_context():
        monkeypatch.setattr(dashboard, "utcnow", lambda: started + timedelta(minutes=5))
        overview = dashboard.overview("hour")
        instances = {name: (t.requests, t.client_errors) for name, t in overview.instances}
        assert instances == {"replica-a": (33, 3), "replica-b": (22, 2)}
        assert overview.total.requests == 55 and overview.total.client_errors == 5
        endpoints = {name: t.requests for name, t in overview.busiest}
        assert endpoints == {"/healthz": 50, "(no route)": 5}  # the route rule, never the raw URL
        assert sum(p.tps for p in overview.points) * 60 == pytest.approx(55)


def test_old_rows_are_deleted_by_the_cleanup_job(app):
    from flask_babel import force_locale

    from erp import jobs
    from erp.extensions import db
    from erp.jobs.messages import render

    now = datetime.utcnow().replace(second=0, microsecond=0)
    _seed(app, [_row(now - timedelta(days=31), requests=5), _row(now - timedelta(days=29), requests=7)])
    with app.test_request_context("/"):
        info = jobs.run_now("ops.cleanup")
        assert info.status == "done"
        # the result as the operations page shows it, in the reader's language
        with force_locale("ko"):
            assert render(info.result) == "30일 지난 기록 1건 삭제"
        with force_locale("en"):
            assert render(info.result) == "1 rows older than 30 days deleted"
        assert db.session.execute(sa.select(OpsMinute.requests)).scalars().all() == [7]


# --- /metrics -------------------------------------------------------------------------------------

@pytest.mark.skipif(PROMTOOL is None, reason="promtool (Debian package prometheus) is not installed: make system-deps")
def _sample(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_pass_promtool_and_name_route_rules(client, app, make_user):
    # The process's counters are shared by every app of the test run: compare before and after.
    healthz = 'erp_http_requests_total{endpoint="/healthz",method="GET",status="200"}'
    fast = 'erp_http_request_duration_seconds_bucket{endpoint="/healthz",le="0.5",method="GET"}'
    before = client.get("/metrics").get_data(as_text=True)
    make_user("kim", roles=["sysadmin"])
    login(client, "kim", "wrong password")
    for _ in range(3):
        client.get("/healthz")
    client.get("/admin/audit/?q=x")
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.content_type.startswith("text/plain")
    text = answer.get_data(as_text=True)
    checked = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)  # nosec B603
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert _sample(text, healthz) - _sample(before, healthz) == 3
    assert _sample(text, fast) - _sample(before, fast) == 3
    assert _sample(text, "erp_login_failures_total") - _sample(before, "erp_login_failures_total") == 1
    assert 'erp_http_requests_total{endpoint="/admin/audit/",method="GET",status="302"}' in text
    for family in ("erp_http_requests_in_flight", "erp_db_pool_connections_in_use", 'erp_jobs_active{status="pending"}',
                   'erp_outbox_pending{outbox="rates_outbox"}', 'erp_outbox_oldest_pending_age_seconds{outbox="budget_outbox"}',
                   "erp_rates_bill_runs_unfinished", "erp_complaints_overdue",
                   'erp_prediction_seconds_to_threshold{metric="p95"}'):
        assert family in text, family
    assert "?q=x" not in text


def test_metrics_are_only_for_the_monitoring_system(app_factory):
    app = app_factory(ERP_METRICS_ALLOW="10.0.0.0/8", ERP_METRICS_TOKEN="scrape-token-of-the-city-1234")
    client = app.test_client()
    assert client.get("/metrics").status_code == 403  # loopback is not on this allow-list
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-token-of-the-city-1234"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert app_factory(ERP_METRICS=False).test_client().get("/metrics").status_code == 404
    with pytest.raises(RuntimeError, match="ERP_METRICS_ALLOW"):
        app_factory(ERP_METRICS_ALLOW="the office")
    with pytest.raises(RuntimeError, match="ERP_PREDICT_METHOD"):
        app_factory(ERP_PREDICT_METHOD="crystal ball")


class Gunicorn:
    """gunicorn with the deployment's settings, two workers, on a free loopback port."""

    def __init__(self, database_url: str, workdir: Path, workers: int = 2):
        from gunicorn.config import KNOWN_SETTINGS

        self.port = _free_port()
        self.url = f"http://{HOST}:{self.port}"
        no_control = ["--no-control-socket"] if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS) else []
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "--bind",
                   f"{HOST}:{self.port}", "--workers", str(workers), "--threads", "2", *no_control, "wsgi:app"]
        self.metrics_dir = workdir / "prometheus"
        env = {**os.environ, "DATABASE_URL": database_url, "ERP_INSTANCE_DIR": str(workdir), "SECRET_KEY": "ops-test",
               "ERP_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT), "ERP_INSTANCE": "gunicorn-test",
               "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir)}
        for name in ("ERP_PORTS", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS"):
            env.pop(name, None)
        self.metrics_dir.mkdir()
        (self.metrics_dir / "counter_999999.db").write_bytes(b"left over from an earlier run")
        self.log_path = workdir / "gunicorn.log"
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,  # nosec B603
                                        start_new_session=True)
        wait_until_healthy(self.process, self.url, self.log_path, probe="/readyz")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


def _count(text: str, endpoint: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith("erp_http_requests_total{") and f'endpoint="{endpoint}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.mark.skipif(PROMETHEUS is None or PROMTOOL is None, reason="Debian package prometheus is not installed: make system-deps")
def test_two_workers_count_every_request_once_and_prometheus_records_them(database_url, app, tmp_path):
    server = Gunicorn(database_url, tmp_path)
    prometheus = None
    try:
        sent = 0
        session = requests.Session()

        def one(_):
            return requests.get(f"{server.url}/healthz", timeout=10).status_code  # a new connection each

        def workers_served():
            return {p.name.rsplit("_", 1)[-1] for p in server.metrics_dir.iterdir() if p.name.startswith("counter_")}

        # Batches of parallel requests until both workers have answered some (one idle worker
        # can otherwise take every connection of a sequential client on a busy machine).
        with ThreadPoolExecutor(max_workers=8) as pool:
            while sent < 40 or (len(workers_served()) < 2 and sent < 400):
                assert list(pool.map(one, range(20))) == [200] * 20
                sent += 20
        # Whichever worker answers a scrape, it reports the requests of both.
        for _ in range(6):
            answer = session.get(f"{server.url}/metrics", timeout=10, headers={"Connection": "close"})
            assert answer.status_code == 200
            assert _count(answer.text, "/healthz") == sent
        checked = subprocess.run([PROMTOOL, "check", "metrics"], input=answer.text, capture_output=True, text=True,  # nosec B603
                                 timeout=60)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        files = sorted(p.name for p in server.metrics_dir.iterdir())
        assert "counter_999999.db" not in files  # emptied at start
        assert len({name.rsplit("_", 1)[-1] for name in files if name.startswith("counter_")}) == 2, files

        # A real Prometheus scrapes it every second; the count it records equals the requests sent.
        port = _free_port()
        config = tmp_path / "prometheus.yml"
        config.write_text(textwrap.dedent(f"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: erp
                static_configs:
                  - targets: ["{HOST}:{server.port}"]
        """))
        prometheus_log = open(tmp_path / "prometheus.log", "wb")
        prometheus = subprocess.Popen(  # nosec B603
            [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address={HOST}:{port}", "--web.enable-lifecycle"],
            stdout=prometheus_log, stderr=subprocess.STDOUT, start_new_session=True)
        query = 'sum(erp_http_requests_total{job="erp",endpoint="/healthz"})'
        deadline = time.monotonic() + 60
        recorded = None
        while time.monotonic() < deadline:
            assert prometheus.poll() is None, (tmp_path / "prometheus.log").read_text()[-3000:]
            try:
                data = requests.get(f"http://{HOST}:{port}/api/v1/query", params={"query": query}, timeout=5).json()
                result = data["data"]["result"]
                if result:
                    recorded = float(result[0]["value"][1])
                    break
            except (requests.ConnectionError, ValueError, KeyError):
                pass
            time.sleep(0.5)
        assert recorded == sent, (tmp_path / "prometheus.log").read_text()[-3000:]
        up = requests.get(f"http://{HOST}:{port}/api/v1/query", params={"query": 'up{job="erp"}'}, timeout=5).json()
        assert up["data"]["result"][0]["value"][1] == "1"
    finally:
        if prometheus is not None and prometheus.poll() is None:
            os.killpg(prometheus.pid, signal.SIGTERM)
            try:
                prometheus.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(prometheus.pid, signal.SIGKILL)
                prometheus.wait(timeout=10)
        server.stop()
    # Stopping the workers added their last counts to the per-minute rows: every request once.
    from erp.extensions import db

    with app.app_context():
        healthz = db.session.execute(sa.select(sa.func.sum(OpsMinute.requests)).where(
            OpsMinute.instance == "gunicorn-test", OpsMinute.endpoint == "/healthz")).scalar()
        assert healthz == sent


# --- the operations page ---------------------------------------------------------------------------

def _rising_error_rate(app) -> None:
    """20 minutes up to NOW of 1,000 quick requests each, of which i fail in minute i: the error
    rate rises by 0.1 % a minute to 1.9 %; least squares is exact on a line, so it reaches the
    5 % threshold (0.05 - 0.019) / 0.001 = 31 minutes after NOW."""
    rows = []
    for i in range(20):
        minute = NOW - timedelta(minutes=19 - i)
        rows.append(_row(minute, instance="web-1", requests=600, errors=i, apdex_satisfied=600, b_50ms=600,
                         duration_ms_sum=600 * 30))
        rows.append(_row(minute, instance="web-2", endpoint="/complaints/", requests=400, apdex_satisfied=400,
                         b_100ms=400, duration_ms_sum=400 * 80))
    _seed(app, rows)


def test_the_dashboard_sums_instances_and_warns_before_a_threshold(app, client, make_user, monkeypatch):
    monkeypatch.setattr(dashboard, "utcnow", lambda: NOW)
    _rising_error_rate(app)
    with app.app_context():
        (error_rate,) = [p for p in dashboard.predictions() if p.metric == "error_rate"]
        assert error_rate.value == pytest.approx(0.019) and error_rate.seconds == pytest.approx(31 * 60)
        overview = dashboard.overview("hour")
        # 20 minutes of 1,000 requests: 20,000 in the hour, 190 errors (0 + 1 + … + 19).
        assert overview.total.requests == 20000 and overview.total.errors == 190
        assert overview.total.mean_ms == pytest.approx((12000 * 30 + 8000 * 80) / 20000)
        assert dict((n, t.requests) for n, t in overview.instances) == {"web-1": 12000, "web-2": 8000}
        # Per instance and minute: 600 / 60 s = 10 and 400 / 60 s = 6.67 requests a second.
        assert {n: (s[-1], s[0]) for n, s in overview.instance_tps.items()} == {"web-1": (10, 0), "web-2": (pytest.approx(6.6667, abs=1e-3), 0)}
        # p95 of 12,000 in (25, 50] ms and 8,000 in (50, 100] ms: rank 19,000 lies 7,000 into the
        # second bucket: 50 + 50 * 7000 / 8000 = 93.75 ms.
        assert overview.total.p95_ms == pytest.approx(93.75)
    make_user("ops", roles=["sysadmin"])
    make_user("clerk", roles=["rates_clerk"])
    login(client, "clerk")
    assert client.get("/ops/").status_code == 403
    client = app.test_client()
    login(client, "ops")
    page = client.get("/ops/?period=hour").get_data(as_text=True)
    assert "오류율이 약 31분 후 5%를 넘을 것으로 예상됩니다." in page
    assert "20,000" in page and "web-1" in page and "web-2" in page
    assert client.get("/ops/?period=day").status_code == 200
    assert client.get("/ops/?period=week").status_code == 200
    assert client.get("/ops/?period=year").status_code == 404


def test_the_warning_clears_itself_when_the_trend_turns(app, monkeypatch):
    monkeypatch.setattr(dashboard, "utcnow", lambda: NOW)
    rows = [_row(NOW - timedelta(minutes=19 - i), requests=1000, errors=19 - i, apdex_satisfied=1000, b_50ms=1000)
            for i in range(20)]
    _seed(app, rows)
    with app.app_context():
        (error_rate,) = [p for p in dashboard.predictions() if p.metric == "error_rate"]
        assert error_rate.seconds is None and not error_rate.warning


# --- following one request ------------------------------------------------------------------------

def test_a_job_runs_under_the_request_id_that_queued_it(app, capsys):
    from erp import jobs
    from erp.extensions import db
    from erp.jobs.models import Job
    from erp.ops.logs import current_request_id, request_id_of

    seen = []
    queue = app.extensions["erp_jobs"]
    extra = jobs.JobSet()

    @extra.job("test.follow")
    def follow(job):
        seen.append(current_request_id())
        import logging

        logging.getLogger("test.follow").warning("working for the citizen")
        return "ok"

    queue.add(extra)
    with app.app_context(), request_id_of("citizen-request-42"):
        job_id = jobs.enqueue("test.follow")  # immediate queue: runs here once committed
        assert db.session.get(Job, job_id).request_id == "citizen-request-42"
    capsys.readouterr()
    # A worker runs it in no request at all: the id comes back from the job's row.
    from erp.jobs.services import execute

    with app.app_context():
        db.session.execute(sa.update(Job).where(Job.id == job_id).values(status="pending"))
        db.session.commit()
        assert current_request_id() == ""
        execute(job_id)
    assert seen == ["citizen-request-42", "citizen-request-42"]
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert any(line.get("message") == "working for the citizen" and line.get("request_id") == "citizen-request-42"
               for line in lines)


def test_a_traceparent_names_the_request_when_no_request_id_is_sent(client):
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    answer = client.get("/healthz", headers={"traceparent": f"00-{trace}-00f067aa0ba902b7-01"})
    assert answer.headers["X-Request-ID"] == trace
    assert client.get("/healthz", headers={"X-Request-ID": "gw-1", "traceparent": f"00-{trace}-00f067aa0ba902b7-01"}) \
        .headers["X-Request-ID"] == "gw-1"


def test_a_port_call_made_by_a_job_carries_the_request_id(app_factory, monkeypatch):
    """Over HTTP, a port call of work done for a request — here a job's, outside any request —
    sends the request's id as X-Request-ID and inside the signed service token."""
    from erp import ports
    from erp.ops.logs import request_id_of
    from erp.ports import client
    from erp.ports.tokens import verify

    key = "k" * 40
    app = app_factory(ERP_PLUGINS=["complaints"], ERP_PORTS={"accounting": "http://127.0.0.1:9"}, ERP_SERVICE_KEY=key)
    sent = []

    class Answer:
        status = 503
        data = b'{"message": "busy"}'

    class Pool:
        def request(self, method, url, body, headers, retries, timeout):
            sent.append((headers, body))
            return Answer()

    monkeypatch.setattr(client, "_pool", lambda: Pool())
    with app.app_context(), request_id_of("citizen-request-7"):
        with pytest.raises(ports.PortError):
            ports.get("accounting").entry_date_is_open(datetime(2026, 11, 26).date())
    ((headers, body),) = sent
    assert headers["X-Request-ID"] == "citizen-request-7"
    token = headers["Authorization"].removeprefix("Bearer ")
    assert verify(key, token, "accounting.entry_date_is_open", 60, body).request_id == "citizen-request-7"


def test_under_several_workers_the_requests_in_flight_are_published_once_a_second():
    """The gauge of requests in flight, kept in the process and written to the (memory-mapped)
    gauge once a second, not twice a request: it shows what is in flight within about a second."""
    from prometheus_client import REGISTRY

    from erp.ops.metrics import _SampledInFlight

    def shown():
        return REGISTRY.get_sample_value("erp_http_requests_in_flight")

    before = shown()
    sampled = _SampledInFlight()

    def wait_for(value):
        deadline = time.monotonic() + 5
        while shown() != value and time.monotonic() < deadline:
            time.sleep(0.05)
        return shown()

    sampled.inc()
    sampled.inc()
    assert wait_for(2) == 2
    sampled.dec()
    sampled.dec()
    assert wait_for(0) == 0
    from erp.ops.metrics import IN_FLIGHT

    IN_FLIGHT.set(before or 0)  # as the test found it
