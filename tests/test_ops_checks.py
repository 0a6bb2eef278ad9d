"""Service checks from the user's point of view and the SLA reports (issue 13 items 5 and 6)."""
from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pathlib import Path

import pytest
import sqlalchemy as sa

from gunicorn_support import wait_until_healthy
from conftest import PASSWORD, login, post_form
from erp.common import clock
from erp.extensions import db
from erp.ops import checks, sla
from erp.ops.models import BUCKET_COLUMNS, OpsCheck, OpsCheckResult, OpsMinute

ROOT = Path(__file__).resolve().parent.parent


class Stub:
    """A site on a free loopback port answering the statuses it is told, in turn (the last one
    repeats), with a page that says "water" (/slow after 200 ms); it counts its requests."""

    def __init__(self):
        self.statuses = [200]
        self.seen = 0
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 -- http.server's name
                if self.path == "/slow":
                    time.sleep(0.2)
                status = stub.statuses[min(stub.seen, len(stub.statuses) - 1)]
                stub.seen += 1
                body = ("<p>water</p>" if status == 200 else "<p>broken</p>").encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def stub():
    site = Stub()
    yield site
    site.close()


@pytest.fixture
def check_app(app_factory, stub):
    return app_factory(ERP_CHECK_BASE_URL=stub.url, ERP_CHECK_TIMEOUT=5)


def _add_check(app, name="home", service="core", steps=None, **kwargs):
    with app.app_context():
        steps = steps or checks.url_steps("/", 200, "water", None)
        return checks.save_check(None, name=name, service=service, steps=steps, **kwargs).id


def test_a_check_that_fails_then_recovers_gives_availability_and_the_outage(check_app, stub, monkeypatch, caplog):
    app = check_app
    check_id = _add_check(app)
    # One good run, three failures (500), then two good ones; a run every five minutes from
    # 2026-11-02 12:00 in Korea (03:00 UTC).
    stub.statuses = [200, 500, 500, 500, 200]
    start = datetime(2026, 11, 2, 3, 0)
    with app.app_context(), caplog.at_level(logging.WARNING, logger="erp.ops.checks"):
        for run in range(6):
            monkeypatch.setattr(clock, "utcnow", lambda run=run: start + timedelta(minutes=5 * run, seconds=7))
            result = checks.run_check(check_id)
            assert result.ok == (run in (0, 4, 5))
        failures = [r for r in caplog.records if "service check home (core) failed" in r.getMessage()]
        assert len(failures) == 3 and "answered 500, expected 200" in failures[0].getMessage()
        stored = db.session.execute(sa.select(OpsCheckResult).order_by(OpsCheckResult.at)).scalars().all()
        assert [(r.ok, r.status) for r in stored] == [(True, 200), (False, 500), (False, 500), (False, 500),
                                                      (True, 200), (True, 200)]
        report = sla.report("day", date(2026, 11, 2))
    assert stub.seen == 6
    (line,) = report.checks
    # 3 of 6 runs succeeded; the outage lasted from the first failure (03:05) to the recovery (03:20).
    assert (line.runs, line.failures, line.availability) == (6, 3, 50.0)
    assert line.longest_outage_seconds == 15 * 60
    assert line.budget_used == pytest.approx(50.0 / 0.1 * 100)
    # The next day saw no runs.
    with app.app_context():
        assert sla.report("day", date(2026, 11, 3)).checks[0].runs == 0


def test_a_check_reports_missing_text_slowness_and_an_unreachable_site(check_app, stub):
    app = check_app
    with app.app_context():
        text_id = checks.save_check(None, name="text", service="core", steps=checks.url_steps("/", 200, "sewage", None)).id
        slow_id = checks.save_check(None, name="slow", service="core", steps=json.dumps(
            [{"method": "GET", "path": "/slow", "status": 200, "max_ms": 100}])).id
        gone_id = checks.save_check(None, name="gone", service="core",
                                    steps=checks.url_steps("http://127.0.0.1:9/", 200, "", None)).id
        assert checks.run_check(text_id).message == "step 1: GET / lacks 'sewage'"
        # /slow sleeps 200 ms before it answers.
        assert "more than 100 ms" in checks.run_check(slow_id).message
        gone = checks.run_check(gone_id)
        assert not gone.ok and gone.status is None and "ConnectionError" in gone.message


def test_every_ready_made_check_is_valid_and_the_page_offers_it(app, client, make_user):
    with app.app_context():
        offered = checks.ready_made()
        assert [(o["name"], o["service"]) for o in offered] == [
            ("login", "core"), ("complaints-lookup", "complaints"), ("rates-calculator", "rates")]
        for offer in offered:
            assert checks.parse_steps(offer["steps"])
    make_user("ops", roles=["sysadmin"])
    login(client, "ops")
    assert "rates-calculator" in client.get("/ops/checks").get_data(as_text=True)
    form = client.get("/ops/checks/new?ready=2").get_data(as_text=True)
    assert 'value="rates-calculator"' in form and "/rates/calculator?use_type=household" in form
    assert client.get("/ops/checks/new?ready=9").status_code == 404


def test_ready_made_scenarios_pass_against_the_application(app_factory, make_user, database_url, tmp_path):
    """The login scenario and the bill calculator's, against the application itself served by a
    real gunicorn on loopback; a wrong password fails the scenario at its second step."""
    from plugins.rates.demo import load_tariff

    make_user("probe", roles=["sysadmin"])
    with app_factory().test_request_context():
        load_tariff()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key", "ERP_QUEUE_URL": "immediate",
           "ERP_STORAGE_DIR": str(tmp_path / "storage"), "ERP_INSTANCE_DIR": str(tmp_path), "ERP_LOG_LEVEL": "WARNING",
           "PYTHONPATH": str(ROOT)}
    for name in ("ERP_PORTS", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS", "PROMETHEUS_MULTIPROC_DIR"):
        env.pop(name, None)
    log_path = tmp_path / "gunicorn.log"
    log = open(log_path, "wb")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                               "--timeout", "30", "wsgi:app"], cwd=ROOT, env=env, stdout=log,  # nosec B603
                              stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(server, base, log_path)
        app = app_factory(ERP_CHECK_BASE_URL=base, ERP_CHECK_USER="probe", ERP_CHECK_PASSWORD=PASSWORD)
        steps = json.dumps([
            {"method": "GET", "path": "/login", "status": 200},
            {"method": "POST", "path": "/login", "form": {"username": "{check_user}", "password": "{check_password}"},
             "status": 302},
            {"method": "GET", "path": "/ops/", "status": 200, "text": "APDEX", "max_ms": 10000},
        ])
        wrong = steps.replace("{check_password}", "not-the-password")
        with app.app_context():
            good = checks.save_check(None, name="login", service="core", steps=steps).id
            bad = checks.save_check(None, name="bad login", service="core", steps=wrong).id
            passed = checks.run_check(good)
            assert passed.ok, passed.message
            offered = {offer["name"]: offer for offer in checks.ready_made()}
            for offer in (offered["login"], offered["rates-calculator"]):
                check_id = checks.save_check(None, name="ready " + offer["name"], service=offer["service"],
                                             steps=json.dumps(offer["steps"])).id
                passed = checks.run_check(check_id)
                assert passed.ok, passed.message
            failed = checks.run_check(bad)
            assert not failed.ok and failed.message.startswith("step 2: POST /login answered 200, expected 302")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()


NOTICES = []


def collect_notice(check, result):
    """A notice sender for the tests (ERP_CHECK_NOTICE_SENDER="test_ops_checks:collect_notice")."""
    NOTICES.append((check.name, result.status, result.message))


def test_flask_ops_check_all_is_a_post_deploy_gate(app_factory, stub):
    app = app_factory(ERP_CHECK_BASE_URL=stub.url, ERP_CHECK_NOTICE_SENDER="test_ops_checks:collect_notice")
    NOTICES.clear()
    _add_check(app, name="home")
    _add_check(app, name="calculator", service="rates")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ops", "check", "--all"])
    assert result.exit_code == 0, result.output
    assert "2 checks, 0 failed" in result.output
    # Just run: nothing is due for five minutes.
    result = runner.invoke(args=["ops", "check"])
    assert result.exit_code == 0 and "0 checks, 0 failed" in result.output
    stub.statuses = [503]
    stub.seen = 0
    result = runner.invoke(args=["ops", "check", "--all"])
    assert result.exit_code == 1
    assert "FAIL rates/calculator" in result.output and "2 checks, 2 failed" in result.output
    # Only the failures reached the notice sender.
    assert sorted(NOTICES) == [("calculator", 503, "step 1: GET / answered 503, expected 200"),
                               ("home", 503, "step 1: GET / answered 503, expected 200")]


def test_the_worker_job_runs_the_checks_that_are_due(check_app, stub, monkeypatch):
    from flask_babel import force_locale

    from erp.jobs.messages import render
    from erp.ops import tasks

    app = check_app
    check_id = _add_check(app, interval_minutes=5)
    start = datetime(2026, 11, 2, 3, 0)
    with app.test_request_context("/"):
        for minute, expected in ((0, "1 check run"), (1, "0 checks run"), (4, "0 checks run"), (5, "1 check run")):
            monkeypatch.setattr(clock, "utcnow", lambda minute=minute: start + timedelta(minutes=minute))
            result = tasks.checks_job(None)  # stored as a message; shown in the reader's language
            with force_locale("en"):
                assert render(result) == f"{expected}, none failed"
            with force_locale("ko"):
                assert render(result) == f"점검 {expected.split()[0]}건, 실패 없음"
        assert db.session.get(OpsCheck, check_id).last_run_at == start + timedelta(minutes=5)


# --- the monthly report of a seeded month ------------------------------------------------------

def _minute(at, endpoint, requests, satisfied, tolerating):
    row = dict(minute=at, instance="web-1", endpoint=endpoint, requests=requests, errors=0, client_errors=0,
               duration_ms_sum=0, apdex_satisfied=satisfied, apdex_tolerating=tolerating)
    row.update({column: 0 for column in BUCKET_COLUMNS})
    return row


def _seed_month(app):
    """November 2026 in Korea: 2026-10-31 15:00 to 2026-11-30 15:00 UTC."""
    with app.app_context():
        login_id = checks.save_check(None, name="login", service="core", steps=checks.url_steps("/login", 200, "", None)).id
        calc_id = checks.save_check(None, name="calculator", service="rates",
                                    steps=checks.url_steps("/rates/calculator", 200, "", None)).id
        start = datetime(2026, 11, 10, 0, 0)
        rows = []
        # login: 20 runs five minutes apart taking 10, 20 … 200 ms; runs 5-7 and 15 fail.
        for i in range(1, 21):
            rows.append(dict(check_id=login_id, at=start + timedelta(minutes=5 * (i - 1)), ok=i not in (5, 6, 7, 15),
                             status=200, duration_ms=10 * i, message=""))
        # calculator: 4 good runs of 50-80 ms; and one failure on each side of the month.
        for i, ms in enumerate((50, 60, 70, 80)):
            rows.append(dict(check_id=calc_id, at=start + timedelta(days=i), ok=True, status=200, duration_ms=ms, message=""))
        rows.append(dict(check_id=calc_id, at=datetime(2026, 10, 31, 14, 59), ok=False, status=500, duration_ms=9000, message="x"))
        rows.append(dict(check_id=calc_id, at=datetime(2026, 11, 30, 15, 0), ok=False, status=500, duration_ms=9000, message="x"))
        db.session.execute(sa.insert(OpsCheckResult), rows)
        minutes = [
            _minute(datetime(2026, 11, 5, 1, 0), "/login", 100, 80, 10),
            _minute(datetime(2026, 11, 5, 1, 0), "/rates/calculator", 50, 40, 10),
            _minute(datetime(2026, 11, 6, 2, 0), "/api/rates/quote", 50, 50, 0),
            # Outside the month (2026-10-31 23:59 and 2026-12-01 00:00 in Korea).
            _minute(datetime(2026, 10, 31, 14, 59), "/login", 1000, 0, 0),
            _minute(datetime(2026, 11, 30, 15, 0), "/login", 1000, 0, 0),
        ]
        db.session.execute(sa.insert(OpsMinute), minutes)
        db.session.commit()


def test_the_monthly_report_of_a_seeded_month(app_factory, make_user):
    app = app_factory(ERP_SLA_TARGET=95)
    _seed_month(app)
    with app.app_context():
        report = sla.report("month", date(2026, 11, 17))
    assert (report.start, report.end) == (date(2026, 11, 1), date(2026, 12, 1))
    lines = {line.name: line for line in report.checks}
    login_line, calc = lines["login"], lines["calculator"]
    # login: 16 of 20 good = 80 %; (100 - 80) / (100 - 95) = 400 % of the budget; the outage of
    # runs 5-7 lasts from run 5 to run 8 (15 minutes); p95 is the 19th of 20 times (nearest rank).
    assert (login_line.runs, login_line.failures, login_line.availability) == (20, 4, 80.0)
    assert login_line.budget_used == pytest.approx(400.0)
    assert login_line.longest_outage_seconds == 900
    assert login_line.p95_ms == 190
    assert (calc.runs, calc.failures, calc.availability, calc.budget_used, calc.longest_outage_seconds, calc.p95_ms) == (
        4, 0, 100.0, 0.0, 0, 80)
    # APDEX: core (80 + 10 / 2) / 100 = 0.85; rates (40 + 10 / 2 + 50) / 100 = 0.95; all 180 / 200.
    assert login_line.apdex == pytest.approx(0.85) and calc.apdex == pytest.approx(0.95)
    assert report.apdex == pytest.approx(0.9)
    services = {line.service: line for line in report.services}
    assert (services["core"].runs, services["rates"].runs) == (20, 4)

    make_user("ops", roles=["sysadmin"])
    client = app.test_client()
    login(client, "ops")
    page = client.get("/ops/sla?period=month&day=2026-11-17").get_data(as_text=True)
    row = re.search(r'<tr data-check="login">(.*?)</tr>', page, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells == ["login", "core", "20", "4", "80.000", "400.0", "0:15:00", "190", "0.850"]
    assert "2026-11-01 ~ 2026-11-30" in page and '<span id="sla-apdex">0.900</span>' in page
    assert "월간" in page and "가용률" in page

    pdf = client.get("/ops/sla.pdf?period=month&day=2026-11-17")
    assert pdf.status_code == 200 and pdf.content_type == "application/pdf"
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode()
    assert "서비스 수준 보고서" in text and "한빛시 상수도사업소" in text
    assert re.search(r"login\s+core\s+20\s+4\s+80\.000\s+400\.0\s+0:15:00\s+190\s+0\.850", text), text


def test_the_pages_answer_administrators_and_refuse_others(app, client, make_user):
    make_user("ops", roles=["sysadmin"])
    make_user("clerk", roles=["rates_clerk"])
    login(client, "clerk")
    for url in ("/ops/checks", "/ops/checks/new", "/ops/sla", "/ops/sla.pdf"):
        assert client.get(url).status_code == 403, url
    client = app.test_client()
    login(client, "ops")
    assert client.get("/ops/sla?period=day&day=2026-11-02").status_code == 200
    assert client.get("/ops/sla?period=week").status_code == 200
    assert client.get("/ops/sla?period=year").status_code == 404
    assert client.get("/ops/sla?day=yesterday").status_code == 400
    assert client.get("/ops/sla.pdf?period=week&day=2026-11-04").data.startswith(b"%PDF")

    # A URL check from the form, then a scenario with broken steps: a form error, nothing saved.
    saved = post_form(client, "/ops/checks/new", {"name": "home", "service": "core", "url": "/", "expected_status": "200",
                                                  "expected_text": "상수도", "max_ms": "2000", "interval_minutes": "5",
                                                  "active": "y"}, follow=True)
    assert saved.status_code == 200 and "home" in saved.get_data(as_text=True)
    bad = post_form(client, "/ops/checks/new", {"name": "scenario", "service": "core", "interval_minutes": "5",
                                                "steps": '[{"method": "PUT", "path": "/"}]'})
    assert bad.status_code == 400 and "step 1: method must be one of GET, POST, HEAD" in bad.get_data(as_text=True)
    empty = post_form(client, "/ops/checks/new", {"name": "empty", "service": "core", "interval_minutes": "5"})
    assert empty.status_code == 400
    with app.app_context():
        (check,) = checks.list_checks()
        assert json.loads(check.steps) == [{"method": "GET", "path": "/", "status": 200, "text": "상수도", "max_ms": 2000}]
        check_id = check.id
    edit = client.get(f"/ops/checks/{check_id}").get_data(as_text=True)
    assert 'value="상수도"' in edit
    assert client.get("/ops/checks/999").status_code == 404


def test_an_administrator_runs_and_deletes_a_check_on_its_page(check_app, stub, make_user):
    app = check_app
    check_id = _add_check(app, name="home")
    make_user("ops", roles=["sysadmin"])
    client = app.test_client()
    login(client, "ops")
    page = f"/ops/checks/{check_id}"
    ran = post_form(client, f"{page}/run", {}, page=page, follow=True).get_data(as_text=True)
    assert "점검을 통과했습니다." in ran and "통과" in ran
    stub.statuses = [500]
    ran = post_form(client, f"{page}/run", {}, page=page, follow=True).get_data(as_text=True)
    assert "점검에 실패했습니다: step 1: GET / answered 500, expected 200" in ran
    listing = client.get("/ops/checks").get_data(as_text=True)
    assert "home" in listing and "실패: step 1: GET / answered 500" in listing
    gone = post_form(client, f"{page}/delete", {}, page=page, follow=True)
    assert "점검을 삭제했습니다." in gone.get_data(as_text=True)
    with app.app_context():
        assert checks.list_checks() == []
        assert db.session.execute(sa.select(sa.func.count()).select_from(OpsCheckResult)).scalar() == 0
    assert client.get(page).status_code == 404


def test_periods_follow_the_office_calendar_and_an_open_outage_runs_to_the_periods_end():
    # 2026-11-18 is a Wednesday: its ISO week runs Monday 16 to Sunday 22.
    assert sla.bounds("week", date(2026, 11, 18)) == (date(2026, 11, 16), date(2026, 11, 23))
    assert sla.bounds("month", date(2026, 12, 31)) == (date(2026, 12, 1), date(2027, 1, 1))
    assert sla.bounds("day", date(2026, 11, 18)) == (date(2026, 11, 18), date(2026, 11, 19))
    t = datetime(2026, 11, 18, 14, 0)
    runs = [(t, True), (t + timedelta(minutes=5), False), (t + timedelta(minutes=10), True),
            (t + timedelta(minutes=50), False), (t + timedelta(minutes=55), False)]
    # The last failures are still an outage when the period ends at 15:00: 10 minutes, not 5.
    assert sla.longest_outage(runs, datetime(2026, 11, 18, 15, 0)) == 600
    assert sla.longest_outage(runs[:3], datetime(2026, 11, 18, 15, 0)) == 300
    assert sla.percentile([], 0.95) is None and sla.percentile([7], 0.95) == 7
    assert sla.service_of("/api/rates/quote", {"rates"}) == "rates"
    assert sla.service_of("/rates/customers/<id:customer_id>", {"complaints"}) == "core"
    assert sla.service_of("/login", {"rates"}) == "core"
