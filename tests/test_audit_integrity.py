"""The audit chain is keyed (HMAC) and anchored outside the database: a database administrator
who drops the triggers and rewrites rows — recomputing plain hashes, or deleting the newest rows
and moving the head back — is caught by `flask erp audit-verify`, and so is a forged anchor."""
import json
import os
import stat

import pytest
import sqlalchemy as sa
from conftest import login

from erp.audit import anchors
from erp.audit import services as audit
from erp.auth import services
from erp.extensions import db


def _populate(app, count=5, prefix="D"):
    with app.app_context():
        for i in range(count):
            services.save_department(None, code=f"{prefix}{i}", name=f"부서{i}")
        return db.session.execute(sa.text("SELECT MAX(seq) FROM core_audit_log")).scalar_one()


def _drop_guard(conn):
    for name in ("core_audit_log_no_update", "core_audit_log_no_delete"):
        conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))


@pytest.fixture
def unguarded(app):
    """A connection to the core database without the append-only triggers (restored after)."""
    from erp.audit.schema import create_append_only_triggers

    with app.app_context(), db.engine.begin() as conn:
        _drop_guard(conn)
    yield
    with app.app_context(), db.engine.begin() as conn:
        create_append_only_triggers(conn, "core")


def _rewrite_with_plain_hashes(app, first: int, summary: str, prefix: str = "core") -> None:
    """The attack the keyed chain stops: change a row, then recompute its plain SHA-256 hash and
    every later one, and the head, as the former code did."""
    log, head = f"{prefix}_audit_log", f"{prefix}_audit_head"
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE {log} SET summary = :s WHERE seq = :q"), {"s": summary, "q": first})
        table = audit.chain(prefix).entry.__table__  # typed: the datetimes come back as the chain hashed them
        rows = [dict(r) for r in conn.execute(sa.select(table).where(table.c.seq >= first).order_by(table.c.seq)).mappings()]
        prev = conn.execute(sa.text(f"SELECT hash FROM {log} WHERE seq = :q"), {"q": first - 1}).scalar_one()
        for row in rows:
            row["prev_hash"] = prev
            row["hash"] = audit.plain_hash(row)
            conn.execute(sa.text(f"UPDATE {log} SET prev_hash = :p, hash = :h WHERE seq = :q"),
                         {"p": row["prev_hash"], "h": row["hash"], "q": row["seq"]})
            prev = row["hash"]
        conn.execute(sa.text(f"UPDATE {head} SET last_hash = :h WHERE id = 1"), {"h": prev})


def test_a_clean_chain_verifies_with_its_anchors_and_the_anchor_is_logged(app, runner):
    _populate(app)
    anchored = runner.invoke(args=["erp", "audit-anchor"])
    assert anchored.exit_code == 0 and "core: anchored record" in anchored.output
    logged = [json.loads(line) for line in anchored.output.splitlines() if line.startswith("{") and "\"audit anchor\"" in line]
    assert {line["audit_anchor"]["chain"] for line in logged} == {"core", "accounting", "budget", "complaints", "rates"}
    _populate(app, prefix="E")
    result = runner.invoke(args=["erp", "audit-verify"])
    assert result.exit_code == 0, result.output
    assert "core: audit trail intact" in result.output and "1 anchor(s) checked." in result.output
    with app.app_context():
        path = anchors.path_of("core")
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


def test_a_rewrite_with_recomputed_plain_hashes_is_detected(app, runner, unguarded):
    last = _populate(app)
    _rewrite_with_plain_hashes(app, last - 2, "nothing happened")
    with app.app_context():
        # The rewrite is perfect by the former rules: every rewritten row's plain hash holds,
        # links and head included.
        table = audit.chain("core").entry.__table__
        rows = db.session.execute(sa.select(table).where(table.c.seq >= last - 3).order_by(table.c.seq)).mappings().all()
        assert all(audit.plain_hash(dict(row)) == row["hash"] for row in rows[1:])
        assert all(row["prev_hash"] == before["hash"] for before, row in zip(rows, rows[1:]))
        assert db.session.execute(sa.text("SELECT last_hash FROM core_audit_head")).scalar_one() == rows[-1]["hash"]
        db.session.remove()
    result = runner.invoke(args=["erp", "audit-verify"])
    assert result.exit_code == 1
    assert f"core: AUDIT TRAIL BROKEN at record {last - 2}: row {last - 2} was altered" in result.output
    assert "rates: audit trail intact" in result.output


def test_deleting_the_newest_rows_and_resetting_the_head_is_detected_by_the_anchor(app, runner, unguarded):
    last = _populate(app)
    assert runner.invoke(args=["erp", "audit-anchor"]).exit_code == 0
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM core_audit_log WHERE seq > :q"), {"q": last - 2})
        new_head = conn.execute(sa.text("SELECT hash FROM core_audit_log WHERE seq = :q"), {"q": last - 2}).scalar_one()
        conn.execute(sa.text("UPDATE core_audit_head SET seq = :q, last_hash = :h WHERE id = 1"), {"q": last - 2, "h": new_head})
    result = runner.invoke(args=["erp", "audit-verify"])
    assert result.exit_code == 1
    assert (f"core: AUDIT TRAIL BROKEN at record {last - 1}: rows {last - 1} to {last} are missing" in result.output
            and "the newest rows were removed" in result.output), result.output


def test_a_forged_anchor_line_is_detected(app, runner):
    last = _populate(app)
    assert runner.invoke(args=["erp", "audit-anchor"]).exit_code == 0
    with app.app_context():
        path = anchors.path_of("core")
    line = json.loads(path.read_text().splitlines()[0])
    line["seq"] = last - 3  # e.g. to make an older head pass: the signature no longer matches
    with path.open("a") as handle:
        handle.write(json.dumps(line) + "\n")
    result = runner.invoke(args=["erp", "audit-verify"])
    assert result.exit_code == 1
    assert "core: AUDIT TRAIL BROKEN at its anchors: line 2 of the anchor file" in result.output
    assert "wrong signature" in result.output


def test_an_anchored_record_whose_hash_differs_is_named(app, runner):
    last = _populate(app)
    with app.app_context():
        # A checkpoint signed with the key but of another history (a restored older database,
        # a chain replaced wholesale): the record it names differs.
        anchors.write("core", last, "f" * 64)
    result = runner.invoke(args=["erp", "audit-verify"])
    assert result.exit_code == 1
    assert f"row {last} differs from the anchor of" in result.output


def _budget_rows(app, count, prefix):
    from plugins.budget.models import Project

    with app.app_context(), audit.acting_as(None, "tester"):
        for i in range(count):
            db.session.add(Project(year=2026, level="policy", code=f"{prefix}{i}", name=f"사업{i}"))
            db.session.commit()
        return db.session.execute(sa.text("SELECT MAX(seq) FROM budget_audit_log")).scalar_one()


def test_a_chain_begun_before_the_key_is_carried_over_by_rekey(app, runner, monkeypatch):
    from erp.audit.schema import create_append_only_triggers

    # The records of the former code, plain SHA-256, in a chain that starts with them (budget's
    # is empty in a fresh database).
    monkeypatch.setattr(audit, "compute_hash", lambda row, key=None: audit.plain_hash(row))
    legacy = _budget_rows(app, 4, "P-OLD")
    monkeypatch.undo()
    _budget_rows(app, 3, "P-NEW")  # keyed records after the upgrade
    before = runner.invoke(args=["erp", "audit-verify"])
    assert before.exit_code == 1 and "budget: AUDIT TRAIL BROKEN at record 1" in before.output
    assert "flask erp audit-rekey" in before.output

    rekeyed = runner.invoke(args=["erp", "audit-rekey"])
    assert rekeyed.exit_code == 0, rekeyed.output
    assert f"budget: {legacy} unkeyed record(s) pinned by a boundary anchor; 3 keyed after them." in rekeyed.output
    assert "core: already keyed from the first record" in rekeyed.output
    after = runner.invoke(args=["erp", "audit-verify"])
    assert after.exit_code == 0, after.output
    assert f"Records up to {legacy} are pinned by the rekey boundary." in after.output
    assert "budget: already carried over" in runner.invoke(args=["erp", "audit-rekey"]).output

    # The legacy part stays pinned: a plain-hash rewrite inside it (head and all) is caught.
    with app.app_context(), db.engine.begin() as conn:
        for name in ("budget_audit_log_no_update", "budget_audit_log_no_delete"):
            conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
    try:
        _rewrite_with_plain_hashes(app, 2, "nothing happened", prefix="budget")
        result = runner.invoke(args=["erp", "audit-verify"])
        assert result.exit_code == 1 and "budget: AUDIT TRAIL BROKEN at record" in result.output
    finally:
        with app.app_context(), db.engine.begin() as conn:
            create_append_only_triggers(conn, "budget")


def test_rekey_refuses_a_broken_chain(app, runner, unguarded):
    last = _populate(app)
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE core_audit_log SET summary = 'x' WHERE seq = :q"), {"q": last})
    result = runner.invoke(args=["erp", "audit-rekey"])
    assert result.exit_code == 1 and f"core: NOT carried over: row {last} was altered." in result.output
    with app.app_context():
        assert anchors.read("core").boundary is None


def test_the_chain_does_not_verify_with_another_key(app_factory, runner):
    app = app_factory()
    _populate(app)
    other = app_factory(ERP_AUDIT_KEY="another-key")
    with other.app_context():
        result = audit.verify("core")
    assert not result.ok and result.broken_seq == 1


def test_the_periodic_job_anchors_only_moved_heads(app):
    from erp.audit.tasks import anchor_job

    _populate(app)
    with app.app_context():
        assert anchor_job(None).startswith("5 chain(s) anchored")
        assert anchor_job(None) == "0 chain(s) anchored"
    _populate(app, prefix="M")
    with app.app_context():
        assert anchor_job(None) == "1 chain(s) anchored: core #" + str(audit.verify("core").checked)


def test_the_generated_key_is_owner_only_and_kept(tmp_path, monkeypatch):
    from erp import config

    monkeypatch.delenv("ERP_AUDIT_KEY", raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    first = config._audit_key()
    assert stat.S_IMODE(os.stat(tmp_path / "instance" / "audit_key").st_mode) == 0o600
    assert config._audit_key() == first and len(first) == 64
    monkeypatch.setenv("ERP_AUDIT_KEY", "from-the-environment")
    assert config._audit_key() == "from-the-environment"
    monkeypatch.setenv("ERP_AUDIT_KEY", "")  # an unfilled Kubernetes Secret stops the pod
    with pytest.raises(RuntimeError, match="ERP_AUDIT_KEY is set but empty"):
        config._audit_key()


def test_the_audit_page_shows_the_last_verification_and_anchor(app, client, runner, make_user):
    make_user("admin", roles=["sysadmin"])
    login(client, "admin")
    html = client.get("/admin/audit/").get_data(as_text=True)
    assert "감사 기록 무결성" in html and "아직 검증하지 않았습니다" in html
    assert runner.invoke(args=["erp", "audit-anchor"]).exit_code == 0
    assert runner.invoke(args=["erp", "audit-verify"]).exit_code == 0
    html = client.get("/admin/audit/").get_data(as_text=True)
    assert "온전함" in html and "아직 없음" not in html
    with app.app_context():
        seq = anchors.last_anchor("core").seq
    assert f"기록 {seq:,}" in html


# --- summaries in the reader's language -------------------------------------------------------------

def test_an_audit_summary_is_shown_in_the_readers_language(app, client, make_user):
    """Recorded as a message id and its values; the Korean reader reads Korean, the English
    reader English, numbers with thousands separators; the chain covers the message."""

    from erp.i18n import N_

    make_user("admin", roles=["sysadmin"])
    with app.app_context(), audit.acting_as(None, "tester"):
        audit.record("export", "report", "R1", N_("audit trail exported: %(count)s records"), values={"count": 1234567},
                     chain="core")
        db.session.commit()
        assert audit.verify("core").ok
    login(client, "admin")
    korean = client.get("/admin/audit/?entity=report").get_data(as_text=True)
    assert "감사 기록 1,234,567건을 내보냈습니다" in korean
    client.post("/lang/en", data={"csrf_token": _csrf(client)})
    english = client.get("/admin/audit/?entity=report").get_data(as_text=True)
    assert "audit trail exported: 1,234,567 records" in english and "내보냈습니다" not in english
    # An older row keeps its recorded text; the login message names the user in either language.
    assert "admin: logged in" in client.get("/admin/audit/?action=login").get_data(as_text=True)


def test_a_rewritten_message_breaks_the_chain(app, unguarded):
    from erp.i18n import N_

    with app.app_context():
        audit.record("export", "report", "R2", N_("audit trail exported: %(count)s records"), values={"count": 5}, chain="core")
        db.session.commit()
        seq = db.session.execute(sa.text("SELECT MAX(seq) FROM core_audit_log")).scalar_one()
        db.session.remove()
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE core_audit_log SET message = :m WHERE seq = :q"),
                     {"m": '{"id": "audit trail exported: %(count)s records", "values": {"count": 0}}', "q": seq})
    with app.app_context():
        result = audit.verify("core")
    assert not result.ok and result.broken_seq == seq


def _csrf(client):
    from conftest import CSRF_RE

    match = CSRF_RE.search(client.get("/").get_data(as_text=True))
    return match.group(1) or match.group(2)


def test_the_nightly_verification_is_what_the_administrators_home_page_shows(app, client, make_user, unguarded):
    """One nightly job (audit.verify) keeps the outcome; the home page's audit panel shows it."""
    from erp import jobs

    make_user("admin", roles=["sysadmin"])
    login(client, "admin")
    html = client.get("/").get_data(as_text=True)
    assert "아직 실행 전" in html and "점검은 매일 밤 실행됩니다 (작업 audit.verify)." in html
    last = _populate(app)
    with app.app_context():
        assert jobs.run_now("audit.verify").status == "done"
        records = sum(result.checked for result in audit.verify_all())
    html = client.get("/").get_data(as_text=True)
    assert "온전함" in html and f"기록 {records:,}건 검증" in html
    _rewrite_with_plain_hashes(app, last - 2, "nothing happened")
    with app.app_context():
        job = jobs.run_now("audit.verify")
        assert job.status == "failed"
    html = client.get("/").get_data(as_text=True)
    assert "손상됨" in html and f"core 감사 기록이 끊어졌습니다: record {last - 2}: row {last - 2} was altered" in html
