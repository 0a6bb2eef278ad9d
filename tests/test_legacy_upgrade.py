"""A database built by the former single migration history (tests/legacy_migrations, head
3f1c2a9d8e70) is adopted by `flask db upgrade`: the plugins' histories are stamped at what is
there, nothing is re-created, no data is lost, the old audit records stay in the core's chain and
still verify. On SQLite and MariaDB (each run builds its own empty database)."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from conftest import MARIADB_SERVER, TEST_DB

from erp import create_app, jobs, migrating
from erp.audit import services as audit
from erp.common import outbox
from erp.extensions import db

LEGACY = Path(__file__).parent / "legacy_migrations"
COUNTED = ("core_user", "core_audit_log", "rates_customer", "rates_bill", "accounting_entry", "accounting_line",
           "budget_line", "complaints_complaint", "rates_outbox", "budget_outbox")


@pytest.fixture
def empty_url(tmp_path):
    if TEST_DB != "mariadb":
        yield f"sqlite:///{tmp_path / 'legacy.sqlite'}"
        return
    name = f"erp_legacy_{uuid.uuid4().hex[:10]}"
    server = sa.create_engine(MARIADB_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    try:
        yield f"{MARIADB_SERVER}/{name}?charset=utf8mb4"
    finally:
        with server.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        server.dispose()


def _app(url, tmp_path):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "ERP_STORAGE_DIR": str(tmp_path / "storage")})


def _dispose(app):
    with app.app_context():
        db.session.remove()
        for engine in app.extensions.get("erp_engines_by_url", {}).values():
            engine.dispose()


def _build_legacy(app, revision="head"):
    """The schema as the former single history left it."""
    with app.app_context():
        command.upgrade(app.extensions["migrate"].migrate.get_config(str(LEGACY)), revision)


def _as_former_code(app, monkeypatch):
    """The former code kept one chain, the core's, for every write, and wrote the postings it owed
    accounting into the outboxes in a shape of their own (left pending here): so does this app."""
    chains = app.extensions["erp_audit"]
    chains["chains"] = {"core": chains["chains"]["core"]}
    chains["packages"] = {}
    monkeypatch.setattr(outbox, "owe", _former_owe)
    # nor did its audit records keep a message with its values (core 0018): the summary's text only
    queue = audit._queue

    def former_queue(session, *args):
        queue(session, *args[:7])
        session.info[audit._PENDING][-1].pop("message")

    monkeypatch.setattr(audit, "_queue", former_queue)
    monkeypatch.setattr(outbox, "relay", lambda model, limit=100: (0, 0))
    monkeypatch.setattr(jobs, "enqueue", lambda kind, **args: 0)  # it had no job table either
    monkeypatch.setattr(jobs, "run_pending", lambda: 0)
    from plugins.rates.repositories import bills as bill_repo

    monkeypatch.setattr(bill_repo, "write_run_profile", lambda run_id: None)  # nor the runs' profiles


def _former_owe(model, key, target, operation, arguments):
    request = arguments["request"]
    department = next((line["department_code"] for line in request["lines"] if line.get("department_code")), "")
    payload = {"entry_date": request["entry_date"], "memo": request["memo"], "source": request["source"], "department": department,
               "lines": [[line["account_code"], line.get("debit", 0), line.get("credit", 0), line.get("memo", "")]
                         for line in request["lines"]]}
    table = sa.table(model.__tablename__, *(sa.column(name) for name in ("key", "payload", "status", "attempts", "last_error",
                                                                           "entry_number", "created_at")))
    db.session.execute(table.insert().values(key=key, payload=json.dumps(payload, ensure_ascii=False), status="pending",
                                             attempts=0, last_error="", entry_number="", created_at=datetime(2026, 11, 1)))


def _later_columns(app, how, columns=None):
    """The columns later revisions add to the former tables: this code's models write them, the
    former code did not. Added (nullable, empty) for the demo run and dropped again before the
    upgrade, which adds them as its migrations say; returns the columns added."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    with app.app_context(), db.engine.begin() as conn:
        operations = Operations(MigrationContext.configure(conn))
        if how == "drop":
            for table, column in columns:
                with operations.batch_alter_table(table) as batch:
                    batch.drop_column(column)
            return columns
        inspector = sa.inspect(conn)
        present = set(inspector.get_table_names())
        added = []
        for metadata in db.metadatas.values():
            for table in metadata.tables.values():
                if table.name not in present:
                    continue
                have = {c["name"] for c in inspector.get_columns(table.name)}
                for column in table.columns:
                    if column.name not in have:
                        operations.add_column(table.name, sa.Column(column.name, column.type, nullable=True))
                        added.append((table.name, column.name))
        return added


def _snapshot(app):
    from plugins.accounting import api as accounting

    with app.app_context():
        counts = {table: db.session.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one() for table in COUNTED}
        tb = accounting.trial_balance(date.today().year)
        totals = (tb.debit_total, tb.credit_total, [(r.code, r.debit_balance, r.credit_balance) for r in tb.rows])
        db.session.remove()
    return counts, totals


def test_a_database_at_the_former_head_with_demo_data_upgrades_without_loss(empty_url, tmp_path, monkeypatch):
    legacy = _app(empty_url, tmp_path)
    try:
        _build_legacy(legacy)
        _as_former_code(legacy, monkeypatch)
        added = _later_columns(legacy, "add")
        result = legacy.test_cli_runner().invoke(args=["erp", "demo"])
        assert result.exit_code == 0, result.output
        _later_columns(legacy, "drop", added)
        monkeypatch.undo()
        before, totals_before = _snapshot(legacy)
        with legacy.app_context():
            assert audit.verify("core").ok
            db.session.remove()
            tables_before = set(sa.inspect(db.engine).get_table_names())
    finally:
        _dispose(legacy)
    assert min(before.values()) > 0, before

    app = _app(empty_url, tmp_path)
    try:
        runner = app.test_cli_runner()
        upgraded = runner.invoke(args=["db", "upgrade"])
        assert upgraded.exit_code == 0, upgraded.output
        after, totals_after = _snapshot(app)
        assert after == before
        assert totals_after == totals_before and totals_after[0] == totals_after[1] > 0
        with app.app_context():
            tables = set(sa.inspect(db.engine).get_table_names())
            # Nothing was dropped; what is new is the plugins' chains and version tables and the
            # tables later revisions add (the models' tables the former schema lacked).
            chains = {f"{p}_{t}" for p in ("accounting", "budget", "complaints", "rates") for t in ("audit_log", "audit_head")}
            versions = {f"alembic_version_{p}" for p in ("accounting", "budget", "complaints", "rates")}
            modelled = {t.name for metadata in db.metadatas.values() for t in metadata.tables.values()}
            assert tables_before <= tables
            assert chains | versions <= tables - tables_before <= chains | versions | (modelled - tables_before)
            assert {h.name: c for h, (c, e) in zip(migrating.histories(), migrating.status().values())} == {
                h.name: migrating.heads(h) for h in migrating.histories()}
            db.session.remove()
        verified = runner.invoke(args=["erp", "audit-verify"])
        assert verified.exit_code == 0, verified.output
        assert f"core: audit trail intact, {before['core_audit_log']} records verified." in verified.output
        assert app.test_client().get("/readyz").get_json()["checks"]["migrations"] == "ok"

        # The runs finished before are profiled from their bills (for the tariff simulation).
        with app.app_context():
            profiled = db.session.execute(sa.text("SELECT SUM(bills) FROM rates_run_profile")).scalar()
            billed = db.session.execute(sa.text("SELECT COUNT(*) FROM rates_bill WHERE kind = 'regular'")).scalar()
            assert profiled == billed > 0
            db.session.remove()

        # The outboxes' rows became the accounting.post_entry calls they always were: each one
        # decodes against the port and keeps its key as the idempotency key.
        from erp import ports

        with app.app_context():
            for table in ("rates_outbox", "budget_outbox"):
                rows = db.session.execute(sa.text(f"SELECT {'`key`' if TEST_DB == 'mariadb' else 'key'}, target, operation, "
                                                  f"payload, result_ref, status FROM {table}")).all()
                assert rows, table
                for key, target, operation, payload, result_ref, status in rows:
                    assert (target, operation) == ("accounting", "post_entry")
                    request = ports.decode_call(target, operation, payload)["request"]
                    assert request.idempotency_key == key and sum(line.debit for line in request.lines) > 0
                    assert (status == "delivered") == bool(result_ref)
            db.session.remove()

        # The app works on the adopted database, and the plugins' writes go to their new chains.
        from plugins.accounting import api as accounting
        from plugins.accounting.data import PostingLine, PostingRequest

        with app.app_context(), audit.acting_as(None, "tester"):
            accounting.post_entry(PostingRequest(date.today().replace(day=1), "이관 후 첫 전표",
                                                 (PostingLine("1113", 5000), PostingLine("611-01", credit=5000)),
                                                 idempotency_key="test:after-adoption"))
            assert audit.verify("accounting").checked > 0
            assert all(r.ok for r in audit.verify_all())
        assert _snapshot(app)[0]["accounting_entry"] == before["accounting_entry"] + 1
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0  # a second upgrade changes nothing
        assert _snapshot(app)[0]["accounting_entry"] == before["accounting_entry"] + 1

        # The converted calls are delivered through the port (or refused for a month the demo
        # locked, as any posting would be): none fails to decode.
        from plugins.rates.services import postings

        with app.app_context():
            postings.relay(limit=1000)
            errors = db.session.execute(sa.text("SELECT last_error FROM rates_outbox WHERE status = 'pending'")).scalars().all()
            assert all("잠긴 기간" in error for error in errors), errors
            assert db.session.execute(sa.text("SELECT COUNT(*) FROM rates_outbox WHERE status = 'delivered'")).scalar() > 0
            db.session.remove()
    finally:
        _dispose(app)


def test_a_database_part_way_through_the_former_history_is_adopted_at_that_point(empty_url, tmp_path):
    """At 0006 (the rates tariffs, not yet the customers) the core is at 0001, accounting, budget
    and complaints at their former revisions, rates at its first; the rest is built on top."""
    legacy = _app(empty_url, tmp_path)
    try:
        _build_legacy(legacy, "5037dc017593")
    finally:
        _dispose(legacy)
    app = _app(empty_url, tmp_path)
    try:
        with app.app_context():
            assert migrating.adopt_legacy() == "5037dc017593"
            with db.engine.connect() as conn:
                at = {h.name: migrating.current(h, conn) for h in migrating.histories()}
            assert at == {"core": {"4bcee267be4a"}, "accounting": {"3b2d9d41cbf1"}, "budget": {"87d1295e5af2"},
                          "complaints": {"31380265e5bd"}, "rates": {"5037dc017593"}}
            migrating.upgrade()
            status = migrating.status()
            assert all(current == heads for current, heads in status.values()), status
            db.session.remove()
        from test_migrations import _assert_models_match_databases

        _assert_models_match_databases(app)
    finally:
        _dispose(app)
