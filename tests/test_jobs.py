"""The job queue (erp.jobs): jobs kept in the database, a key that keeps one job waiting, the
reaper that takes over a dead worker's job, schedules on the office clock, and a real worker
process killed in the middle of a bill run (SQLite-file queue and Redis)."""
import json
import os
import signal
import subprocess  # nosec B404 - the tests run the app's own CLI
import sys
import time
import uuid
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from conftest import TEST_DB, login

from erp import jobs
from erp.common.clock import utcnow
from erp.extensions import db
from erp.jobs import services
from erp.jobs.messages import render
from erp.jobs.models import Job
from erp.jobs.queue import make_huey
from erp.jobs.registry import PeriodicJob
from plugins.complaints.models import Complaint, Notice
from plugins.complaints.services import complaints as complaint_service
from plugins.rates.demo import load_tariff, synthetic
from plugins.rates.models import Bill, BillRun, Outbox
from plugins.rates.services import billing
from test_rates_billing import ROOT, _count

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def queued_app(app_factory, tmp_path):
    """An app whose jobs wait in a SQLite-file queue that no worker reads."""
    return app_factory(ERP_QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite'}", ERP_QUEUE_NAME="test")


def _job(job_id):
    return db.session.get(Job, job_id)


def _age(job_id, **values):
    db.session.execute(sa.update(Job).where(Job.id == job_id).values(**values))
    db.session.commit()


def test_a_key_keeps_one_job_waiting_and_a_lost_message_is_sent_again(app, queued_app):
    with queued_app.app_context():
        first = jobs.enqueue("rates.relay", key="relay")
        assert jobs.enqueue("rates.relay", key="relay") == first  # still waiting: not queued twice
        other = jobs.enqueue("rates.relay")
        assert other != first
        assert [j.status for j in (jobs.get(first), jobs.get(other))] == ["pending", "pending"]
        _age(first, queued_at=utcnow() - timedelta(minutes=5))  # its message never reached a worker
    with app.app_context():  # a worker's reaper (here: running jobs where they are sent)
        assert services.reap() == (1, 0)
        job = jobs.get(first)
        assert (job.status, job.attempts, render(job.result)) == ("done", 1, "분개 0건 전달, 0건 대기")
        assert jobs.get(other).status == "pending"  # its message is not old: it is waited for
    with queued_app.app_context():
        assert jobs.enqueue("rates.relay", key="relay") != first  # done: the key is free again


def test_a_job_whose_worker_stopped_is_taken_over_and_given_up_after_the_limit(app, queued_app, client, make_user):
    with app.test_request_context():
        for _ in range(2):
            complaint = complaint_service.file("OUTAGE", title="단수", body="물이 안 나옵니다", name="김민수", phone="010-1234-5678")
            db.session.get(Complaint, complaint.id).due_at = utcnow() + timedelta(hours=2)
        complaint_id = complaint.id
        db.session.commit()
    with queued_app.app_context():
        dead = jobs.enqueue("complaints.remind")
        stuck = jobs.enqueue("complaints.remind")
        # Their workers died: running, heartbeat stopped; the second has been taken over four times.
        _age(dead, status="running", attempts=1, heartbeat_at=utcnow() - timedelta(minutes=5))
        _age(stuck, status="running", attempts=5, heartbeat_at=utcnow() - timedelta(minutes=5))
        fresh = jobs.enqueue("complaints.remind")
        _age(fresh, status="running", attempts=1, heartbeat_at=utcnow())  # alive elsewhere
    with app.app_context():
        services.execute(fresh)  # a second message for a job another worker runs: ignored
        assert jobs.get(fresh).attempts == 1
        assert services.reap() == (1, 1)
        taken, given_up = jobs.get(dead), jobs.get(stuck)
        assert (taken.status, taken.attempts, render(taken.result)) == ("done", 2, "처리 기한이 다가온 민원 2건")
        assert given_up.status == "failed" and "5 times" in given_up.error
        assert db.session.query(Notice).filter_by(kind="reminder").count() == 2
        # The daily job run again the same day (by hand, or after a crash) reminds nobody twice.
        again = jobs.run_now("complaints.remind")
        assert again.status == "done" and db.session.query(Notice).filter_by(kind="reminder").count() == 2
    make_user("civil", roles=["complaints_officer"])
    login(client, "civil")
    detail = client.get(f"/complaints/{complaint_id}").get_data(as_text=True)
    assert detail.count("처리기한 알림") == 1  # on the official's timeline, once


def test_a_refused_job_shows_why_and_unknown_kinds_are_refused(app, runner):
    with app.app_context():
        job_id = jobs.enqueue("rates.route-pdf", run_id=999, route_code="1101")
        job = jobs.get(job_id)
        assert job.status == "failed" and job.error  # the refusal's message, for the page to show
        with pytest.raises(ValueError, match="no-such"):
            jobs.enqueue("no-such.job")
    result = runner.invoke(args=["erp", "run-job", "rates.relay"])
    assert result.exit_code == 0 and "done: 분개 0건 전달, 0건 대기" in result.output  # the deployment's language
    result = runner.invoke(args=["erp", "run-job", "nothing.here"])
    assert result.exit_code == 1 and "nothing.here" in result.output
    result = runner.invoke(args=["erp", "run-job", "rates.route-pdf", "--arg", "run_id=1", "--arg", "route_code=1101"])
    assert result.exit_code == 1 and "failed" in result.output
    result = runner.invoke(args=["erp", "reap"])
    assert result.exit_code == 0 and "0 job(s) sent again, 0 given up." in result.output
    result = runner.invoke(args=["erp", "enqueue", "rates.relay", "--key", "periodic:rates.relay"])
    assert result.exit_code == 0 and "queued" in result.output
    result = runner.invoke(args=["erp", "enqueue", "rates.relay", "--arg", "oops"])
    assert result.exit_code == 2 and "name=value" in result.output
    result = runner.invoke(args=["erp", "jobs"])
    assert "rates.route-pdf" in result.output and "failed" in result.output
    result = runner.invoke(args=["erp", "worker"])
    assert result.exit_code == 1 and "immediate" in result.output  # no worker for an immediate queue


def test_a_service_leaves_the_jobs_of_other_services_alone(app_factory, queued_app, tmp_path):
    """Split mode: the services share the job table; a job is run and reaped only by a worker
    of the service whose plugin declares it."""
    with queued_app.app_context():
        job_id = jobs.enqueue("rates.relay")
        _age(job_id, queued_at=utcnow() - timedelta(minutes=5))  # its message was lost
    accounting = app_factory(ERP_PLUGINS=["accounting"], ERP_QUEUE_URL=f"sqlite:///{tmp_path / 'other.sqlite'}")
    with accounting.app_context():
        services.execute(job_id)  # a message that reached the wrong service's worker
        assert services.reap() == (0, 0)
        assert (jobs.get(job_id).status, jobs.get(job_id).attempts) == ("pending", 0)
    with queued_app.app_context():
        assert services.reap() == (1, 0)  # the rates service's reaper takes it


def test_an_import_taken_over_after_its_answer_imports_once_and_answers_the_same(app, queued_app):
    from plugins.rates.repositories import customers as customer_repo
    from plugins.rates.services import customers as customer_service

    with queued_app.test_request_context():
        customer = customer_service.register(customer_service.CustomerInput(
            holder_name="김검침", address="한빛시 새길 2", use_type="household", route_code="1101"))
        customer_service.install_meter(customer.id, "T-IMP", 13, date(2026, 1, 1), start_reading=100)
        upload = jobs.keep_input(f"{customer.account_no},2026-10-05,125\n".encode(), "csv")
        job_id = jobs.enqueue("rates.import-readings", upload=upload)
        services.execute(job_id)
        answer = jobs.get(job_id).result
        # The worker died after answering, before the job was marked done: another takes it over.
        _age(job_id, status="running", heartbeat_at=utcnow() - timedelta(minutes=5))
        services.execute(job_id)
        again = jobs.get(job_id)
        assert (again.status, again.attempts, again.result) == ("done", 2, answer)
        assert [r.use for r in customer_repo.readings(customer.id)] == [25]
        # Killed between the import's commit and its answer: run again, it finds the reading recorded.
        (jobs.output_dir() / answer).unlink()
        _age(job_id, status="running", heartbeat_at=utcnow() - timedelta(minutes=5))
        jobs.input_path(upload).write_bytes(f"{customer.account_no},2026-10-05,125\n".encode())
        services.execute(job_id)
        outcome = json.loads((jobs.output_dir() / jobs.get(job_id).result).read_text(encoding="utf-8"))
        assert outcome == {"imported": 0, "already": 1, "errors": []}
        assert [r.use for r in customer_repo.readings(customer.id)] == [25]


def test_periodic_jobs_are_scheduled_on_the_office_clock(app):
    queue = app.extensions["erp_jobs"]
    schedules = {s.kind: s.cron for s in queue.schedules}
    assert schedules == {"rates.relay": "* * * * *", "budget.relay": "* * * * *", "complaints.remind": "0 8 * * *",
                         # the previous days' receipts nobody closed, booked after midnight
                         "rates.post-receipts": "30 0 * * *",
                         # the core's own: per-minute figures kept 30 days, the service checks that are due,
                         # ended sessions and spent rate-limit windows, the audit chains' anchors and their
                         # nightly verification (kept for the audit page and the administrator's home page)
                         "ops.cleanup": "17 3 * * *", "ops.checks": "* * * * *", "auth.cleanup": "*/15 * * * *",
                         "audit.anchor": "*/15 * * * *", "audit.verify": "40 2 * * *"}
    daily = queue._at(PeriodicJob("complaints.remind", "0 8 * * *"))
    # Huey's scheduler ticks in UTC: 08:00 in Seoul is 23:00 UTC the day before.
    assert daily(datetime(2026, 11, 25, 23, 0)) and not daily(datetime(2026, 11, 26, 8, 0))
    with pytest.raises(ValueError, match="five fields"):
        jobs.JobSet().periodic("x.y", "every day")


# --- a real worker, killed in the middle of a bill run ------------------------------------------

def _scalar(connection, sql, *params):
    cursor = connection.cursor()
    cursor.execute(sql, params)
    value = cursor.fetchone()
    cursor.close()
    connection.commit()
    return value


def _worker(env, log):
    command = [sys.executable, "-m", "flask", "erp", "worker", "--threads", "1"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # nosec B603


def _stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(params=["sqlite-file", "redis"])
def queue_settings(request, tmp_path):
    """The embedded default (a SQLite file) and Redis, with a name of this test's own."""
    name = f"erp-test-{uuid.uuid4().hex[:10]}"
    if request.param == "sqlite-file":
        yield {"ERP_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite'}", "ERP_QUEUE_NAME": name}
        return
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {error}")
    yield {"ERP_QUEUE_URL": REDIS_URL, "ERP_QUEUE_NAME": name}
    storage = make_huey(REDIS_URL, name).storage
    storage.flush_all()  # the queue, schedule and results of this test's name (Huey's own key names)
    leftovers = list(client.scan_iter(match=f"*{storage.name}*"))
    client.close()
    assert leftovers == []


def test_a_worker_killed_in_the_middle_of_a_bill_run_is_taken_over_and_bills_everyone_once(
        app_factory, database_url, tmp_path, queue_settings):
    customers = 20_000  # 200 blocks of 100: the run lasts long enough to be caught in the middle
    app = app_factory(**queue_settings)
    with app.app_context():
        load_tariff()
        synthetic(customers, date(2026, 10, 5))
        run = billing.start_run("2026-10", "monthly", "", date(2026, 11, 10))
        run_id = run.id
        job_id = jobs.enqueue("rates.bill-run", key=f"rates:bill-run:{run_id}", run_id=run_id, chunk=100)
        db.session.remove()
    env = {**os.environ, "DATABASE_URL": database_url, "ERP_INSTANCE_DIR": str(tmp_path), "FLASK_APP": "wsgi:app",
           "ERP_STORAGE_DIR": str(tmp_path / "storage"), "ERP_LOG_LEVEL": "WARNING", "ERP_JOB_STALE_SECONDS": "2",
           **queue_settings}
    engine = sa.create_engine(database_url)
    watcher = engine.raw_connection()
    mark = "?" if TEST_DB == "sqlite" else "%s"
    log = open(tmp_path / "worker.log", "wb")
    first = second = None
    try:
        first = _worker(env, log)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and first.poll() is None:
            if _count(watcher) > 0:
                first.send_signal(signal.SIGKILL)
                break
            time.sleep(0.002)
        first.wait(timeout=30)
        killed_at = _count(watcher)
        assert first.returncode == -signal.SIGKILL, (tmp_path / "worker.log").read_text()
        assert 0 < killed_at < customers  # stopped in the middle of the run
        status, attempts = _scalar(watcher, f"SELECT status, attempts FROM core_job WHERE id = {mark}", job_id)
        assert (status, attempts) == ("running", 1)  # its worker is gone; nothing says so but the heartbeat
        time.sleep(3)  # longer than ERP_JOB_STALE_SECONDS: the heartbeat is now old
        second = _worker(env, log)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and second.poll() is None:
            if _scalar(watcher, f"SELECT status FROM core_job WHERE id = {mark}", job_id)[0] in ("done", "failed"):
                break
            time.sleep(0.2)
        _stop(second)
        assert second.returncode == 0, (tmp_path / "worker.log").read_text()
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        log.close()
        watcher.close()
        engine.dispose()
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert (job.status, job.attempts, job.percent) == ("done", 2, 100), job.error
        per_customer = db.session.execute(sa.select(Bill.customer_id, sa.func.count()).group_by(Bill.customer_id)).all()
        assert len(per_customer) == customers and {count for _c, count in per_customer} == {1}
        runs = db.session.execute(sa.select(BillRun)).scalars().all()
        assert [(r.id, r.status, r.billed) for r in runs] == [(run_id, "finished", customers)]
        assert render(job.result) == f"고지서 {customers:,}건 발행, {runs[0].total_amount:,}원"
        postings = db.session.execute(sa.select(Outbox)).scalars().all()
        assert [(p.key, p.status) for p in postings] == [(f"rates:bill-run:{run_id}", "delivered")]
