"""The local deployments, started and stopped by their scripts against MariaDB, behind nginx on
loopback: two monolith replicas that share a login, and the split deployment (the core and one
service per plugin, each plugin in its own database) whose gateway serves every page and the
workflows that cross plugins — and the drill of a complaint's billing action while the rates
service is down. Each test starts its own deployment on free ports and stops it, also on failure.
"""
from __future__ import annotations

import re
import socket
import time
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa
from conftest import csrf_from
from deploy_support import Deployment, alive, links, log_in

pytestmark = pytest.mark.mariadb

REDIS_URL = "redis://127.0.0.1:6379/15"
PLUGINS = ("accounting", "budget", "complaints", "rates")


def _closed(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex((parts.hostname, parts.port)) != 0


@pytest.fixture
def redis_queue():
    """The replicas' queue on Redis (as monolith.sh uses with more than one replica), under a
    name of this test's own, emptied afterwards."""
    import redis

    from erp.jobs.queue import make_huey

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {error}")
    name = f"erp-deploy-{uuid.uuid4().hex[:10]}"
    yield {"ERP_QUEUE_URL": REDIS_URL, "ERP_QUEUE_NAME": name}
    make_huey(REDIS_URL, name).storage.flush_all()
    client.close()


# --- monolith × 2 -------------------------------------------------------------------------------

def test_two_replicas_behind_nginx_keep_one_login_and_stop_with_everything_they_started(tmp_path, redis_queue):
    if not Path("/usr/sbin/nginx").exists():
        pytest.fail("nginx is not installed (make system-deps installs it)")
    deployment = Deployment("monolith", tmp_path, env=redis_queue)
    try:
        printed = deployment.start("2")
        state = deployment.state
        url, replicas = state["url"], state["replicas"]
        assert url in printed and all(replica in printed for replica in replicas) and len(set(replicas)) == 2
        ready = requests.get(f"{url}/readyz", timeout=10)
        assert ready.status_code == 200 and ready.json()["status"] == "ready"
        assert set(deployment.pids()) == {"nginx", "web-1", "web-2", "worker"}

        browser = requests.Session()
        assert log_in(browser, url, "admin").status_code == 302
        # nginx spreads requests over both replicas; both know the user
        answered = {browser.get(f"{url}/", timeout=10).headers["X-ERP-Upstream"] for _ in range(6)}
        assert answered == {replica.removeprefix("http://") for replica in replicas}
        for index, replica in enumerate(replicas, start=1):
            page = browser.get(f"{url}/", headers={"X-ERP-Replica": str(index)}, allow_redirects=False, timeout=10)
            assert page.status_code == 200 and "시스템관리자" in page.text
            assert page.headers["X-ERP-Upstream"] == replica.removeprefix("http://")
            direct = browser.get(f"{replica}/admin/users", allow_redirects=False, timeout=10)
            assert direct.status_code == 200 and "시스템관리자" in direct.text

        # A bill run asked for through nginx is billed by the worker, which takes it from Redis.
        _bill_run_through(url, deployment.spec("web-1")["env"]["DATABASE_URL"])

        # Logged out through one replica, the browser is asked to log in by the other.
        home = browser.get(f"{url}/", headers={"X-ERP-Replica": "2"}, timeout=10).text
        out = browser.post(f"{url}/logout", data={"csrf_token": csrf_from(home)}, headers={"X-ERP-Replica": "2"},
                           allow_redirects=False, timeout=10)
        assert out.status_code == 302
        after = browser.get(f"{url}/", headers={"X-ERP-Replica": "1"}, allow_redirects=False, timeout=10)
        assert after.status_code == 302 and "/login" in after.headers["Location"]

        pids = deployment.pids()
    finally:
        deployment.close()
    assert all(not alive(pid) for pid in pids.values())
    assert _closed(url) and all(_closed(replica) for replica in replicas)
    assert not (deployment.run_dir / "state.json").exists()


def _bill_run_through(url: str, database_url: str) -> None:
    from erp import create_app
    from erp.audit.services import acting_as
    from erp.auth import services as auth
    from erp.auth.models import Role
    from erp.extensions import db
    from plugins.rates.demo import load_tariff
    from test_rates_billing import _customer

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "ERP_QUEUE_URL": "immediate"})
    with app.test_request_context(), acting_as(None, "test"):
        clerk = db.session.execute(sa.select(Role.id).where(Role.code == "rates_clerk")).scalar_one()
        auth.create_user("clerk", "한요금", "Waterworks-2026", role_ids=[clerk])
        load_tariff()
        _customer("김일번", 21)
    _dispose(app)
    clerk = requests.Session()
    assert log_in(clerk, url, "clerk").status_code == 302
    form = clerk.get(f"{url}/rates/bill-runs", timeout=30).text
    started = clerk.post(f"{url}/rates/bill-runs", data={
        "csrf_token": csrf_from(form), "period": "2026-10", "cycle": "monthly", "route_code": "", "issued_on": "2026-11-10"},
        allow_redirects=False, timeout=60)
    assert started.status_code == 302, started.text
    run_page = urlsplit(started.headers["Location"]).path
    deadline = time.monotonic() + 60
    while True:
        page = clerk.get(f"{url}{run_page}", timeout=30).text
        if re.search(r"전표 \d{4}-JE-\d{6}\(으\)로 전기", page):
            break
        assert time.monotonic() < deadline, f"the worker did not bill and post the run within 60 s:\n{page[-3000:]}"
        time.sleep(0.5)
    assert "22,130" in page


# --- split --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def split(tmp_path_factory):
    deployment = Deployment("split", tmp_path_factory.mktemp("split"))
    try:
        deployment.printed = deployment.start()
        yield deployment
    finally:
        deployment.close()


def _service_app(deployment: Deployment, plugin: str | None):
    """An application configured as the service of ``plugin`` (None: the core), to put test data
    where that service keeps it."""
    from erp import create_app
    from erp.config import _ports

    env = deployment.spec(f"web-{plugin or 'core'}")["env"]
    config = {"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "ERP_PLUGINS": [plugin] if plugin else [],
              "ERP_PORTS": _ports(env["ERP_PORTS"]), "ERP_SERVICE_KEY": env["ERP_SERVICE_KEY"], "ERP_QUEUE_URL": "immediate"}
    if plugin:
        config["SQLALCHEMY_BINDS"] = {plugin: env[f"DATABASE_URL_{plugin.upper()}"]}
    return create_app(config)


def _dispose(app):
    from erp.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture(scope="module")
def town(split):
    """An official who holds every role, and a welfare customer of the rates service with a
    meter and two readings (the test data of tests/test_unit_of_work.py)."""
    from erp.audit.services import acting_as
    from erp.auth import services as auth
    from erp.auth.models import Role
    from erp.extensions import db

    core = _service_app(split, None)
    with core.app_context(), acting_as(None, "test"):
        roles = [role.id for role in db.session.execute(sa.select(Role)).scalars()]
        auth.create_user("chief", "전권자", "Waterworks-2026", role_ids=roles)
    _dispose(core)

    from plugins.rates.demo import load_tariff
    from plugins.rates.services import customers as customers_service
    from test_rates_billing import _customer

    rates = _service_app(split, "rates")
    with rates.test_request_context():
        load_tariff()
        customer = _customer("박복지", 15, reduction="WELFARE")
        customers_service.read(customer.id, date(2026, 11, 5), 1015 + 10)
        account = customer.account_no
    _dispose(rates)
    yield {"account": account}


def _plugin_db(split, plugin):
    return sa.create_engine(split.spec(f"web-{plugin}")["env"][f"DATABASE_URL_{plugin.upper()}"])


def test_split_answers_readyz_through_its_gateway_with_each_plugin_in_its_own_database(split):
    state = split.state
    assert state["url"] in split.printed
    assert set(state["services"]) == {"core", *PLUGINS}
    ready = requests.get(f"{state['url']}/readyz", timeout=10)
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    for name, url in state["services"].items():
        assert requests.get(f"{url}/readyz", timeout=10).json()["status"] == "ready", name
    # each plugin's tables are in its database only; the core's in the shared one
    core = sa.create_engine(split.spec("web-core")["env"]["DATABASE_URL"])
    try:
        core_tables = set(sa.inspect(core).get_table_names())
        assert "core_user" in core_tables and not any(t.startswith(PLUGINS) for t in core_tables)
        for plugin in PLUGINS:
            engine = _plugin_db(split, plugin)
            tables = set(sa.inspect(engine).get_table_names())
            engine.dispose()
            assert f"{plugin}_audit_log" in tables and all(t.startswith((plugin, "alembic_version")) for t in tables), plugin
    finally:
        core.dispose()
    assert {f"worker-{name}" for name in ("budget", "complaints", "rates")} <= set(split.pids())


def test_every_page_of_the_menus_answers_through_the_gateway_from_the_service_that_runs_it(split, town):
    url, services = split.state["url"], split.state["services"]
    official = requests.Session()
    assert log_in(official, url, "chief").status_code == 302
    home = official.get(f"{url}/", timeout=30)
    assert home.status_code == 200 and home.headers["X-ERP-Upstream"] == services["core"].removeprefix("http://")
    pages = links(home.text)  # every plugin's menu, though the core service loads none
    for plugin in PLUGINS:
        assert any(page.startswith(f"/{plugin}/") for page in pages), plugin
    seen = set(pages)
    for page in pages:
        answer = official.get(f"{url}{page}", allow_redirects=False, timeout=60)
        assert answer.status_code == 200, (page, answer.status_code)
        owner = page.split("/")[1] if page.split("/")[1] in PLUGINS else "core"
        assert answer.headers["X-ERP-Upstream"] == services[owner].removeprefix("http://"), page
        # a plugin's page shows the whole navigation too, with the links of the other services
        if owner != "core":
            assert all(f'href="/{other}/' in answer.text for other in PLUGINS), page
        if answer.headers["Content-Type"].startswith("text/html"):
            # and what those pages link to (details, statements, downloads): one level deeper
            deeper = [link for link in links(answer.text) if link not in seen and not link.startswith("/static/")]
            seen.update(deeper)
            for link in deeper:
                found = official.get(f"{url}{link}", allow_redirects=False, timeout=60)
                assert found.status_code in (200, 302), (page, link, found.status_code)
    assert len(seen) > 2 * len(pages)  # the crawl went past the menus
    # the settlement report of accounting asks budget (over HTTP) for its budget settlement
    settlement = official.get(f"{url}/accounting/reports/settlement", timeout=60)
    assert settlement.status_code == 200 and "<td>예산결산</td>" in settlement.text and "편철됩니다" not in settlement.text
    assert official.get(f"{url}/accounting/reports/trial-balance?format=pdf", timeout=60).content.startswith(b"%PDF")

    citizen = requests.Session()  # public pages and static files, without logging in
    for page in ("/rates/calculator", "/complaints/new", "/complaints/status", "/static/css/erp.css", "/login"):
        assert citizen.get(f"{url}{page}", allow_redirects=False, timeout=30).status_code == 200, page
    quote = citizen.post(f"{url}/api/rates/quote", json={"use_type": "household", "diameter": 13, "consumption": 21,
                                                         "period_start": "2026-11-01", "period_end": "2026-11-30"}, timeout=30)
    assert quote.status_code == 200 and quote.json()["total"] == 22_130


def _file_move_out(url: str, account: str) -> str:
    """A citizen files a move-out request through the gateway; returns its receipt number."""
    citizen = requests.Session()
    form = citizen.get(f"{url}/complaints/new", timeout=30).text
    receipt = citizen.post(f"{url}/complaints/new", data={
        "csrf_token": csrf_from(form), "type_code": "MOVE_OUT", "title": "이사 정산", "body": "11월 20일 이사합니다",
        "name": "박복지", "phone": "010-1234-5678", "customer_no": account, "agree": "y"}, timeout=30)
    assert receipt.status_code == 200 and "민원 접수 완료" in receipt.text
    return re.search(r"\d{4}-MW-\d{6}", receipt.text).group(0)


def test_a_complaint_billing_action_while_rates_is_down_changes_nothing_and_succeeds_once_rates_is_back(split, town):
    """The failure drill of the split deployment: the complaints service cannot reach rates."""
    url = split.state["url"]
    receipt = _file_move_out(url, town["account"])
    complaints = _plugin_db(split, "complaints")
    rates = _plugin_db(split, "rates")
    try:
        with complaints.connect() as conn:
            complaint_id = conn.execute(sa.text("SELECT id FROM complaints_complaint WHERE receipt_no = :r"), {"r": receipt}).scalar_one()

        def rates_state():
            with rates.connect() as conn:
                bills = conn.execute(sa.text("SELECT COUNT(*) FROM rates_bill WHERE reference = :r"), {"r": receipt}).scalar()
                readings = conn.execute(sa.text("SELECT COUNT(*) FROM rates_reading")).scalar()
                moved = conn.execute(sa.text("SELECT moved_out_on FROM rates_customer WHERE account_no = :a"),
                                     {"a": town["account"]}).scalar()
            return bills, readings, moved

        def links_of_complaint():
            with complaints.connect() as conn:
                return conn.execute(sa.text("SELECT COUNT(*) FROM complaints_billing_link WHERE complaint_id = :c"),
                                    {"c": complaint_id}).scalar()

        official = requests.Session()
        assert log_in(official, url, "chief").status_code == 302
        page = official.get(f"{url}/complaints/{complaint_id}", timeout=30).text
        action = {"csrf_token": csrf_from(page), "billing-on": "2026-11-20", "billing-final_reading": str(1015 + 14)}
        before = rates_state()
        assert before[0] == 0 and before[2] is None

        stopped = split.script("stop", "web-rates", "worker-rates", timeout=60)
        assert stopped.returncode == 0, stopped.stderr
        try:
            refused = official.post(f"{url}/complaints/{complaint_id}/billing", data=action, timeout=60)
            assert refused.status_code == 200
            assert "요금 시스템에 연결할 수 없어 고지서를 발행하지 않았고 아무것도 기록하지 않았습니다" in refused.text
            assert rates_state() == before and links_of_complaint() == 0
            # the other services keep answering
            assert official.get(f"{url}/accounting/entries", timeout=30).status_code == 200
        finally:
            started = split.script("start", "web-rates", "worker-rates", timeout=120)
        assert started.returncode == 0, started.stdout + started.stderr

        done = official.post(f"{url}/complaints/{complaint_id}/billing", data=action, timeout=60)
        assert done.status_code == 200 and "14,750" in done.text
        again = official.post(f"{url}/complaints/{complaint_id}/billing", data=action, timeout=60)  # a double click
        assert again.status_code == 200
        bills, readings, moved = rates_state()
        assert (bills, readings, moved) == (1, before[1] + 1, date(2026, 11, 20)) and links_of_complaint() == 1
    finally:
        complaints.dispose()
        rates.dispose()


def test_a_bill_run_started_through_the_gateway_is_billed_by_the_rates_worker_and_posted_to_accounting_over_http(split, town):
    """The outbox across services: the rates worker bills, its relay job delivers the run's
    posting to the accounting service over its HTTP port, and the run's page shows the entry."""
    from test_rates_billing import _customer

    rates_app = _service_app(split, "rates")
    with rates_app.test_request_context():
        _customer("김일번", 21)  # read on 2026-10-05: 21 ㎥, an October bill of 22,130 won
    _dispose(rates_app)

    url = split.state["url"]
    official = requests.Session()
    assert log_in(official, url, "chief").status_code == 302
    form = official.get(f"{url}/rates/bill-runs", timeout=30).text
    started = official.post(f"{url}/rates/bill-runs", data={
        "csrf_token": csrf_from(form), "period": "2026-10", "cycle": "monthly", "route_code": "", "issued_on": "2026-11-10"},
        allow_redirects=False, timeout=60)
    assert started.status_code == 302, started.text
    run_page = urlsplit(started.headers["Location"]).path
    deadline = time.monotonic() + 90
    while True:
        page = official.get(f"{url}{run_page}", timeout=30).text
        posted = re.search(r"전표 (\d{4}-JE-\d{6})\(으\)로 전기", page)
        if posted:
            break
        assert time.monotonic() < deadline, f"the run was not billed and posted within 90 s:\n{page[-3000:]}"
        time.sleep(0.5)
    accounting, rates = _plugin_db(split, "accounting"), _plugin_db(split, "rates")
    try:
        with accounting.connect() as conn:
            entry = conn.execute(sa.text("SELECT status FROM accounting_entry WHERE number = :n"),
                                 {"n": posted.group(1)}).scalar_one()
        with rates.connect() as conn:
            bill = conn.execute(sa.text("SELECT b.total FROM rates_bill b JOIN rates_customer c ON c.id = b.customer_id "
                                        "WHERE c.holder_name = '김일번' AND b.kind = 'regular'")).scalar_one()
    finally:
        accounting.dispose()
        rates.dispose()
    assert entry == "posted" and bill == 22_130
    # the entry is shown by the accounting service, through the gateway
    assert posted.group(1) in official.get(f"{url}/accounting/entries", timeout=30).text
