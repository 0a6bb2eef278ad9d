"""Fault drills: faults never lose or double money (issue 15 item 9).

kill -9 of a process in the middle of a payment import, a depreciation run and an outbox delivery
(between the receiver's commit and the producer marking the row delivered), then the same work run
again: the totals equal those of a run without the fault. A database connection killed on the
server is replaced by the pool; a full disk during an attachment upload files nothing half.

Each killed process is a real ``python`` child on this test's own database, paused at the chosen
point by a patch that writes a ready file and sleeps; the test then sends SIGKILL (bounded waits,
no network but the loopback MariaDB)."""
from __future__ import annotations

import errno
import json
import os
import signal
import subprocess  # nosec B404 - the drills start this repository's own code in a child process
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import TEST_DB
from test_accounting_assets import _register
from test_rates_payments import DAY, _file, _line, bills  # noqa: F401 - bills is a fixture

from erp.common import outbox, tx
from erp.extensions import db
from plugins.accounting.models import JournalEntry
from plugins.budget.models import Outbox as BudgetOutbox
from plugins.rates.models import Outbox as RatesOutbox
from plugins.rates.models import Payment
from plugins.rates.services import payments

ROOT = Path(__file__).resolve().parent.parent

# The child: an app on the test's database, a pause patched in at the drill's point, the work.
CHILD = r"""
import json, os, sys, time
from erp import create_app

def pause():
    open(os.environ["DRILL_READY"], "w").close()
    time.sleep(120)  # the test kills us long before

app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DRILL_DB"], "SECRET_KEY": "drill", "TESTING": True,
                  "ERP_STORAGE_DIR": os.environ["DRILL_STORAGE"], "ERP_QUEUE_URL": "immediate"})
drill = os.environ["DRILL"]
with app.app_context():
    from erp.audit import services as audit
    if drill == "import":
        from plugins.rates.services import payments, postings
        owe = postings.owe_posting
        def owe_then_pause(*args, **kwargs):  # the lines and their entry are written, not committed
            owe(*args, **kwargs)
            pause()
        postings.owe_posting = owe_then_pause
        with audit.acting_as(None, "drill"):
            payments.import_file(open(os.environ["DRILL_FILE"], "rb").read())
    elif drill == "depreciation":
        from plugins.accounting.services import assets, journal
        post = journal.post_system_lines
        def post_then_pause(*args, **kwargs):  # the entry is written, its depreciation rows not yet
            entry = post(*args, **kwargs)
            pause()
            return entry
        journal.post_system_lines = post_then_pause
        with audit.acting_as(None, "drill"):
            assets.run_month(2026, 3)
    elif drill == "delivery":
        from erp.common import outbox
        from erp.extensions import db
        from plugins.budget.models import Outbox
        def receiver_committed_then_pause(model, row_id, result_ref):
            # The receiver has committed the entry (over HTTP it commits on its own); the producer
            # dies before its row says delivered.
            db.session.commit()
            pause()
        outbox.mark_delivered = receiver_committed_then_pause
        outbox.relay(Outbox)
print("the drill was not interrupted", file=sys.stderr)
sys.exit(3)
"""


def _kill_at_pause(database_url: str, tmp_path: Path, drill: str, **env) -> None:
    """Run the child until it reaches its pause, then kill -9 it (bounded: 120 s to get there)."""
    ready = tmp_path / f"{drill}.ready"
    log = open(tmp_path / f"{drill}.log", "wb")
    child_env = {**os.environ, "PYTHONPATH": str(ROOT), "DRILL": drill, "DRILL_DB": database_url, "DRILL_READY": str(ready),
                 "DRILL_STORAGE": str(tmp_path / "storage"), "ERP_LOG_LEVEL": "WARNING", **env}
    child = subprocess.Popen([sys.executable, "-c", CHILD], cwd=ROOT, env=child_env, stdout=log,  # nosec B603
                             stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not ready.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), (tmp_path / f"{drill}.log").read_text()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)
        log.close()


def _fresh():
    db.session.remove()  # read what the database holds now, not what this session remembers


def _cash_posted(prefix: str) -> int:
    total = 0
    for row in db.session.execute(sa.select(RatesOutbox).where(RatesOutbox.key.like(prefix + "%"))).scalars():
        if row.status == "delivered":
            total += sum(line["debit"] - line["credit"] for line in json.loads(row.payload)["request"]["lines"]
                         if line["account_code"] == payments.CASH)
    return total


def test_kill_9_during_a_payment_import_then_import_again_equals_a_run_without_the_fault(app, bills, database_url, tmp_path):  # noqa: F811
    single, apartment, welfare = bills["single"], bills["apartment"], bills["welfare"]
    lines = [_line("T1", single[2], single[3]), _line("T2", apartment[2], 40_000, payer="이아파트"),
             _line("T3", welfare[2], welfare[3] + 1_000, payer="박복지"), _line("T4", "9999999999999", 12_340, payer="모름")]
    path = tmp_path / "va.csv"
    path.write_bytes(_file(lines))
    _kill_at_pause(database_url, tmp_path, "import", DRILL_FILE=str(path))
    with app.test_request_context():
        _fresh()
        assert db.session.execute(sa.select(sa.func.count()).select_from(Payment)).scalar() == 0  # nothing half
        assert db.session.execute(sa.select(sa.func.count()).select_from(RatesOutbox)
                                  .where(RatesOutbox.key.like("rates:receipts:%"))).scalar() == 0
        result = payments.import_file(path.read_bytes())
        assert (result.new, result.known, result.matched, result.suspense) == (4, 0, 3, 1)
        again = payments.import_file(path.read_bytes())  # and a third time changes nothing
        assert (again.new, again.known) == (0, 4)
        _fresh()
        count, amount = db.session.execute(sa.select(sa.func.count(), sa.func.sum(Payment.amount))).one()
        total = single[3] + 40_000 + welfare[3] + 1_000 + 12_340
        assert (count, amount) == (4, total)
        assert _cash_posted(f"rates:receipts:{DAY.isoformat()}:va") == total  # booked once, delivered


def test_kill_9_during_a_depreciation_run_then_run_again_posts_the_month_once(app, database_url, tmp_path):
    from plugins.accounting.services import assets

    with app.test_request_context():
        _register()
        _register(name="업무용 차량", category="vehicle", cost=36_000_000, useful_life_years=6)
        _fresh()
    _kill_at_pause(database_url, tmp_path, "depreciation")
    with app.test_request_context():
        _fresh()
        sources = sa.select(sa.func.count()).select_from(JournalEntry).where(JournalEntry.source.like("accounting:depreciation:%"))
        assert db.session.execute(sources).scalar() == 0  # the killed run left no entry, no run
        result = assets.run_month(2026, 3)
        assert result.created and (result.total, result.assets) == (200_000 + 500_000, 2)  # as a run without the fault
        assert not assets.run_month(2026, 3).created
        _fresh()
        assert db.session.execute(sources).scalar() == 1
        rows = assets.register_rows()
        assert sorted(r.accumulated for r in rows) == [200_000, 500_000]


@tx.transactional
def _owe(key: str, on: date, amount: int) -> None:
    request = {"entry_date": on.isoformat(), "memo": f"drill {key}", "idempotency_key": key, "source": key,
               "lines": [{"account_code": "5208", "debit": amount}, {"account_code": "1111", "credit": amount}]}
    outbox.owe(BudgetOutbox, key, "accounting", "post_entry", {"request": request})
    tx.commit()


def test_kill_9_between_the_receivers_commit_and_marking_delivered_the_retry_is_a_no_op(app, database_url, tmp_path):
    with app.test_request_context():
        _owe("budget:payment:DRILL-1", date(2026, 4, 10), 880_000)
        _fresh()
    _kill_at_pause(database_url, tmp_path, "delivery")
    with app.test_request_context():
        _fresh()
        row = db.session.execute(sa.select(BudgetOutbox).where(BudgetOutbox.key == "budget:payment:DRILL-1")).scalar_one()
        assert row.status == "pending"  # the producer died before it knew
        entries = sa.select(JournalEntry).where(JournalEntry.source == "budget:payment:DRILL-1")
        assert len(db.session.execute(entries).scalars().all()) == 1  # the receiver had committed
        assert outbox.relay(BudgetOutbox) == (1, 0)  # the retry: the key returns the first entry
        _fresh()
        posted = db.session.execute(entries).scalars().all()
        assert len(posted) == 1 and {(l.account.code, l.debit, l.credit) for l in posted[0].lines} == {
            ("5208", 880_000, 0), ("1111", 0, 880_000)}
        row = db.session.execute(sa.select(BudgetOutbox).where(BudgetOutbox.key == "budget:payment:DRILL-1")).scalar_one()
        assert row.status == "delivered" and row.result_ref == posted[0].number


@pytest.mark.skipif(TEST_DB != "mariadb", reason="KILL <connection id> is a MariaDB server command")
def test_a_connection_killed_on_the_server_is_replaced_by_the_pool(app, client, make_user, database_url):
    from conftest import login

    make_user("auditor1", roles=["auditor"])
    login(client, "auditor1")
    assert client.get("/accounting/", follow_redirects=True).status_code == 200
    # Every connection of the app's pool is killed on the server, as a restart or wait_timeout
    # would, from a connection of another engine.
    admin_engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with admin_engine.connect() as admin:
            ids = [row[0] for row in admin.execute(sa.text(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID != CONNECTION_ID()"))]
            for connection_id in ids:
                admin.execute(sa.text(f"KILL {int(connection_id)}"))  # nosec B608 - an integer from the server
    finally:
        admin_engine.dispose()
    assert ids
    page = client.get("/accounting/", follow_redirects=True)  # the pool finds its connections dead and connects anew
    assert page.status_code == 200 and "auditor1" in page.get_data(as_text=True)


def test_a_full_disk_during_an_attachment_upload_files_no_complaint_and_leaves_no_file(app, client, monkeypatch):
    from io import BytesIO

    from conftest import csrf_from
    from test_complaints import PNG

    from plugins.complaints.models import Complaint
    from plugins.complaints.services import storage as attachment_storage

    written = attachment_storage._write
    calls = []

    def fills_the_disk(target, content):
        calls.append(target)
        if len(calls) == 1:
            return written(target, content)  # the first attachment fits …
        with open(target, "wb") as handle:  # … the second is cut off by the full disk
            handle.write(content[: len(content) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(attachment_storage, "_write", fills_the_disk)
    data = {"csrf_token": csrf_from(client.get("/complaints/new").get_data(as_text=True)), "type_code": "LEAK_REPORT",
            "title": "누수", "body": "도로 누수", "name": "박지훈", "phone": "010-2222-3333", "agree": "y",
            "attachments": [(BytesIO(PNG), "사진1.png"), (BytesIO(PNG), "사진2.png")]}
    answer = client.post("/complaints/new", data=data, content_type="multipart/form-data")
    text = answer.get_data(as_text=True)
    assert answer.status_code < 500 and "저장 공간이 가득" in text and "아무것도 저장되지 않았습니다" in text
    assert len(calls) == 2
    with app.app_context():
        _fresh()
        assert db.session.execute(sa.select(sa.func.count()).select_from(Complaint)).scalar() == 0
    storage = Path(app.config["ERP_STORAGE_DIR"]) / "complaints"
    assert [p.name for p in storage.iterdir()] == []  # neither the half file nor the whole first one
    monkeypatch.undo()  # the disk has room again: the same form files the complaint with both files
    data["csrf_token"] = csrf_from(client.get("/complaints/new").get_data(as_text=True))
    data["attachments"] = [(BytesIO(PNG), "사진1.png"), (BytesIO(PNG), "사진2.png")]
    receipt = client.post("/complaints/new", data=data, content_type="multipart/form-data", follow_redirects=True)
    assert "민원 접수 완료" in receipt.get_data(as_text=True)
    assert len(list(storage.iterdir())) == 2


def test_receipts_refused_by_a_locked_month_are_listed_on_the_reconciliation_and_reposted(app, bills, make_user):  # noqa: F811
    from conftest import login, post_form

    from plugins.accounting.services import closing

    make_user("clerk", roles=["rates_clerk"])
    make_user("chief", roles=["chief_accountant"])
    single = bills["single"]
    with app.test_request_context():
        closing.set_locked(DAY.year, DAY.month, True)  # the receipts' month was locked before they arrived
        payments.import_file(_file([_line("R1", single[2], single[3])]))  # the relay runs at once and is refused
        _fresh()
        row = db.session.execute(sa.select(RatesOutbox).where(RatesOutbox.key.like("rates:receipts:%"))).scalar_one()
        assert row.status == "refused" and "잠긴 기간" in row.last_error
        row_id = row.id
    url = f"/ops/outbox/rates_outbox/{row_id}"
    clerk = app.test_client()
    login(clerk, "clerk")
    page = clerk.get(f"/rates/payments/reconciliation?day={DAY.isoformat()}").get_data(as_text=True)
    assert "회계가 거부한 수납 전기" in page and url in page and "잠긴 기간" in page
    open_day = date(DAY.year + (DAY.month == 12), DAY.month % 12 + 1, 1)
    post_form(clerk, url + "/repost", {"repost_on": open_day.isoformat()}, page=url)
    chief = app.test_client()
    login(chief, "chief")
    post_form(chief, url + "/approve", {}, page=url)
    with app.app_context():
        row = db.session.get(RatesOutbox, row_id)
        assert row.status == "delivered" and row.entry_date == open_day
        entry = db.session.execute(sa.select(JournalEntry).where(JournalEntry.number == row.result_ref)).scalar_one()
        assert entry.entry_date == open_day
        assert sum(line.debit for line in entry.lines if line.account.code == payments.CASH) == single[3]
