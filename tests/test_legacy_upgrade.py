"""A database built by the former single migration history (tests/legacy_migrations, head
3f1c2a9d8e70) is adopted by `flask db upgrade`: the plugins' histories are stamped at what is
there, nothing is re-created, no data is lost, the old audit records stay in the core's chain and
still verify. On SQLite and MariaDB (each run builds its own empty database)."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from conftest import TEST_DB

from erp import create_app, migrating
from erp.audit import services as audit
from erp.extensions import db

LEGACY = Path(__file__).parent / "legacy_migrations"
RETIRED = {"complaints_lookup_failure"}  # tables later revisions drop on purpose
COUNTED = ("core_user", "core_audit_log", "rates_customer", "rates_bill", "accounting_entry", "accounting_line",
           "budget_line", "complaints_complaint", "rates_outbox", "budget_outbox")


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


# The last commit of the single migration history (head 3f1c2a9d8e70): its own code builds the
# former schema and fills it with its own demo, so that the data is what that code wrote — not
# what today's code would write into yesterday's tables.
FORMER_COMMIT = "75a6798^"
ROOT = Path(__file__).resolve().parents[1]


def _former_code_demo(url: str, tmp_path: Path) -> None:
    """`flask db upgrade` and `flask erp demo` of the former code, run from a copy of it taken out
    of this repository's history, against ``url``."""
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", FORMER_COMMIT], check=True,
                                 capture_output=True, timeout=120).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.fail(f"the former code ({FORMER_COMMIT}) is not in this checkout's history: {error}")
    former = tmp_path / "former"
    former.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(former, filter="data")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ERP_", "DATABASE_URL", "FLASK_"))}
    env.update({"PYTHONPATH": str(former), "DATABASE_URL": url, "SECRET_KEY": "legacy-test-secret-key",
                "ERP_STORAGE_DIR": str(tmp_path / "former-storage"), "ERP_QUEUE_URL": "immediate",
                "ERP_LOG_LEVEL": "WARNING"})
    for args in (["db", "upgrade"], ["erp", "demo"]):
        done = subprocess.run([sys.executable, "-m", "flask", "--app", str(former / "wsgi.py"), *args], cwd=former,
                              env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"former code: flask {' '.join(args)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def _snapshot(app):
    from plugins.accounting import api as accounting

    with app.app_context():
        counts = {table: db.session.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one() for table in COUNTED}
        tb = accounting.trial_balance(date.today().year)
        # By account: the upgrade puts the chart in tree order (accounting 0005), which moves rows.
        totals = (tb.debit_total, tb.credit_total, sorted((r.code, r.debit_balance, r.credit_balance) for r in tb.rows))
        db.session.remove()
    return counts, totals


def test_a_database_at_the_former_head_with_demo_data_upgrades_without_loss(empty_url, tmp_path):
    legacy = _app(empty_url, tmp_path)
    try:
        _former_code_demo(empty_url, tmp_path)
        before, totals_before = _snapshot(legacy)
        with legacy.app_context():
            tables_before = set(sa.inspect(db.engine).get_table_names())
    finally:
        _dispose(legacy)
    assert min(before.values()) > 0, before

    app = _app(empty_url, tmp_path)
    try:
        runner = app.test_cli_runner()
        upgraded = runner.invoke(args=["db", "upgrade"])
        assert upgraded.exit_code == 0, upgraded.output
        # The former chain is plain SHA-256: until it is carried over, audit-verify says so.
        unkeyed = runner.invoke(args=["erp", "audit-verify"])
        assert unkeyed.exit_code != 0 and "audit-rekey" in unkeyed.output
        rekeyed = runner.invoke(args=["erp", "audit-rekey"])
        assert rekeyed.exit_code == 0, rekeyed.output
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
            # Nothing was dropped but what a later revision retires on purpose (complaints 0004:
            # look-ups are rate-limited by erp.web.limits now).
            assert tables_before - RETIRED <= tables
            assert chains | versions <= tables - tables_before <= chains | versions | (modelled - tables_before)
            assert not RETIRED & tables
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
