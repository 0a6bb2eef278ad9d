"""The accounting plugin: entries, reversal, periods, year end, statements and its port."""
import threading
from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa
from conftest import csrf_from, login, post_form
from pypdf import PdfReader

from erp import ports
from erp.common.errors import ServiceError
from erp.extensions import db
from plugins.accounting.data import PostingLine, PostingRequest
from plugins.accounting.models import JournalEntry
from plugins.accounting.services import closing, journal, reports

Y = 2026


def lines(*pairs):
    """lines(("1111", 100, 0), ("611-01", 0, 100))"""
    return [PostingLine(code, debit, credit) for code, debit, credit in pairs]


def post(day, memo, *pairs, key=None):
    return journal.post_request(PostingRequest(day, memo, tuple(lines(*pairs)), idempotency_key=key or f"t:{memo}:{day}"))


def entry_count():
    return db.session.execute(sa.select(sa.func.count()).select_from(JournalEntry)).scalar_one()


# --- entries --------------------------------------------------------------------------------

def test_a_balanced_draft_is_posted_on_approval_and_shows_in_the_trial_balance(app):
    with app.app_context():
        draft = journal.create_draft(date(Y, 3, 5), "3월 동력비", lines(("5208", 1_250_000, 0), ("1111", 0, 1_250_000)))
        assert draft.number is None and draft.status == "draft"
        assert reports.trial_balance(Y).rows == ()  # a draft is not in the books
        posted = journal.approve(draft.id)
        assert posted.number == f"{Y}-JE-000001" and posted.status == "posted"
        tb = reports.trial_balance(Y)
        rows = {r.code: r for r in tb.rows}
        assert rows["5208"].debit_balance == 1_250_000 and rows["1111"].credit_balance == 1_250_000
        assert rows["5200"].debit_total == 1_250_000  # header accounts sum their sub-accounts
        assert tb.debit_total == tb.credit_total == 1_250_000


@pytest.mark.parametrize("pairs, message", [
    ((("5208", 1000, 0), ("1111", 0, 900)), "차변과 대변이 일치하지 않습니다: 차변 1,000, 대변 900"),
    ((("5208", 1000, 1000), ("1111", 0, 0)), "한쪽에만 금액을 입력"),
    ((("5208", 0, 0), ("1111", 0, 0)), "한쪽에만 금액을 입력"),
    ((("5208", -5, 0), ("1111", 0, -5)), "음수일 수 없습니다"),
    ((("5208", 10.5, 0), ("1111", 0, 10.5)), "원 단위 정수"),
    ((("9999", 100, 0), ("1111", 0, 100)), "9999 계정이 없습니다"),
    ((("5200", 100, 0), ("1111", 0, 100)), "집계 계정입니다"),
    ((("5208", 100, 0),), "두 줄 이상"),
])
def test_a_wrong_entry_is_refused_with_a_clear_message_and_changes_nothing(app, pairs, message):
    with app.test_request_context(), pytest.raises(ServiceError) as refused:
        journal.create_draft(date(Y, 3, 5), "잘못된 전표", lines(*pairs))
    assert message in refused.value.message
    with app.app_context():
        assert entry_count() == 0


def test_an_inactive_account_is_refused(app):
    from plugins.accounting.services import chart

    with app.test_request_context():
        chart.set_active("5214", False)
        with pytest.raises(ServiceError, match="사용하지 않는 계정"):
            journal.create_draft(date(Y, 3, 5), "연구비", lines(("5214", 100, 0), ("1111", 0, 100)))


def test_reversal_posts_the_opposite_entry_and_links_both(app):
    with app.test_request_context():
        original = post(date(Y, 4, 10), "약품 구입", ("5209", 880_000, 0), ("1111", 0, 880_000))
        reversal = journal.reverse(original.id, date(Y, 4, 20), "계정 오류")
        assert reversal.entry_date == date(Y, 4, 20) and reversal.reverses_id == original.id
        assert [(l.account.code, l.debit, l.credit) for l in reversal.lines] == [("5209", 0, 880_000), ("1111", 880_000, 0)]
        assert "역분개" in reversal.memo
        rows = {r.code: r for r in reports.trial_balance(Y).rows}
        assert rows["5209"].debit_balance == rows["5209"].credit_balance == 0
        with pytest.raises(ServiceError, match="이미 역분개"):
            journal.reverse(original.id, date(Y, 4, 21))
        with pytest.raises(ServiceError, match="앞설 수 없습니다"):
            journal.reverse(post(date(Y, 5, 2), "x", ("5209", 10, 0), ("1111", 0, 10)).id, date(Y, 5, 1))


def test_a_posted_entry_cannot_be_edited_or_deleted(app):
    with app.test_request_context():
        ref = post(date(Y, 4, 10), "약품 구입", ("5209", 880_000, 0), ("1111", 0, 880_000))
        with pytest.raises(ServiceError, match="역분개만"):
            journal.update_draft(ref.id, date(Y, 4, 10), "수정", lines(("5209", 1, 0), ("1111", 0, 1)))
        with pytest.raises(ServiceError, match="역분개만"):
            journal.delete_draft(ref.id)


def test_nothing_posts_into_a_locked_month_through_the_forms_or_the_port(app, client, make_user):
    with app.test_request_context():
        closing.set_locked(Y, 2, True)
        with pytest.raises(ServiceError, match="잠긴 기간"):
            post(date(Y, 2, 10), "2월 전표", ("5208", 100, 0), ("1111", 0, 100))
        with pytest.raises(ServiceError, match="잠긴 기간"):
            journal.create_draft(date(Y, 2, 10), "2월 전표", lines(("5208", 100, 0), ("1111", 0, 100)))
        draft = journal.create_draft(date(Y, 3, 10), "3월 전표", lines(("5208", 100, 0), ("1111", 0, 100)))
        closing.set_locked(Y, 3, True)
        with pytest.raises(ServiceError, match="잠긴 기간"):
            journal.approve(draft.id)
        assert db.session.get(JournalEntry, draft.id).status == "draft"
        closing.set_locked(Y, 3, False)
        assert journal.approve(draft.id).status == "posted"


# --- the entry form -----------------------------------------------------------------------------

def _entry_form(client, rows, day="2026-03-05", memo="전표"):
    html = client.get("/accounting/entries/new").get_data(as_text=True)
    data = {"csrf_token": csrf_from(html), "entry_date": day, "memo": memo}
    for i, (code, debit, credit) in enumerate(rows):
        data.update({f"lines-{i}-account": code, f"lines-{i}-debit": debit, f"lines-{i}-credit": credit,
                     f"lines-{i}-memo": "", f"lines-{i}-department": ""})
    return client.post("/accounting/entries/new", data=data, follow_redirects=True)


def test_the_entry_form_takes_amounts_with_separators(app, client, make_user):
    make_user("acct", roles=["accountant"])
    login(client, "acct")
    html = _entry_form(client, [("5208", "1,250,000", ""), ("1111", "", "1250000")]).get_data(as_text=True)
    assert "회계책임자가 승인하면 전기됩니다" in html and "1,250,000" in html


@pytest.mark.parametrize("debit, credit, message", [
    ("1,250.5", "1,250.5", "0 이상의 원 단위 금액"),
    ("-100", "-100", "0 이상의 원 단위 금액"),
    ("abc", "", "0 이상의 원 단위 금액"),
    ("1,000", "900", "차변과 대변이 일치하지 않습니다"),
])
def test_bad_amounts_on_the_form_are_refused_and_nothing_is_stored(app, client, make_user, debit, credit, message):
    make_user("acct", roles=["accountant"])
    login(client, "acct")
    response = _entry_form(client, [("5208", debit, ""), ("1111", "", credit)])
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    with app.app_context():
        assert entry_count() == 0


def test_a_malformed_date_is_refused_on_the_form(app, client, make_user):
    make_user("acct", roles=["accountant"])
    login(client, "acct")
    response = _entry_form(client, [("5208", "100", ""), ("1111", "", "100")], day="2026-02-30")
    assert "YYYY-MM-DD" in response.get_data(as_text=True)
    with app.app_context():
        assert entry_count() == 0


def test_only_the_chief_accountant_approves(app, client, make_user):
    make_user("acct", roles=["accountant"])
    make_user("chief", roles=["chief_accountant"])
    with app.test_request_context():
        draft_id = journal.create_draft(date(Y, 3, 5), "동력비", lines(("5208", 100, 0), ("1111", 0, 100))).id
    login(client, "acct")
    assert post_form(client, f"/accounting/entries/{draft_id}/approve", {}, page=f"/accounting/entries/{draft_id}").status_code == 403
    chief = app.test_client()
    login(chief, "chief")
    html = post_form(chief, f"/accounting/entries/{draft_id}/approve", {}, page=f"/accounting/entries/{draft_id}", follow=True).get_data(as_text=True)
    assert f"{Y}-JE-000001 전표를 전기했습니다" in html


# --- year end -------------------------------------------------------------------------------------

def _books(year):
    post(date(year, 1, 2), "기초", ("1111", 1_000_000, 0), ("3100", 0, 1_000_000), key=f"open{year}")
    post(date(year, 3, 10), "요금 부과", ("1113", 500_000, 0), ("611-01", 0, 500_000), key=f"bill{year}")
    post(date(year, 3, 28), "동력비", ("5208", 200_000, 0), ("1111", 0, 200_000), key=f"power{year}")


def test_closing_moves_the_result_into_retained_earnings_and_opens_next_year(app):
    with app.test_request_context():
        _books(Y)
        fiscal = closing.close_year(Y)
        closing_entry = db.session.get(JournalEntry, fiscal.closing_entry_id)
        assert closing_entry.entry_date == date(Y, 12, 31)
        assert {(l.account.code, l.debit, l.credit) for l in closing_entry.lines} == {
            ("611-01", 500_000, 0), ("5208", 0, 200_000), ("3540", 0, 300_000)}
        opening = {r.code: r for r in reports.trial_balance(Y + 1).rows}
        assert opening["1111"].debit_balance == 800_000 and opening["1113"].debit_balance == 500_000
        assert opening["3540"].credit_balance == 300_000 and opening["3100"].credit_balance == 1_000_000
        # The income statement of the closed year still shows the year's revenue and costs.
        income = reports.income_statement(Y)
        assert income.totals[0][1][0] == 300_000
        sheet = reports.balance_sheet(Y)
        assert sheet.sections[0][2][0] == sheet.totals[0][1][0] == 1_300_000  # assets = liabilities and capital

        count = entry_count()
        assert closing.close_year(Y).closing_entry_id == fiscal.closing_entry_id  # twice: nothing new
        assert entry_count() == count
        with pytest.raises(ServiceError, match="마감되었습니다"):
            post(date(Y, 6, 1), "마감 후", ("5208", 1, 0), ("1111", 0, 1))
        with pytest.raises(ServiceError, match="마감을 취소"):
            closing.set_locked(Y, 6, False)


def test_undoing_a_close_is_explicit_and_allows_closing_again(app):
    with app.test_request_context():
        _books(Y)
        closing.close_year(Y)
        reopened = closing.undo_close(Y)
        assert not reopened.closed
        assert all(r.debit_balance == r.credit_balance == 0 for r in reports.trial_balance(Y + 1).rows)  # reversed
        assert {r.code: r for r in reports.trial_balance(Y).rows}["611-01"].credit_balance == 500_000
        assert closing.close_year(Y).closed
        assert {r.code: r for r in reports.trial_balance(Y + 1).rows}["3540"].credit_balance == 300_000


def test_a_year_cannot_close_before_the_year_before_it(app):
    with app.test_request_context():
        _books(Y - 1)
        _books(Y)
        with pytest.raises(ServiceError, match=f"{Y - 1}년을 먼저 마감"):
            closing.close_year(Y)


def test_the_balance_sheet_balances_with_an_unclosed_year(app):
    with app.test_request_context():
        _books(Y)
        sheet = reports.balance_sheet(Y, 12)
        assets, liabilities_and_capital = sheet.sections[0][2][0], sheet.totals[0][1][0]
        assert assets == liabilities_and_capital == 1_300_000


# --- the port ---------------------------------------------------------------------------------------

def test_the_port_posts_once_per_idempotency_key(app):
    with app.test_request_context():
        accounting = ports.get("accounting")
        request = PostingRequest(date(Y, 5, 31), "5월 요금 부과", (PostingLine("1113", 900_000), PostingLine("611-01", credit=900_000)),
                                 idempotency_key="rates:bill-run:7:1113", source="rates:bill-run:7")
        first = accounting.post_entry(request)
        again = accounting.post_entry(request)
        assert first.created and not again.created and again.id == first.id and again.number == first.number
        balances = {b.code: b for b in accounting.account_balances(Y, 12, ["1113", "611-01"])}
        assert balances["1113"].balance == 900_000 and balances["611-01"].balance == 900_000
        assert accounting.trial_balance(Y).balanced


def test_ten_concurrent_posts_with_one_key_make_one_entry(app):
    request = PostingRequest(date(Y, 5, 31), "동시 요청", (PostingLine("1113", 1000), PostingLine("611-01", credit=1000)),
                             idempotency_key="rates:bill-run:9:1113")
    results, errors = [], []
    barrier = threading.Barrier(10)

    def send():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                results.append(ports.get("accounting").post_entry(request))
        except Exception as error:  # collected and asserted below
            errors.append(repr(error))

    threads = [threading.Thread(target=send) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len({r.id for r in results}) == 1 and sum(r.created for r in results) == 1
    with app.app_context():
        assert entry_count() == 1
        assert ports.get("accounting").trial_balance(Y).debit_total == 1000


def test_costs_by_category_feed_the_tariff_basis(app):
    with app.test_request_context():
        post(date(Y, 3, 28), "동력비", ("5208", 200_000, 0), ("1111", 0, 200_000))
        post(date(Y, 3, 28), "급여", ("5110", 300_000, 0), ("1111", 0, 300_000))
        costs = {c.code: c.amount for c in ports.get("accounting").costs_by_category(Y)}
        assert costs["5208"] == 200_000 and costs["5110"] == 300_000 and costs["5209"] == 0


# --- statements as pages, PDF and Excel --------------------------------------------------------------

def test_statement_pdfs_carry_korean_headings_and_totals(app, client, make_user):
    make_user("auditor1", roles=["auditor"])
    with app.test_request_context():
        _books(Y)
    login(client, "auditor1")
    tb = client.get(f"/accounting/reports/trial-balance?year={Y}&format=pdf")
    assert tb.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(tb.data)).pages)
    assert "합계잔액시산표" in text and "1,700,000" in text  # debit total = credit total
    bs = client.get(f"/accounting/reports/balance-sheet?year={Y}&month=12&format=pdf")
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(bs.data)).pages)
    assert "재무상태표" in text and "자산 총계" in text and "1,300,000" in text
    income = client.get(f"/accounting/reports/income-statement?year={Y}&format=pdf")
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(income.data)).pages)
    assert "손익계산서" in text and "당기순이익(손실)" in text and "300,000" in text
    ledger = client.get(f"/accounting/reports/ledger?account=1111&from={Y}-01-01&to={Y}-12-31&format=xlsx")
    assert ledger.data[:2] == b"PK"


def test_statement_pages_refuse_bad_parameters_without_a_server_error(client, make_user):
    make_user("auditor1", roles=["auditor"])
    login(client, "auditor1")
    for url in ["/accounting/reports/trial-balance?year=abc", "/accounting/reports/trial-balance?year=99999",
                "/accounting/reports/trial-balance?from=12&to=1", "/accounting/reports/balance-sheet?month=13",
                "/accounting/reports/ledger?account=nope", "/accounting/reports/ledger?account=1111&from=2026-13-01",
                "/accounting/reports/ledger?account=1111&from=2026-05-01&to=2025-01-01",
                "/accounting/entries/99999999999999999999", "/accounting/entries?from=x", "/accounting/periods?year=0"]:
        assert client.get(url).status_code < 500, url


def test_an_auditor_reads_the_books_but_cannot_draft(client, make_user):
    make_user("auditor1", roles=["auditor"])
    login(client, "auditor1")
    assert client.get("/accounting/entries").status_code == 200
    assert client.get("/accounting/entries/new").status_code == 403


def test_demo_books_balance(app, runner):
    result = runner.invoke(args=["erp", "demo"])
    assert result.exit_code == 0, result.output
    with app.test_request_context():
        year = date.today().year
        tb = reports.trial_balance(year)
        assert tb.balanced and tb.debit_total > 10_000_000_000
        sheet = reports.balance_sheet(year, 12)
        assert sheet.sections[0][2] == sheet.totals[0][1]  # assets = liabilities and capital, this year and last
        assert closing.is_closed(year - 1)
        assert reports.income_statement(year - 1).totals[0][1][0] != 0


def test_rebuilding_the_balances_from_the_lines_gives_the_same_books(app, runner):
    with app.test_request_context():
        _books(Y)
        journal.reverse(post(date(Y, 6, 1), "오류", ("5209", 70_000, 0), ("1111", 0, 70_000)).id, date(Y, 6, 2))
        closing.close_year(Y)
        before = (reports.trial_balance(Y), reports.trial_balance(Y + 1), reports.balance_sheet(Y).totals)
    result = runner.invoke(args=["accounting", "rebuild-balances", str(Y)])
    assert result.exit_code == 0 and "balance rows" in result.output
    runner.invoke(args=["accounting", "rebuild-balances", str(Y + 1)])
    with app.test_request_context():
        assert (reports.trial_balance(Y), reports.trial_balance(Y + 1), reports.balance_sheet(Y).totals) == before


def test_cash_flows_reconcile_with_the_cash_account(app):
    from plugins.accounting.services import assets

    with app.test_request_context():
        _books(Y)
        assets.register(assets.AssetInput("펌프", "machinery", date(Y, 2, 1), 120_000, 1, paid_from="1111"))
        for month in range(2, 5):
            assets.run_month(Y, month)
        post(date(Y, 6, 1), "차입", ("1111", 400_000, 0), ("2215", 0, 400_000))
        flows = reports.cash_flow(Y)
        net_change, cash_accounts = flows.totals[0][1][0], flows.totals[1][1][0]
        assert net_change == cash_accounts == 1_000_000 - 200_000 - 120_000 + 400_000
        operating, investing, financing = (totals[0] for _title, _lines, totals in flows.sections)
        assert (investing, financing) == (-120_000, 1_400_000)  # the opening capital came in this year too
        assert operating == net_change - investing - financing


def test_the_settlement_report_binds_the_statements(app, client, make_user):
    make_user("auditor1", roles=["auditor"])
    with app.test_request_context():
        _books(Y)
        closing.close_year(Y)
        assert reports.appropriation(Y).totals[0][1][0] == 300_000  # carried forward
    login(client, "auditor1")
    page = client.get(f"/accounting/reports/settlement?year={Y}").get_data(as_text=True)
    assert f"{Y} 회계연도 상수도사업 특별회계 결산서" in page and "현금흐름표" in page
    pdf = client.get(f"/accounting/reports/settlement?year={Y}&format=pdf")
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.data)).pages)
    for heading in ("목차", "재무상태표", "손익계산서", "이익잉여금처분계산서", "현금흐름표", "합계잔액시산표"):
        assert heading in text, heading
    assert "차기이월미처분이익잉여금" in text and "300,000" in text
    book = client.get(f"/accounting/reports/settlement?year={Y}&format=xlsx")
    from openpyxl import load_workbook

    assert [ws.title for ws in load_workbook(BytesIO(book.data)).worksheets] == [
        "재무상태표", "손익계산서", "이익잉여금처분계산서", "현금흐름표", "예산결산", "합계잔액시산표"]


def test_the_chief_accountant_adds_a_sub_account_and_takes_one_out_of_use(app, client, make_user):
    make_user("chief", roles=["chief_accountant"])
    login(client, "chief")
    html = post_form(client, "/accounting/accounts", {"parent_code": "5229", "code": "5229-01", "name": "검침 위탁 수수료",
                                                      "name_en": "Meter reading fees"}, follow=True).get_data(as_text=True)
    assert "5229-01 계정을 추가했습니다" in html
    with app.test_request_context():
        post(date(Y, 7, 1), "검침 수수료", ("5229-01", 50_000, 0), ("1111", 0, 50_000))
        with pytest.raises(ServiceError, match="집계 계정"):
            post(date(Y, 7, 1), "상위 계정", ("5229", 50_000, 0), ("1111", 0, 50_000))
    refused = post_form(client, "/accounting/accounts", {"parent_code": "5229-01", "code": "5229-01-1", "name": "x"})
    assert "하위 계정을 둘 수 없습니다" in refused.get_data(as_text=True)
    post_form(client, "/accounting/accounts/5229-01/deactivate", {}, page="/accounting/accounts")
    with app.test_request_context(), pytest.raises(ServiceError, match="사용하지 않는 계정"):
        post(date(Y, 7, 2), "검침 수수료", ("5229-01", 1, 0), ("1111", 0, 1))


def test_a_line_may_name_a_department_but_only_an_existing_one(app):
    from erp.auth import services as auth

    with app.test_request_context():
        auth.save_department(None, code="WS-PUR", name="정수과")
        ok = journal.create_draft(date(Y, 3, 5), "약품비", [PostingLine("5209", 10_000, 0, department_code="WS-PUR"),
                                                        PostingLine("1111", 0, 10_000)])
        assert ok.lines[0].department_code == "WS-PUR"
        with pytest.raises(ServiceError, match="NOPE 부서가 없습니다"):
            journal.create_draft(date(Y, 3, 5), "약품비", [PostingLine("5209", 10_000, 0, department_code="NOPE"),
                                                        PostingLine("1111", 0, 10_000)])
