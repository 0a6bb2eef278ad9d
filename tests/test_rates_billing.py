"""Bill runs, printed bills, move-out settlements and adjusting bills, against hand-computed
figures of the 포항시 tariff (water 585/990/1,265; sewerage 237/355/474; 13 mm meter 780 won;
water-use charge 170 won/㎥; amounts below 10 won dropped on every line)."""
import os
import re
import signal
import subprocess  # nosec B404 - the test runs the app's own CLI
import sys
import time
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import login, post_form
from flask_babel import force_locale
from pypdf import PdfReader

from erp import ports
from erp.common.errors import ServiceError
from erp.extensions import db
from plugins.rates.demo import load_tariff, synthetic
from plugins.rates.models import Bill, BillRun, Outbox
from plugins.rates.repositories import bills as repo
from plugins.rates.reports.bills import bills_pdf
from plugins.rates.services import adjustments, billing, postings
from plugins.rates.services import customers as customers_service

ROOT = Path(__file__).resolve().parent.parent
OCTOBER = "2026-10"
ISSUED = date(2026, 11, 10)


def _customer(name, use, *, households=1, reduction=None, held=False, read=True):
    customer = customers_service.register(customers_service.CustomerInput(
        holder_name=name, address=f"한빛시 한빛로 {use}", use_type="household", route_code="1101", households=households,
        virtual_account="농협 790-0000-01"))
    customers_service.install_meter(customer.id, f"T-{name}", 13, date(2026, 1, 1), start_reading=1000)
    if reduction:
        customers_service.grant_reduction(customer.id, reduction, date(2026, 1, 1), None, "증명서 확인")
    if read:
        reading = customers_service.read(customer.id, date(2026, 10, 5), 1000 + use)
        if held:
            customers_service.set_held(reading.id, True)
    return customer


@pytest.fixture
def town(app):
    """Five customers on route 1101: one household using 21 ㎥, an apartment of three households
    using 70 ㎥, a welfare recipient using 15 ㎥, one reading held, one not read."""
    with app.test_request_context():
        load_tariff()
        people = {"single": _customer("김일번", 21), "apartment": _customer("이아파트", 70, households=3),
                  "welfare": _customer("박복지", 15, reduction="WELFARE"), "held": _customer("최보류", 50, held=True),
                  "unread": _customer("정미검침", 0, read=False)}
        return {key: c.id for key, c in people.items()}


def _bill_of(customer_id):
    return db.session.execute(sa.select(Bill).where(Bill.customer_id == customer_id, Bill.kind == "regular")).scalar_one_or_none()


def _balances(codes):
    return {b.code: (b.debit, b.credit) for b in ports.get("accounting").account_balances(2026, 12, codes)}


def test_a_bill_run_bills_each_read_customer_once_with_the_right_amounts_and_posts_one_entry(app, town):
    with app.test_request_context():
        run = billing.start_run(OCTOBER, "monthly", "", ISSUED)
        assert run.expected == 5
        run = billing.execute(run.id)
        assert (run.status, run.billed) == ("finished", 3)

        single = _bill_of(town["single"])
        # 20 × 585 + 1 × 990; 20 × 237 + 1 × 355 = 5,095 → 5,090; 21 × 170
        assert (single.meter_amount, single.water_amount, single.sewer_amount, single.water_use_amount) == (780, 12_690, 5_090, 3_570)
        assert single.total == 22_130
        assert (single.prev_reading, single.curr_reading, single.use) == (1000, 1021, 21)
        # Three households: the first block is 60 ㎥, the second 90 ㎥.
        apartment = _bill_of(town["apartment"])
        assert (apartment.water_amount, apartment.sewer_amount, apartment.total) == (45_000, 17_770, 75_450)
        # 10 ㎥ off for the welfare recipient: 5 ㎥ charged of 15.
        welfare = _bill_of(town["welfare"])
        assert (welfare.water_amount, welfare.water_reduction, welfare.sewer_amount, welfare.sewer_reduction) == (8_770, -5_850, 3_550, -2_370)
        assert welfare.total == 7_430
        assert _bill_of(town["held"]) is None and _bill_of(town["unread"]) is None
        assert run.total_amount == 22_130 + 75_450 + 7_430
        assert {c.holder_name for c in repo.unbilled(OCTOBER, "monthly", "", run.period_start)} == {"최보류", "정미검침"}

        # One entry for the run: receivable against water revenue, the sewerage fee and the water-use charge held.
        assert _balances(["1113", "611-01", "2116", "2115"]) == {
            "1113": (105_010, 0), "611-01": (0, 62_950), "2116": (0, 24_040), "2115": (0, 18_020)}
        assert postings.relay() == (0, 0)

        # Nothing is billed twice: running the run again changes nothing, and the database refuses a duplicate.
        assert billing.execute(run.id).billed == 3
        assert db.session.execute(sa.select(sa.func.count()).select_from(Bill)).scalar() == 3
        duplicate = Bill(number="dup", customer_id=town["single"], period=OCTOBER, kind="regular", use_type="household",
                         diameter=13, period_start=date(2026, 10, 1), period_end=date(2026, 10, 31), issued_on=ISSUED, due_on=ISSUED)
        db.session.add(duplicate)
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()

        # Released and read, the held customer is billed by a second run of the same month.
        reading = customers_service.set_held(repo.period_readings(town["held"], date(2026, 10, 1), date(2026, 10, 31))[0].id, False)
        assert not reading.held
        second = billing.execute(billing.start_run(OCTOBER, "monthly", "", ISSUED).id)
        assert second.billed == 1 and _bill_of(town["held"]).use == 50
        customers_service.read(town["unread"], date(2026, 10, 6), 1001)
        assert billing.execute(billing.start_run(OCTOBER, "monthly", "", ISSUED).id).billed == 1
        with pytest.raises(ServiceError, match="이미 부과했습니다"):
            billing.start_run(OCTOBER, "monthly", "", ISSUED)


def test_bimonthly_runs_cannot_bill_the_same_month_twice(app, town):
    with app.test_request_context():
        pair = customers_service.register(customers_service.CustomerInput(
            holder_name="한격월", address="한빛시 한빛로 2", use_type="household", route_code="1101", cycle="bimonthly"))
        customers_service.install_meter(pair.id, "T-격월", 13, date(2026, 1, 1), start_reading=500)
        customers_service.read(pair.id, date(2026, 10, 5), 540)
        run = billing.execute(billing.start_run("2026-09", "bimonthly", "", ISSUED).id)  # September and October
        assert (run.billed, _bill_of(pair.id).use) == (1, 40)
        with pytest.raises(ServiceError, match="2026-09") as refused:
            billing.start_run(OCTOBER, "bimonthly", "1101", date(2026, 12, 10))  # October again, and November
        assert "2026-09-01 ~ 2026-10-31" in str(refused.value)
        assert billing.start_run("2026-11", "bimonthly", "", date(2027, 1, 10)).period_start == date(2026, 11, 1)


def test_bad_runs_are_refused(app, town):
    with app.test_request_context(), force_locale("en"):
        for args, message in [(("2026-13",), "YYYY-MM"), (("octobre",), "YYYY-MM"), (("2026-10", "weekly"), "monthly or bimonthly"),
                              (("2026-10", "monthly", "9999"), "no route"), (("2026-11", "monthly", "", ISSUED), "after the period"),
                              (("2000-01", "monthly", "", ISSUED), "No tariff")]:
            with pytest.raises(ServiceError, match=message):
                billing.start_run(*args)
        assert db.session.execute(sa.select(sa.func.count()).select_from(BillRun)).scalar() == 0


def test_the_printed_bill_shows_the_customer_readings_and_amounts(app, town):
    with app.test_request_context():
        billing.execute(billing.start_run(OCTOBER, "monthly", "", ISSUED).id)
        bill = _bill_of(town["single"])
        meter = bill.customer.meters[0].serial
        page = PdfReader(BytesIO(bills_pdf([bill], "한빛시 상수도사업소", "031-481-2114"))).pages[0]
        text = page.extract_text()
    for expected in ("상하수도요금 고지서", "2026년 10월분", bill.customer.account_no, "김일번", "1,021", "21 ㎥",
                     "12,690", "5,090", "3,570", "22,130", "농협 790-0000-01", "한빛시 상수도사업소", "2026-11-30",
                     f"{meter} · 구경 13 mm", "문의 031-481-2114"):
        assert expected in text, expected
    # Every font on the bill is the embedded Korean one (none left for the reader to substitute).
    fonts = [font.get_object() for font in page["/Resources"]["/Font"].values()]
    assert fonts and all("NanumGothic" in font["/BaseFont"] and "/FontFile2" in font["/FontDescriptor"] for font in fonts)


def test_the_printed_bill_compares_the_use_with_the_previous_month(app, town):
    with app.test_request_context():
        billing.execute(billing.start_run(OCTOBER, "monthly", "", ISSUED).id)
        customers_service.read(town["single"], date(2026, 11, 5), 1021 + 18)
        billing.execute(billing.start_run("2026-11", "monthly", "", date(2026, 12, 10)).id)
        november = db.session.execute(sa.select(Bill).where(Bill.customer_id == town["single"],
                                                            Bill.period == "2026-11")).scalar_one()
        text = PdfReader(BytesIO(bills_pdf([november], "한빛시 상수도사업소"))).pages[0].extract_text()
    assert "사용량 비교" in text
    assert "전월 21㎥ · 전년 동월 -" in text  # no bill of November 2025
    assert "전월 대비 -3㎥" in text  # 18 ㎥ against 21 ㎥
    assert "10월" in text and "11월" in text


def test_a_move_out_is_settled_by_the_days_used_without_reductions(app, town):
    with app.test_request_context():
        customers_service.read(town["welfare"], date(2026, 11, 5), 1015 + 10)
        bill = adjustments.settle_move_out(town["welfare"], date(2026, 11, 20), 1015 + 14)
        # 14 ㎥ over 20 of 30 days: block limits and meter charge × 20/30, no welfare reduction.
        assert (bill.kind, bill.use, bill.reductions) == ("settlement", 14, "")
        assert (bill.meter_amount, bill.water_amount, bill.sewer_amount, bill.water_use_amount) == (520, 8_460, 3_390, 2_380)
        assert bill.total == 14_750
        assert repo.outbox_by_key(f"rates:bill:{bill.number}").status == "delivered"
        with pytest.raises(ServiceError):
            adjustments.settle_move_out(town["welfare"], date(2026, 11, 21), 1015 + 15)


def test_a_correction_is_an_adjusting_bill_naming_the_original(app, town):
    with app.test_request_context():
        billing.execute(billing.start_run(OCTOBER, "monthly", "", ISSUED).id)
        original = _bill_of(town["single"])
        adjusting = adjustments.adjust(original.id, use=11, reason="검침 오류", reference="C-1")
        # 11 ㎥: 6,435 → 6,430; 2,607 → 2,600; 1,870; 780 = 11,680, i.e. 10,450 less than billed.
        assert (adjusting.kind, adjusting.original_id, adjusting.total) == ("adjusting", original.id, -10_450)
        assert adjusting.number == f"{original.number}-A1"
        assert adjustments.adjust(original.id, use=11, reason="검침 오류", reference="C-1").id == adjusting.id
        db.session.refresh(original)
        assert original.total == 22_130  # the issued bill never changes
        assert _balances(["1113"])["1113"] == (105_010, 10_450)
        for kwargs, message in [(dict(use=-1, reason="x"), "0 이상의 정수"), (dict(use=11, reason=""), "조정 사유"),
                                (dict(use=11, reason="same again"), "조정할 것이 없습니다")]:
            with pytest.raises(ServiceError, match=message):
                adjustments.adjust(original.id, **kwargs)


def test_a_bill_objection_creates_exactly_one_adjusting_bill(app, client, town, make_user):
    from plugins.complaints.services import complaints as complaints_service

    make_user("clerk", roles=["complaints_coordinator"])  # of every department's complaints
    with app.test_request_context():
        billing.execute(billing.start_run(OCTOBER, "monthly", "", ISSUED).id)
        original = _bill_of(town["single"])
        complaint = complaints_service.file("BILL_OBJECTION", title="요금이 이상합니다", body="검침이 잘못된 것 같습니다",
                                            name="김일번", phone="010-1234-5678", customer_no=original.customer.account_no)
        complaint_id, receipt, number = complaint.id, complaint.receipt_no, original.number
    login(client, "clerk")
    page = client.get(f"/complaints/{complaint_id}").get_data(as_text=True)
    assert number in page  # the form proposes the customer's latest bill
    for _ in range(2):  # a double click
        response = post_form(client, f"/complaints/{complaint_id}/billing", {"billing-bill_number": number,
                                                                             "billing-corrected_use": "11"},
                             page=f"/complaints/{complaint_id}")
        assert response.status_code == 302
    with app.app_context():
        adjusting = db.session.execute(sa.select(Bill).where(Bill.kind == "adjusting")).scalars().all()
        assert [(b.reference, b.total, b.original.number) for b in adjusting] == [(receipt, -10_450, number)]
    page = client.get(f"/complaints/{complaint_id}").get_data(as_text=True)
    assert f"{number}-A1" in page and "-10,450" in page


def test_a_leak_reduction_through_the_port(app, town):
    with app.test_request_context():
        for month, value in ((7, 1010), (8, 1020), (9, 1030)):  # 10 ㎥ a month before the leak
            customers_service.read(town["unread"], date(2026, month, 5), value)
        customers_service.read(town["unread"], date(2026, 10, 5), 1070)  # 40 ㎥: 30 above the average
        billing.execute(billing.start_run(OCTOBER, "monthly", "", ISSUED).id)
        original = _bill_of(town["unread"])
        info = ports.get("rates").leak_reduction(original.number, reason="벽 속 배관 누수", reference="2026-MW-000001")
        # Half of the 30 ㎥ above the average is taken off: charged as 25 ㎥ instead of 40.
        assert info.kind == "adjusting" and info.original_number == original.number
        # Each line is truncated on its own: sewerage 11,840 less 5,325 → 5,320 off.
        water, water_off = 20 * 585 + 20 * 990, 15 * 990
        sewer, sewer_off = 20 * 237 + 20 * 355, 5_320
        assert original.total + info.total == 780 + water - water_off + sewer - sewer_off + 40 * 170 == 30_750
        assert ports.get("rates").leak_reduction(original.number, reason="다시", reference="2026-MW-000001") == info
        with pytest.raises(ServiceError):
            ports.get("rates").leak_reduction("no-such-bill", reason="x", reference="y")


def test_the_bills_of_a_large_run_are_listed_page_by_page(app, client, make_user):
    """More than one page of bills (a new user found any run of more than 50 bills gave an error)."""
    make_user("clerk", roles=["rates_clerk"])
    with app.test_request_context():
        load_tariff()
        synthetic(120, date(2026, 10, 5))
        run = billing.start_run(OCTOBER, "monthly", "", ISSUED)
        billing.execute(run.id)
        run_id = run.id
    login(client, "clerk")
    first = client.get(f"/rates/bill-runs/{run_id}/bills")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "1 / 3" in html and f'href="/rates/bill-runs/{run_id}/bills?page=2"' in html
    last = client.get(f"/rates/bill-runs/{run_id}/bills?page=3").get_data(as_text=True)
    assert "3 / 3" in last and f'href="/rates/bill-runs/{run_id}/bills?page=2"' in last and last.count("202610-") == 20


def _count(connection):
    """Bills written so far, read on the driver's connection: a plain read that takes no write
    lock (the app's SQLite transactions begin IMMEDIATE) and ends its snapshot at once."""
    cursor = connection.cursor()
    cursor.execute("SELECT COUNT(*) FROM rates_bill")
    count = cursor.fetchone()[0]
    cursor.close()
    connection.commit()
    return count


def test_a_bill_run_killed_in_the_middle_resumes_and_bills_everyone_exactly_once(app, database_url, tmp_path):
    customers = 20_000  # 200 blocks of 100: the run lasts long enough to be caught in the middle
    with app.app_context():
        load_tariff()
        synthetic(customers, date(2026, 10, 5))
    env = {**os.environ, "DATABASE_URL": database_url, "ERP_INSTANCE_DIR": str(tmp_path), "FLASK_APP": "wsgi:app",
           "ERP_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "flask", "rates", "bill-run", OCTOBER, "--issued", "2026-11-10", "--chunk", "100"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # nosec B603
    engine = sa.create_engine(database_url)
    watcher = engine.raw_connection()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if _count(watcher) > 0:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    process.wait(timeout=30)
    killed_at = _count(watcher)
    watcher.close()
    engine.dispose()
    assert process.returncode == -signal.SIGKILL, process.stderr.read()
    assert 0 < killed_at < customers  # stopped in the middle of the run
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # nosec B603
    assert finished.returncode == 0, finished.stderr
    assert f"Finished: {customers:,} bills" in finished.stdout
    with app.app_context():
        per_customer = db.session.execute(sa.select(Bill.customer_id, sa.func.count()).group_by(Bill.customer_id)).all()
        assert len(per_customer) == customers and {count for _c, count in per_customer} == {1}
        runs = db.session.execute(sa.select(BillRun)).scalars().all()
        assert [(r.status, r.billed) for r in runs] == [("finished", customers)]  # the same run, resumed
        total = db.session.execute(sa.select(sa.func.sum(Bill.total))).scalar()
        assert runs[0].total_amount == total
        postings = db.session.execute(sa.select(Outbox)).scalars().all()
        assert [(p.key, p.status) for p in postings] == [(f"rates:bill-run:{runs[0].id}", "delivered")]
    with app.test_request_context():
        assert _balances(["1113"])["1113"] == (total, 0)


def test_the_clerk_runs_billing_on_the_web_and_prints_a_route(app, client, town, make_user):
    make_user("billing", roles=["rates_clerk"])
    login(client, "billing")
    response = post_form(client, "/rates/bill-runs", {"period": OCTOBER, "cycle": "monthly", "route_code": "1101",
                                                      "issued_on": "2026-11-10", "due_on": ""})
    assert response.status_code == 302
    run_url = response.headers["Location"]
    deadline = time.monotonic() + 30
    while "finished" not in (page := client.get(run_url).get_data(as_text=True)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "105,010" in page and "최보류" in page  # the total, and who was not billed
    with app.app_context():
        run_id = db.session.execute(sa.select(BillRun.id)).scalar_one()
    printing = post_form(client, f"/rates/bill-runs/{run_id}/routes/1101/print", {}, page=run_url)
    assert printing.status_code == 302
    print_page = client.get(printing.headers["Location"]).get_data(as_text=True)
    download = re.search(r'id="print-download" href="([^"]+)"', print_page)
    assert download, print_page  # the batch is a job; its page links the file when it is ready
    pdf = client.get(download.group(1))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert f'href="{printing.headers["Location"]}"' in client.get(run_url).get_data(as_text=True)  # the run page links the last print
    assert post_form(client, f"/rates/bill-runs/{run_id}/routes/9999/print", {}, page=run_url).status_code == 404
    reader = PdfReader(BytesIO(pdf.data))
    assert len(reader.pages) == 3 and "75,450" in reader.pages[1].extract_text() + reader.pages[0].extract_text() + reader.pages[2].extract_text()
    bad = post_form(client, "/rates/bill-runs", {"period": "2026-1", "cycle": "monthly", "route_code": ""}, page="/rates/bill-runs")
    assert bad.status_code == 200 and "YYYY-MM" in bad.get_data(as_text=True)
    assert client.get("/rates/bills/999999").status_code == 404
    with app.app_context():
        bill_id = _bill_of(town["single"]).id
    bill_page = client.get(f"/rates/bills/{bill_id}").get_data(as_text=True)
    assert "22,130" in bill_page and "전표 2026-JE-" in bill_page  # the bill and the run's posting to the books


def test_a_bill_run_whose_job_failed_says_why_and_continues_from_the_page(app, client, town, make_user):
    from erp.jobs.models import Job

    make_user("billing", roles=["rates_clerk"])
    login(client, "billing")
    with app.test_request_context():
        run_id = billing.start_run(OCTOBER, "monthly", "1101", ISSUED).id
        # What a worker leaves when the job broke (e.g. the database went away mid-run).
        db.session.add(Job(kind="rates.bill-run", key=f"rates:bill-run:{run_id}", args=f'{{"run_id": {run_id}}}',
                           status="failed", attempts=1, error="OperationalError: server has gone away"))
        db.session.commit()
    run_url = f"/rates/bill-runs/{run_id}"
    page = client.get(run_url).get_data(as_text=True)
    assert "server has gone away" in page and f"/rates/bill-runs/{run_id}/resume" in page
    resumed = post_form(client, f"/rates/bill-runs/{run_id}/resume", {}, page=run_url, follow=True)
    assert resumed.status_code == 200 and "105,010" in resumed.get_data(as_text=True)  # a new job finished the run
    with app.app_context():
        jobs_of_run = db.session.execute(sa.select(Job.status).where(Job.key == f"rates:bill-run:{run_id}").order_by(Job.id)).scalars().all()
        assert jobs_of_run == ["failed", "done"]


def test_the_bill_names_the_meter_in_service_on_the_reading_day():
    from types import SimpleNamespace

    from plugins.rates.reports.bills import meter_serial

    old = SimpleNamespace(serial="OLD-1", installed_on=date(2020, 1, 1), removed_on=date(2026, 10, 15))
    new = SimpleNamespace(serial="NEW-2", installed_on=date(2026, 10, 15), removed_on=None)
    bill = SimpleNamespace(read_on=date(2026, 10, 5), period_end=date(2026, 10, 31))
    assert meter_serial([old, new], bill) == "OLD-1"
    assert meter_serial([old, new], SimpleNamespace(read_on=None, period_end=date(2026, 10, 31))) == "NEW-2"
    assert meter_serial([], bill) == "-"


def test_a_run_s_bills_download_as_excel(app, client, town, make_user):
    from openpyxl import load_workbook

    from conftest import login

    with app.test_request_context():
        run_id = billing.start_run(OCTOBER, "monthly", "", ISSUED).id
        billing.execute(run_id)
        number = _bill_of(town["single"]).number
    make_user("clerk", roles=["rates_clerk"])
    login(client, "clerk")
    response = client.get(f"/rates/bill-runs/{run_id}/bills", query_string={"route": "1101", "format": "xlsx"})
    cells = [c for row in load_workbook(BytesIO(response.data)).active.iter_rows(values_only=True) for c in row if c is not None]
    assert number in cells and 22_130 in cells and "김일번" in cells
