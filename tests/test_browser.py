"""A browser test: Playwright driving Debian's Chromium against the app on 127.0.0.1."""
import threading

import pytest
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ko-KR"}


@pytest.fixture(autouse=True)
def no_csp_violations(page):
    """Every page these tests open works under the Content-Security-Policy: Chromium reports each
    script, style or frame it blocked on the console, and any such report fails the test."""
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    yield refused
    assert not refused, refused


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_admin_creates_a_user_who_then_logs_in_and_sees_the_korean_navigation(app, live_server, page, make_user, tmp_path):
    make_user("admin", roles=["sysadmin"], name="김관리", password="Chief-Pass-2026")
    page.set_default_timeout(15000)

    page.goto(f"{live_server}/login")
    page.fill("#username", "admin")
    page.fill("#password", "Chief-Pass-2026")
    page.click(".login-card button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    assert "김관리" in page.inner_text(".user-box")

    page.click("nav.sidebar >> text=사용자")
    page.click("text=새 사용자")
    page.fill("#username", "lee")
    page.fill("#name", "이감사")
    page.get_by_label("감사관", exact=True).check()
    page.fill("#password", "Water-Audit-2026")
    page.fill("#confirm", "Water-Audit-2026")
    page.click("button:has-text('만들기')")
    assert "lee 사용자를 만들었습니다" in page.inner_text(".flashes")

    page.click("button:has-text('로그아웃')")
    page.wait_for_url(f"{live_server}/login")
    page.fill("#username", "lee")
    page.fill("#password", "Water-Audit-2026")
    page.click(".login-card button[type=submit]")
    page.wait_for_url(f"{live_server}/")

    nav = page.inner_text("nav.sidebar")
    assert "홈" in nav and "관리" in nav and "감사 로그" in nav
    assert "사용자" not in nav.replace("감사 로그", "")  # an auditor does not manage users
    assert "이감사" in page.inner_text(".user-box")
    page.screenshot(path=str(tmp_path / "korean-navigation.png"), full_page=True)


def _log_in(page, base, username, password):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click(".login-card button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_accountant_drafts_chief_approves_and_the_statements_show_it(app, live_server, page, make_user, tmp_path):
    from datetime import date

    make_user("acct", roles=["accountant"], name="최회계", password="Ledger-Book-2026")
    make_user("chief", roles=["chief_accountant"], name="정출납", password="Ledger-Head-2026")
    page.set_default_timeout(15000)
    year = date.today().year

    _log_in(page, live_server, "acct", "Ledger-Book-2026")
    page.click("nav.sidebar >> text=전표 작성")
    page.fill("#entry_date", f"{year}-03-05")
    page.fill("#memo", "3월 가압장 전기요금")
    page.fill("#lines-0-account", "5208")
    page.fill("#lines-0-debit", "1,234,560")
    page.fill("#lines-1-account", "1111")
    page.fill("#lines-1-credit", "1,234,560")
    page.click("button:has-text('저장')")
    assert "회계책임자가 승인하면 전기됩니다" in page.inner_text(".flashes")
    entry_url = page.url
    page.click("button:has-text('로그아웃')")
    page.wait_for_url(f"{live_server}/login")

    _log_in(page, live_server, "chief", "Ledger-Head-2026")
    # His home page lists the draft waiting for him; it opens from there.
    drafts = page.locator("[data-panel=accounting-drafts]")
    assert "결재 대기 전표" in drafts.inner_text() and "1" in drafts.locator("dd").first.inner_text()
    drafts.locator("a:has-text('3월 가압장 전기요금')").click()
    page.wait_for_url(entry_url)
    page.click("button:has-text('승인(전기)')")
    assert f"{year}-JE-000001 전표를 전기했습니다" in page.inner_text(".flashes")

    page.click("nav.sidebar >> text=합계잔액시산표")
    row = page.locator("tr", has_text="5208 동력비")
    assert "1,234,560" in row.inner_text()
    assert "일치" in page.inner_text("tfoot")

    page.click("nav.sidebar >> text=재무상태표")
    with page.expect_download() as download_info:
        page.evaluate("url => { const a = document.createElement('a'); a.href = url; a.download = 'bs.pdf'; document.body.appendChild(a); a.click(); }",
                      page.locator("a:has-text('PDF')").get_attribute("href"))
    path = tmp_path / "balance-sheet.pdf"
    download_info.value.save_as(path)
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(str(path)).pages)
    assert "재무상태표" in text and "1,234,560" in text


def test_chief_returns_a_draft_with_a_reason_the_accountant_reads_it_and_resubmits(app, live_server, page, make_user):
    from datetime import date

    from erp.audit.services import acting_as
    from plugins.accounting.data import PostingLine
    from plugins.accounting.services import journal

    make_user("acct", roles=["accountant"], name="최회계", password="Ledger-Book-2026")
    make_user("chief", roles=["chief_accountant"], name="정출납", password="Ledger-Head-2026")
    with app.test_request_context(), acting_as(None, "acct"):
        journal.create_draft(date(2026, 4, 8), "정수장 약품 구입", [
            PostingLine("5209", debit=3_300_000, memo="응집제"), PostingLine("1111", credit=3_300_000)])
    page.set_default_timeout(15000)

    _log_in(page, live_server, "chief", "Ledger-Head-2026")
    drafts = page.locator("[data-panel=accounting-drafts]")
    drafts.locator("a:has-text('정수장 약품 구입')").click()
    page.wait_for_selector("textarea#reason")
    page.fill("#reason", "응집제는 약품비가 아니라 재료비 계정 확인 바랍니다. 납품 검수조서 첨부 필요")
    page.click("form[action$='/return'] button:has-text('반려')")
    assert "사유와 함께 임시 전표를 기안자에게 반려했습니다" in page.inner_text(".flashes")
    page.goto(f"{live_server}/")
    assert "정수장 약품 구입" not in page.locator("[data-panel=accounting-drafts]").inner_text()
    page.click("button:has-text('로그아웃')")
    page.wait_for_url(f"{live_server}/login")

    # The accountant finds the draft marked 반려 in the list, and reads who returned it and why.
    _log_in(page, live_server, "acct", "Ledger-Book-2026")
    page.click("nav.sidebar >> text=전표 조회")
    row = page.locator("tr", has_text="정수장 약품 구입")
    assert "반려" in row.inner_text()
    row.locator("a").first.click()
    returned = page.locator("section.returned")
    assert "기안자에게 반려됨" in returned.inner_text()
    assert returned.locator(".return-reason").inner_text() == "응집제는 약품비가 아니라 재료비 계정 확인 바랍니다. 납품 검수조서 첨부 필요"
    assert "정출납" in returned.inner_text()
    page.click("button:has-text('재상신')")
    assert "임시 전표를 다시 결재 요청했습니다" in page.inner_text(".flashes")
    assert page.locator("section.returned").count() == 0
    page.click("button:has-text('로그아웃')")
    page.wait_for_url(f"{live_server}/login")

    _log_in(page, live_server, "chief", "Ledger-Head-2026")
    assert "정수장 약품 구입" in page.locator("[data-panel=accounting-drafts]").inner_text()


def test_a_department_requests_the_office_approves_an_official_commits_and_pays(app, live_server, page, make_user):
    from datetime import date

    from erp.auth import services as auth
    from plugins.budget.services import structure

    year = date.today().year
    with app.test_request_context():
        auth.save_department(None, code="WS-PUR", name="정수과")
        structure.add_project(year, "policy", "P1", "안정적 수돗물 공급")
        structure.add_project(year, "unit", "U11", "시설 운영", "P1")
        structure.add_project(year, "detail", "D111", "정수장 운영", "U11", "WS-PUR")
        line = structure.add_line(year, part="revenue", side="expenditure", item_code="206", sub_code="01",
                                  name="일반재료비(정수 약품)", account_code="5209", project_code="D111")
        line_id, line_code = line.id, line.code
    make_user("officer", roles=["budget_officer"], name="이예산", password="Budget-Desk-2026")
    make_user("approver", roles=["budget_approver"], name="박승인", password="Budget-Head-2026")
    page.set_default_timeout(15000)

    _log_in(page, live_server, "officer", "Budget-Desk-2026")
    page.click("nav.sidebar >> text=예산 편성·추경")
    page.click("button:has-text('다음 예산 편성 시작')")
    assert "본예산 편성을 시작했습니다" in page.inner_text(".flashes")
    version_url = page.url
    page.select_option("#b-line_id", str(line_id))
    page.fill("#b-description", "응집제(PAC)")
    page.fill("#b-unit_price", "1,150")
    page.fill("#b-quantity", "20000")
    page.fill("#b-months", "1")
    page.click("form:has(#b-description) button[type=submit]")
    assert "산출기초를 추가했습니다" in page.inner_text(".flashes")
    page.click("button:has-text('로그아웃')")
    page.wait_for_url(f"{live_server}/login")

    _log_in(page, live_server, "approver", "Budget-Head-2026")
    page.goto(version_url)
    page.click("button:has-text('이 예산 확정')")
    assert "확정했습니다" in page.inner_text(".flashes")
    page.click("button:has-text('로그아웃')")
    page.wait_for_url(f"{live_server}/login")

    _log_in(page, live_server, "officer", "Budget-Desk-2026")
    page.click("nav.sidebar >> text=예산 집행")
    page.select_option("#line_id", str(line_id))
    page.fill("#committed_on", date.today().isoformat())
    page.fill("#vendor", "(주)한빛화학")
    page.fill("#description", "응집제 구매")
    page.fill("#amount", "7,500,000")
    page.click("button:has-text('지출원인행위 등록')")
    assert f"{year}-CM-000001" in page.inner_text(".flashes")
    commitment_url = page.url

    def approved_by_the_approver():  # 결재: the commitment, then the resolution, by another official
        page.click("button:has-text('로그아웃')")
        page.wait_for_url(f"{live_server}/login")
        _log_in(page, live_server, "approver", "Budget-Head-2026")
        page.goto(commitment_url)
        page.click("form[action$='/approve'] button:has-text('승인')")
        assert "결재했습니다" in page.inner_text(".flashes")
        page.click("button:has-text('로그아웃')")
        page.wait_for_url(f"{live_server}/login")
        _log_in(page, live_server, "officer", "Budget-Desk-2026")
        page.goto(commitment_url)

    approved_by_the_approver()
    page.fill("#on", date.today().isoformat())
    page.click("form:has(#on) button[type=submit]")
    assert "지출결의했습니다" in page.inner_text(".flashes")
    approved_by_the_approver()
    page.fill("#on", date.today().isoformat())
    page.click("form:has(#on) button[type=submit]")
    assert "회계에 전기되었습니다" in page.inner_text(".flashes")

    page.click("nav.sidebar >> text=예산 대비 집행")
    row = page.locator("tr", has_text=line_code).inner_text()
    assert "23,000,000" in row and "7,500,000" in row and "15,500,000" in row and "32.6%" in row


def test_a_citizen_files_an_official_replies_and_the_citizen_reads_the_reply(app, live_server, page, make_user, tmp_path):
    from erp.auth import services as auth

    with app.test_request_context():
        supply = auth.save_department(None, code="WS-SUP", name="급수과").id  # a leak report is its
    make_user("civil", roles=["complaints_officer"], name="윤민원", password="Minwon-Desk-2026", department_id=supply)
    photo = tmp_path / "누수사진.png"
    photo.write_bytes(bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f5d6b50000000049454e44ae426082"))
    page.set_default_timeout(15000)

    page.goto(f"{live_server}/login")
    page.click("a.public-link:has-text('민원 신청')")
    page.select_option("#type_code", "LEAK_REPORT")
    page.fill("#title", "보도에서 물이 새어 나옵니다")
    page.fill("#body", "한빛로 23 앞 보도에서 어제부터 물이 계속 새어 나옵니다.")
    page.fill("#name", "박지훈")
    page.fill("#phone", "010-2222-3333")
    page.set_input_files("#attachments", str(photo))
    page.check("#agree")
    page.click("button:has-text('신청')")
    receipt_no = page.inner_text("#receipt-no").strip()
    assert receipt_no.endswith("-MW-000001")

    citizen_url = page.url
    page.context.clear_cookies()
    _log_in(page, live_server, "civil", "Minwon-Desk-2026")
    page.click("nav.sidebar >> text=민원 처리함")
    page.click(f"text={receipt_no}")
    assert "누수사진.png" in page.inner_text("main")
    page.select_option("#assign-user_id", label="윤민원 (civil)")
    page.click("form:has(#assign-user_id) button[type=submit]")
    page.fill("#note-text", "현장 확인 결과 보도 아래 배관 파손")  # the internal memo: never shown to the citizen
    page.click("#memo-box button[type=submit]")
    page.fill("#reply-text", "현장을 확인하여 누수 지점을 보수하였습니다. 신고해 주셔서 감사합니다.")
    page.click("#reply-box button:has-text('처리 완료')")
    assert "처리 완료" in page.inner_text("main")
    page.click("button:has-text('로그아웃')")

    page.goto(f"{live_server}/complaints/status")
    page.fill("#receipt_no", receipt_no)
    page.fill("#phone", "010-2222-3333")
    page.click("main button[type=submit]")
    assert "처리 완료" in page.inner_text("#complaint-status")
    assert "보수하였습니다" in page.inner_text("#complaint-reply")
    assert "배관 파손" not in page.inner_text("main")
    assert citizen_url.endswith("/complaints/receipt")


def test_a_clerk_registers_a_customer_reads_the_meter_bills_the_route_and_opens_the_bill(app, live_server, page, make_user):
    from plugins.rates.demo import load_tariff

    with app.test_request_context():
        load_tariff()
    make_user("clerk", roles=["rates_clerk"], name="한요금", password="Water-Bill-2026")
    page.set_default_timeout(20000)
    _log_in(page, live_server, "clerk", "Water-Bill-2026")

    page.click("nav.sidebar >> text=수용가")
    page.click("text=수용가 등록")
    page.fill("#holder_name", "홍길동")
    page.fill("#address", "한빛시 물길로 7")
    page.select_option("#use_type", "household")
    page.fill("#route_code", "7701")
    page.click("button:has-text('등록')")
    assert "7701-00001-" in page.inner_text(".flashes")

    meter = page.locator("form:has(input[name=action][value=meter])")
    meter.locator("#m-serial").fill("HB-7701-1")
    meter.locator("#m-diameter").select_option("13")
    meter.locator("#m-installed_on").fill("2026-09-01")
    meter.locator("#m-start_reading").fill("100")
    meter.locator("button[type=submit]").click()
    reading = page.locator("form:has(input[name=action][value=read])")
    reading.locator("#r-read_on").fill("2026-10-05")
    reading.locator("#r-value").fill("121")
    reading.locator("button[type=submit]").click()
    assert "21" in page.inner_text(".flashes")

    page.click("nav.sidebar >> text=정기부과")
    page.fill("#period", "2026-10")
    page.select_option("#route_code", "7701")
    page.fill("#issued_on", "2026-11-10")
    page.click("button:has-text('부과 시작')")
    page.wait_for_selector("text=완료")  # the progress page refreshes itself until the run is done
    assert "22,130" in page.inner_text("main")  # 780 + 12,690 + 5,090 + 3,570

    page.click("a:has-text('7701')")
    page.click("a:has-text('202610-')")
    assert "22,130" in page.inner_text("#bill-total")
    response = page.request.get(live_server + page.locator("a:has-text('고지서 인쇄')").get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    from io import BytesIO

    from pypdf import PdfReader

    text = PdfReader(BytesIO(response.body())).pages[0].extract_text()
    assert "홍길동" in text and "22,130" in text and "상하수도요금 고지서" in text


def test_administrator_sees_the_operations_charts_and_a_prediction_warning(app, live_server, page, make_user, monkeypatch,
                                                                             tmp_path):
    from datetime import datetime, timedelta

    import sqlalchemy as sa

    from erp.extensions import db
    from erp.ops import dashboard
    from erp.ops.models import COUNTER_COLUMNS, OpsMinute

    now = datetime(2026, 11, 26, 1, 0)
    monkeypatch.setattr(dashboard, "utcnow", lambda: now)
    # 20 minutes of 1,000 requests on two instances; minute i has i errors: the error rate climbs
    # 0.1 % a minute to 1.9 % and reaches the 5 % threshold in (5 - 1.9) / 0.1 = 31 minutes.
    rows = []
    for i in range(20):
        for instance, share in (("web-1", 600), ("web-2", 400)):
            row = {c: 0 for c in COUNTER_COLUMNS}
            row.update(minute=now - timedelta(minutes=19 - i), instance=instance, endpoint="/api/rates/quote",
                       requests=share, errors=i if instance == "web-1" else 0, apdex_satisfied=share, b_50ms=share,
                       duration_ms_sum=share * 30)
            rows.append(row)
    with app.app_context():
        db.session.execute(sa.insert(OpsMinute), rows)
        db.session.commit()
    make_user("admin", roles=["sysadmin"], name="김관리", password="Chief-Pass-2026")
    page.set_default_timeout(15000)
    _log_in(page, live_server, "admin", "Chief-Pass-2026")

    page.click("nav.sidebar >> text=운영 현황")
    page.wait_for_url(f"{live_server}/ops/")
    assert page.inner_text(".prediction") == "오류율이 약 31분 후 5%를 넘을 것으로 예상됩니다."
    for chart in ("tps", "latency", "errors", "apdex"):
        canvas = page.locator(f"#chart-{chart}")
        page.wait_for_function(f"document.getElementById('chart-{chart}').dataset.ready === '1'")
        box = canvas.bounding_box()
        assert box["width"] > 200 and box["height"] > 100
    # Chart.js drew the series it was given: 60 points of the hour, 1,000 requests a minute = 16.67/s.
    tps = page.evaluate("Chart.getChart('chart-tps').data.datasets[0].data")
    assert len(tps) == 60 and tps[-1] == 16.667 and tps[0] == 0
    # … beside one line per instance: 600 and 400 requests a minute.
    lines = page.evaluate("Chart.getChart('chart-tps').data.datasets.map(d => [d.label, d.data[59]])")
    assert lines[1:] == [["web-1", 10], ["web-2", 6.667]]
    assert "web-1" in page.inner_text("#instances") and "web-2" in page.inner_text("#instances")
    assert "20,000" in page.inner_text("#fig-requests")
    page.screenshot(path=str(tmp_path / "operations.png"), full_page=True)


def test_a_clerk_imports_a_payment_file_the_bill_shows_paid_and_the_citizen_sees_nothing_owed(app, live_server, page, make_user,
                                                                                               tmp_path):
    from datetime import date

    import sqlalchemy as sa

    from erp.extensions import db
    from plugins.rates.demo import load_tariff
    from plugins.rates.models import Bill
    from plugins.rates.services.notices import payment_reference
    from plugins.rates.services import billing
    from plugins.rates.services import customers as customers_service
    from plugins.rates.services.payment_layouts import FixedLayout, PaymentLine

    with app.test_request_context():
        load_tariff()
        customer = customers_service.register(customers_service.CustomerInput(
            holder_name="홍길동", address="한빛시 물길로 7", use_type="household", route_code="7702"))
        customers_service.install_meter(customer.id, "HB-7702-1", 13, date(2026, 9, 1), start_reading=100)
        customers_service.read(customer.id, date(2026, 10, 5), 121)
        billing.execute(billing.start_run("2026-10", "monthly", "7702", date(2026, 11, 10)).id)
        bill = db.session.execute(sa.select(Bill).where(Bill.customer_id == customer.id)).scalar_one()
        bill_number, reference, account_no = bill.number, payment_reference(bill), customer.account_no
    # The giro file of the bank (fixed width, CP949), as it arrives.
    giro = tmp_path / "giro-20261120.dat"
    giro.write_bytes(FixedLayout.write([PaymentLine(0, "giro", "GR20261120-0001", date(2026, 11, 20), date(2026, 11, 21), "011",
                                                    "0001", "1234567", reference, 22_130, "홍길동")], file_date=date(2026, 11, 20)))
    make_user("clerk", roles=["rates_clerk"], name="한요금", password="Water-Bill-2026")
    page.set_default_timeout(20000)
    _log_in(page, live_server, "clerk", "Water-Bill-2026")

    page.click('nav.sidebar >> text="수납"')
    page.set_input_files("#file", str(giro))
    page.click("button:has-text('올리기')")
    page.wait_for_selector("#import-outcome >> text=새 수납 1건")
    assert "22,130" in page.inner_text("#import-outcome")

    page.goto(f"{live_server}/rates/customers/{customer.id}")
    page.click(f"a:has-text('{bill_number}')")
    assert "납부완료" in page.inner_text("#bill-status")
    assert "22,130" in page.inner_text("#bill-paid") and page.inner_text("#bill-balance").strip() == "0"

    # The citizen, not logged in, finds the inquiry in the public navigation and sees nothing owed.
    citizen = page.context.browser.new_context(locale="ko-KR")
    try:
        public = citizen.new_page()
        public.set_default_timeout(20000)
        public.goto(f"{live_server}/rates/calculator")
        public.click('a.public-link:has-text("수도요금 조회")')
        public.fill("#account_no", account_no)
        public.fill("#secret", "홍길동")
        public.click("button:has-text('조회')")
        public.wait_for_selector("#amount-due")
        assert public.inner_text("#amount-due").strip() == "0"
        assert "납부할 금액이 없습니다" in public.inner_text("#nothing-owed")
        assert bill_number in public.inner_text("#inquiry-bills") and "납부완료" in public.inner_text("#inquiry-bills")
        assert "지로" in public.inner_text("#inquiry-payments") and "22,130" in public.inner_text("#inquiry-payments")
        public.screenshot(path=str(tmp_path / "inquiry.png"), full_page=True)
    finally:
        citizen.close()


def test_a_meter_reader_on_a_phone_reads_the_first_unread_meter_of_a_route(app, live_server, page, make_user, tmp_path):
    from datetime import timedelta

    from erp.common.clock import local_today
    from plugins.rates.services import customers as customers_service
    from plugins.rates.services import routes

    start = routes.round_start()
    with app.test_request_context():
        made = []
        for holder, address in (("김하나", "한빛시 물길로 1"), ("이두리", "한빛시 물길로 2"), ("박세움", "한빛시 물길로 3")):
            customer = customers_service.register(customers_service.CustomerInput(
                holder_name=holder, address=address, use_type="household", route_code="5501"))
            customers_service.install_meter(customer.id, f"PH-{customer.id}", 13, start - timedelta(days=90), start_reading=200)
            customers_service.read(customer.id, start - timedelta(days=25), 212)
            made.append(customer.id)
        customers_service.read(made[0], local_today(), 220)  # the first is read this round already
    reader_id = make_user("reader", roles=["meter_reader"], name="오검침", password="Meter-Read-2026")
    with app.test_request_context():
        routes.assign("5501", reader_id)

    page.set_viewport_size({"width": 390, "height": 844})
    page.set_default_timeout(20000)
    _log_in(page, live_server, "reader", "Meter-Read-2026")
    page.goto(f"{live_server}/rates/routes")
    assert "1건 검침" in page.inner_text("main") and "2건 미검침" in page.inner_text("main")
    page.click("a.route-card:has-text('5501')")
    first = page.locator(".reader-row.todo").first
    assert "한빛시 물길로 2" in first.inner_text()  # the unread meters come first
    first.locator("input[type=number]").fill("225")
    page.screenshot(path=str(tmp_path / "phone-before.png"), full_page=False)
    page.click("button:has-text('검침 저장')")
    assert "검침 1건을 저장했습니다." in page.inner_text(".flashes")
    assert "3건 중 2건 검침" in page.inner_text("#route-progress")
    assert "한빛시 물길로 3" in page.locator(".reader-row.todo").first.inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone: no sideways scrolling
    page.screenshot(path="/tmp/field_phone.png", full_page=False)
    with app.app_context():
        from plugins.rates.repositories import customers as repo

        assert (repo.readings(made[1])[0].value, repo.readings(made[1])[0].use) == (225, 13)
