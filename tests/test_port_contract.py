"""Contract suite of the ports: the same tests of every port operation (results and refusals) run
against the in-process port and against the HTTP port of a live service — gunicorn on 127.0.0.1
serving the app on the same test database — and the HTTP side's own rules: service tokens,
bad bodies, retries only for idempotent operations, timeouts.

The module shares one database (one gunicorn for all its tests); each test starts from the rows
the migrations left (a reset by DELETE and re-insert, which the running server does not notice).
"""
from __future__ import annotations

import inspect
import json
import os
import signal
import socket
import subprocess  # nosec B404 - the suite serves the app's own WSGI entry point
import sys
import threading
import time
import typing
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from gunicorn_support import wait_until_healthy
import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from erp import create_app, ports
from erp.audit.services import acting_as
from erp.common.errors import ServiceError
from erp.extensions import db
from erp.plugins import discover, resolve
from erp.ports import tokens
from plugins.accounting.data import AccountBalance, CostLine, PostingLine, PostingRequest
from plugins.complaints.data import ComplaintSummary
from plugins.rates.data import BillInfo

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
KEY = "contract-suite-service-key-" + "0123456789abcdef" * 2
PLUGINS = ("accounting", "budget", "complaints", "rates")
Y = 2026


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


# --- the shared database and the live service ---------------------------------------------------

class SharedDatabase:
    """One migrated database for the module; :meth:`reset` puts back the migrations' rows. The
    audit trail is append-only (database triggers) and is left to grow: its chain stays whole."""

    def __init__(self, url: str):
        self.url = url
        self.engine = sa.create_engine(url)
        self.meta = sa.MetaData()
        self.meta.reflect(self.engine)
        for name in [t for t in self.meta.tables if t.endswith(("_audit_log", "_audit_head"))]:  # every service's chain
            self.meta.remove(self.meta.tables[name])
        with self.engine.connect() as conn:
            self.baseline = {t.name: [dict(r) for r in conn.execute(t.select()).mappings()] for t in self.meta.sorted_tables}

    def reset(self) -> None:
        with self.engine.begin() as conn:
            if self.engine.dialect.name != "sqlite":
                conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
            for table in reversed(self.meta.sorted_tables):
                conn.execute(table.delete())
            for table in self.meta.sorted_tables:
                if self.baseline[table.name]:
                    conn.execute(table.insert(), self.baseline[table.name])
            if self.engine.dialect.name != "sqlite":
                conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=1"))


@pytest.fixture(scope="module")
def shared(databases):
    database = SharedDatabase(databases.fresh())
    yield database
    database.engine.dispose()


@pytest.fixture(scope="module")
def service(shared, tmp_path_factory):
    """gunicorn (the deployment's settings, one worker) serving the app on the shared database."""
    from gunicorn.config import KNOWN_SETTINGS

    workdir = tmp_path_factory.mktemp("port-service")
    port = _free_port()
    no_control = ["--no-control-socket"] if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS) else []
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "--bind", f"{HOST}:{port}",
               "--workers", "1", "--threads", "4", *no_control, "wsgi:app"]
    env = {**os.environ, "DATABASE_URL": shared.url, "ERP_INSTANCE_DIR": str(workdir), "ERP_SERVICE_KEY": KEY,
           "ERP_SERVICE_NAME": "accounting-service", "SECRET_KEY": "port-service-secret", "ERP_LOG_LEVEL": "WARNING",
           "PYTHONPATH": str(ROOT)}
    for name in ("ERP_PORTS", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS"):
        env.pop(name, None)
    log_path = workdir / "gunicorn.log"
    log = open(log_path, "wb")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,  # nosec B603
                              start_new_session=True)
    url = f"http://{HOST}:{port}"
    try:
        wait_until_healthy(server, url, log_path)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()


def _app(url: str, tmp_path, **settings):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test-secret-key",
                       "ERP_STORAGE_DIR": str(tmp_path / "storage"), **settings})


@pytest.fixture
def local(shared, tmp_path):
    """The app with in-process ports, on the shared database reset to the migrations' rows; the
    tests prepare their data with it."""
    shared.reset()
    app = _app(shared.url, tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


class Caller:
    """Calls ports the way a plugin does: ``with caller.context(): caller.port("rates").bill(…)``."""

    def __init__(self, app, kind: str):
        self.app, self.kind = app, kind

    @contextmanager
    def context(self, request_id: str = ""):
        with self.app.test_request_context():
            if request_id:
                from flask import g

                g.request_id = request_id
            yield

    def port(self, name: str):
        return ports.get(name)


@pytest.fixture(params=["in-process", "http"])
def caller(request, local, tmp_path):
    if request.param == "in-process":
        yield Caller(local, "in-process")
        return
    url = request.getfixturevalue("service")
    app = _app(local.config["SQLALCHEMY_DATABASE_URI"], tmp_path, ERP_SERVICE_KEY=KEY, ERP_SERVICE_NAME="caller",
               ERP_PORTS={name: url for name in PLUGINS}, ERP_PORT_TIMEOUT=20.0)
    yield Caller(app, "http")
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


# --- the interface ----------------------------------------------------------------------------

def test_every_plugins_api_implements_its_protocol_with_the_same_names_and_signatures():
    for manifest in discover():
        protocol, api = resolve(manifest.port), resolve(manifest.api)
        names = {n for n, m in vars(protocol).items() if not n.startswith("_") and inspect.isfunction(m)}
        assert names and set(api.__all__) == names, manifest.name
        for name in names:
            declared, implemented = getattr(protocol, name), getattr(api, name)
            expected = [p for p in inspect.signature(declared).parameters.values() if p.name != "self"]
            got = list(inspect.signature(implemented).parameters.values())
            assert [(p.name, p.kind, p.default) for p in got] == [(p.name, p.kind, p.default) for p in expected], name
            assert typing.get_type_hints(implemented) == typing.get_type_hints(declared), name


def test_both_adapters_offer_exactly_the_protocols_operations(caller):
    with caller.context():
        for name in PLUGINS:
            port = caller.port(name)
            protocol = resolve(caller.app.extensions["erp"]["manifests"][name].port)
            operations = ports.operations(name)
            assert {n for n in vars(port) if not n.startswith("_")} == set(operations), name
            for op in operations.values():
                declared = inspect.signature(getattr(protocol, op.name))
                assert list(inspect.signature(getattr(port, op.name)).parameters) == [p for p in declared.parameters if p != "self"]
            assert not hasattr(port, "PostingRequest") and not hasattr(port, "BillInfo")
            assert repr(port).startswith("<HTTP port" if caller.kind == "http" else "<in-process port")


def test_calls_encode_to_json_and_back_and_refuse_what_does_not_fit_the_signature(local):
    request = PostingRequest(date(Y, 3, 5), "동력비", (PostingLine("5208", 1_000), PostingLine("1111", 0, 1_000)), "k-1")
    with local.app_context():
        data = ports.encode_call("accounting", "post_entry", {"request": request})
        assert json.loads(json.dumps(data)) == data and data["request"]["entry_date"] == "2026-03-05"
        assert data["request"]["lines"][0] == {"account_code": "5208", "debit": 1_000, "credit": 0, "memo": "",
                                               "department_code": "", "budget_ref": ""}
        assert ports.decode_call("accounting", "post_entry", data) == {"request": request}
        assert ports.decode_call("accounting", "account_balances", {"year": Y}) == {"year": Y, "month_to": 12, "codes": None}
        data["request"]["lines"][0]["debit"] = True  # JSON true is no amount
        with pytest.raises(ports.BadCall) as bad:
            ports.decode_call("accounting", "post_entry", data)
        assert "request.lines.0.debit" in bad.value.message and set(bad.value.errors) == {"request"}
        with pytest.raises(ports.BadCall, match="entry_date"):
            ports.decode_call("accounting", "post_entry", {"request": {**data["request"], "entry_date": "2026-02-30"}})
        with pytest.raises(ports.BadCall, match="unexpected keyword argument 'yaer'"):
            ports.encode_call("accounting", "trial_balance", {"year": Y, "yaer": Y})
        with pytest.raises(ports.BadCall, match="year"):
            ports.encode_call("accounting", "trial_balance", {"year": "2026"})
        with pytest.raises(ports.PortError, match="no operation 'drop_books'"):
            ports.encode_call("accounting", "drop_books", {})
        info = BillInfo("B-1", "1101-000001", "김", "2026-10", "regular", 21, 22_130, date(Y, 11, 30))
        assert ports.decode_result("rates", "bill", ports.encode_result("rates", "bill", info)) == info
        assert ports.decode_result("rates", "bill", ports.encode_result("rates", "bill", None)) is None


# --- accounting -------------------------------------------------------------------------------

def _posting(key: str, amount: int = 1_250_000, credit: int | None = None, day: date = date(Y, 3, 5)) -> PostingRequest:
    return PostingRequest(day, "3월 동력비", (PostingLine("5208", amount), PostingLine("1111", 0, amount if credit is None else credit)),
                          idempotency_key=key, source="contract:test")


def test_accounting_posts_once_per_key_and_reports_the_books(caller, local):
    with caller.context():
        accounting = caller.port("accounting")
        first = accounting.post_entry(_posting("contract:1"))
        assert (first.number, first.entry_date, first.total, first.created) == (f"{Y}-JE-000001", date(Y, 3, 5), 1_250_000, True)
        again = accounting.post_entry(_posting("contract:1"))
        assert (again.number, again.id, again.created) == (first.number, first.id, False)
        assert accounting.account_balances(Y, 12, ["5208", "1111"]) == [
            AccountBalance("1111", "현금및현금성자산", "asset", 0, 1_250_000), AccountBalance("5208", "동력비", "expense", 1_250_000, 0)]
        assert accounting.account_balances(Y, month_to=2) == []
        assert CostLine("5208", "동력비", 1_250_000) in accounting.costs_by_category(Y)
        tb = accounting.trial_balance(Y, 3, 3)
        assert tb.balanced and (tb.year, tb.month_from, tb.month_to, tb.debit_total) == (Y, 3, 3, 1_250_000)
        assert {r.code: r.debit_balance for r in tb.rows}["5208"] == 1_250_000
        assert accounting.entry_date_is_open(date(Y, 3, 31)) is True
    with local.app_context():
        from plugins.accounting.services import closing

        closing.set_locked(Y, 4, True)
    with caller.context():
        assert caller.port("accounting").entry_date_is_open(date(Y, 4, 1)) is False


@pytest.mark.parametrize("request_, message, field", [
    (_posting("contract:unbalanced", 1_000, 900), "차변과 대변이 일치하지 않습니다: 차변 1,000, 대변 900", "lines"),
    (_posting(""), "1~120자의 중복방지 키가 필요합니다.", "idempotency_key"),
    (PostingRequest(date(Y, 3, 5), "x", (PostingLine("9999", 100), PostingLine("1111", 0, 100)), "contract:unknown"),
     "9999 계정이 없습니다", None),
], ids=["unbalanced", "no-key", "unknown-account"])
def test_accounting_refusals_reach_the_caller_as_the_same_service_error(caller, local, request_, message, field):
    with caller.context():
        with pytest.raises(ServiceError) as refused:
            caller.port("accounting").post_entry(request_)
    assert type(refused.value) is ServiceError
    with local.app_context(), acting_as(None, "test"):
        # The same refusal in process, for comparison: message and field errors alike.
        from plugins.accounting import api

        with pytest.raises(ServiceError) as direct:
            api.post_entry(request_)
    assert refused.value.message == direct.value.message and refused.value.errors == direct.value.errors
    assert message in refused.value.message or message in json.dumps(refused.value.errors, ensure_ascii=False)
    if field is not None:
        assert field in refused.value.errors
    with local.app_context():
        assert ports.get("accounting").account_balances(Y) == []  # nothing was posted


def test_the_callee_attributes_its_audit_records_to_the_acting_user(caller, local):
    from erp.audit.services import chain

    with local.app_context():
        AuditEntry = chain("accounting").entry  # the accounting service's own chain
        from erp.auth import services as users

        user_id = users.create_user("kim", "김회계", "Waterworks-2026").id
        last = db.session.execute(sa.select(sa.func.max(AuditEntry.seq))).scalar_one()
    with caller.context(request_id="contract-request-1"), acting_as(user_id, "kim"):
        ref = caller.port("accounting").post_entry(_posting("contract:audit"))
    with local.app_context():
        rows = db.session.execute(sa.select(AuditEntry).where(AuditEntry.seq > last, AuditEntry.entity == "accounting_entry",
                                                              AuditEntry.entity_id == str(ref.id))).scalars().all()
        assert rows and {(r.actor_id, r.actor, r.request_id) for r in rows} == {(user_id, "kim", "contract-request-1")}


# --- budget and complaints ------------------------------------------------------------------------

def test_budget_settlement_section_arrives_whole(caller, local):
    with local.app_context():
        from plugins.budget.services import reports

        expected = reports.settlement_section(Y)
    with caller.context():
        section = caller.port("budget").settlement_section(Y)
    assert section == expected and section.columns and [title for title, _, _ in section.sections] == [t for t, _, _ in expected.sections]


def test_complaints_lists_the_open_complaints_of_a_customer(caller, local):
    with local.test_request_context():
        from plugins.complaints.services import complaints

        filed = complaints.file("BILL_OBJECTION", title="요금이 이상합니다", body="검침이 잘못된 것 같습니다", name="김일번",
                                phone="010-1234-5678", customer_no="1101-000017")
        receipt, type_name = filed.receipt_no, filed.type.name
    with caller.context():
        port = caller.port("complaints")
        assert port.open_complaints_of_customer("1101-000017") == [ComplaintSummary(receipt, type_name, "요금이 이상합니다", "received")]
        assert port.open_complaints_of_customer("nobody") == []


# --- rates --------------------------------------------------------------------------------------

@pytest.fixture
def billed(local):
    """One household (21 ㎥ in October, 포항시 tariff) billed by a run: (account no, bill number)."""
    from plugins.rates.demo import load_tariff
    from plugins.rates.repositories import bills
    from plugins.rates.services import billing
    from plugins.rates.services import customers

    with local.test_request_context():
        load_tariff()
        customer = customers.register(customers.CustomerInput(holder_name="김일번", address="한빛시 한빛로 21",
                                                              use_type="household", route_code="1101"))
        customers.install_meter(customer.id, "T-1", 13, date(Y, 1, 1), start_reading=1000)
        customers.read(customer.id, date(Y, 10, 5), 1021)
        billing.execute(billing.start_run("2026-10", "monthly", "", date(Y, 11, 10)).id)
        bill = bills.bills_of_customer(customer.id)[0]
        return customer.account_no, bill.number


def test_rates_reads_bills_and_account_numbers(caller, local, billed):
    account_no, number = billed
    with local.app_context():
        from plugins.rates.services import customers

        expected_account = customers.account_number("1101", 7)
    with caller.context():
        rates = caller.port("rates")
        info = rates.bill(number)
        assert info == BillInfo(number, account_no, "김일번", "2026-10", "regular", 21, 22_130, info.due_on, "")
        assert isinstance(info.due_on, date)
        assert rates.bill("no-such-bill") is None
        assert rates.latest_bill(account_no) == info and rates.latest_bill("0000-000000") is None
        assert rates.account_number("1101", 7) == expected_account


def _refusal_in_process(app, plugin: str, operation: str, **kwargs) -> ServiceError:
    """The ServiceError the plugin's api raises for this call, run directly in ``app``."""
    with app.test_request_context():
        with pytest.raises(ServiceError) as refused:
            getattr(resolve(app.extensions["erp"]["manifests"][plugin].api), operation)(**kwargs)
    return refused.value


def test_rates_issues_one_adjusting_bill_per_reference_and_refuses_unknown_bills_and_customers(caller, local, billed):
    account_no, number = billed
    unknown_bill = dict(number="no-such-bill", reason="누수", reference="2026-MW-000002")
    unknown_customer = dict(account_no="0000-000000", on=date(Y, 11, 15), final_reading=1030, reference="2026-MW-000003")
    expected = [_refusal_in_process(local, "rates", "leak_reduction", **unknown_bill),
                _refusal_in_process(local, "rates", "settle_move_out", **unknown_customer)]
    assert "no-such-bill" in expected[0].message and set(expected[0].errors) == {"bill_number"}
    assert "0000-000000" in expected[1].message and set(expected[1].errors) == {"customer_no"}
    with caller.context():
        rates = caller.port("rates")
        adjusting = rates.adjust_bill(number, corrected_use=11, reason="검침 오류", reference="2026-MW-000001")
        assert (adjusting.kind, adjusting.original_number, adjusting.total) == ("adjusting", number, -10_450)
        assert adjusting.number == f"{number}-A1"
        assert rates.adjust_bill(number, corrected_use=11, reason="검침 오류", reference="2026-MW-000001") == adjusting
        refusals = []
        for call in (lambda: rates.leak_reduction(**unknown_bill), lambda: rates.settle_move_out(**unknown_customer)):
            with pytest.raises(ServiceError) as refused:
                call()
            refusals.append(refused.value)
    assert [(r.message, r.errors) for r in refusals] == [(r.message, r.errors) for r in expected]


def test_rates_settles_a_move_out_once_per_reference(caller, billed):
    account_no, _ = billed
    with caller.context():
        rates = caller.port("rates")
        settlement = rates.settle_move_out(account_no, on=date(Y, 11, 15), final_reading=1030, reference="2026-MW-000009")
        assert (settlement.kind, settlement.account_no, settlement.use) == ("settlement", account_no, 9)
        assert rates.settle_move_out(account_no, on=date(Y, 11, 15), final_reading=1030, reference="2026-MW-000009") == settlement
        assert rates.latest_bill(account_no) == settlement


# --- the HTTP side: tokens and bodies -------------------------------------------------------------

def _token(operation: str, data: bytes, key: str = KEY, age: int = 0) -> str:
    """A token as another service would issue it for ``data``, signed ``age`` seconds ago (a
    negative age: by a caller whose clock runs ahead)."""
    class Signer(TimestampSigner):
        def get_timestamp(self) -> int:
            return super().get_timestamp() - age

    serializer = URLSafeTimedSerializer(key, salt=tokens.SALT, signer=Signer)
    return serializer.dumps({"svc": "test", "uid": None, "user": "test", "rid": "", "op": operation,
                             "body": tokens.body_digest(data)})


def _data(body) -> bytes:
    return json.dumps(body).encode()


def _post(url: str, data: bytes, token: str | None = None):
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.post(url, data=data, headers=headers, timeout=20)


def test_service_calls_need_a_valid_fresh_token_for_that_operation_and_body(service, local):
    url = f"{service}/api/accounting/port/post_entry"
    with local.app_context():
        data = _data(ports.encode_call("accounting", "post_entry", {"request": _posting("contract:token")}))
        other = _data(ports.encode_call("accounting", "post_entry", {"request": _posting("contract:other")}))
    cases = [(None, 401, "Bearer"), ("", 401, "Bearer"), ("garbage", 403, "not signed"),
             (_token("accounting.post_entry", data, key="another-installation-" + "x" * 32), 403, "not signed"),
             (_token("accounting.post_entry", data, age=3600), 403, "expired"),
             (_token("accounting.post_entry", data, age=-3600), 403, "expired"),
             (_token("accounting.trial_balance", data), 403, "not issued for accounting.post_entry"),
             (_token("accounting.post_entry", other), 403, "another request body")]
    for token, status, message in cases:
        response = _post(url, data, token)
        assert response.status_code == status, (token, response.text)
        assert response.json()["status"] == status and message in response.json()["message"]
    with local.app_context():
        assert ports.get("accounting").account_balances(Y) == []  # none of them posted
    # A caller whose clock runs a few seconds ahead is served.
    response = _post(url, data, _token("accounting.post_entry", data, age=-5))
    assert response.status_code == 200 and response.json()["result"]["created"] is True


def test_bad_bodies_are_400_with_the_reason_and_unknown_operations_404(service):
    url = f"{service}/api/accounting/port/trial_balance"
    for raw, reason in [(b"{not json", "Invalid JSON"), (b"[2026]", "Input should be an object"),
                        (b'{"year": true}', "year: Input should be a valid integer"),
                        (b'{"year": 2026, "month_to": "12"}', "month_to: Input should be a valid integer"),
                        (b'{}', "year: Field required"), (b'{"year": 2026, "drop": 1}', "drop: Extra inputs")]:
        response = _post(url, raw, _token("accounting.trial_balance", raw))
        assert response.status_code == 400, (raw, response.text)
        assert reason in response.json()["message"], (raw, response.json())
    response = _post(f"{service}/api/accounting/port/drop_books", b"{}", _token("accounting.drop_books", b"{}"))
    assert response.status_code == 404 and "drop_books" in response.json()["message"]
    # A refused body never reached the plugin: the result of a good one is still a whole trial balance.
    good = _data({"year": Y})
    response = _post(url, good, _token("accounting.trial_balance", good))
    assert response.status_code == 200 and response.json()["result"]["year"] == Y


# --- the HTTP client: retries only for idempotent calls, timeouts ----------------------------------

class Stub:
    """A stand-in service on 127.0.0.1 answering every POST with ``status`` after ``delay``
    seconds, counting the requests it got."""

    def __init__(self, status: int = 503, delay: float = 0.0):
        stub = self
        self.requests = 0

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                stub.requests += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(delay)
                body = json.dumps({"error": "unavailable", "message": "stub", "status": status}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (timeout)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{HOST}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def stub_app(local, tmp_path):
    made = []

    def make(stub_url: str, **settings):
        app = _app(local.config["SQLALCHEMY_DATABASE_URI"], tmp_path, ERP_SERVICE_KEY=KEY, ERP_PORTS={"rates": stub_url},
                   ERP_PORT_RETRIES=2, **settings)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()


def test_only_idempotent_calls_are_sent_again(stub_app):
    stub = Stub(status=503)
    try:
        app = stub_app(stub.url)
        with app.test_request_context():
            rates = ports.get("rates")
            cases = [(lambda: rates.latest_bill("1101-000017"), 3),  # a read
                     (lambda: rates.settle_move_out("1101-000017", on=date(Y, 11, 1), final_reading=5, reference="R-1"), 3),
                     (lambda: rates.settle_move_out("1101-000017", on=date(Y, 11, 1), final_reading=5, reference=""), 1)]
            for call, attempts in cases:
                before = stub.requests
                with pytest.raises(ports.PortError, match="rates service"):
                    call()
                assert stub.requests - before == attempts
    finally:
        stub.close()


def test_a_call_that_times_out_or_finds_nobody_is_a_port_error(stub_app):
    stub = Stub(status=200, delay=2.0)
    try:
        app = stub_app(stub.url, ERP_PORT_TIMEOUT=0.3)
        with app.test_request_context():
            with pytest.raises(ports.PortError, match="did not answer"):
                ports.get("rates").settle_move_out("1101-000017", on=date(Y, 11, 1), final_reading=5, reference="")
        assert stub.requests == 1
    finally:
        stub.close()
    app = stub_app(f"http://{HOST}:{_free_port()}")  # nothing listens there
    with app.test_request_context(), pytest.raises(ports.PortError, match="did not answer"):
        ports.get("rates").bill("B-1")
