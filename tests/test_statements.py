"""Statements and books in the forms officials know: code order with parents first, the local
public enterprise income statement, deductions shown as △, 가결산 for a year not closed, the
budget book in statutory order with 기정액/증감 and bases that add up, printouts that fit the
paper, and a contingency reserve that is never committed directly."""
from datetime import date
from io import BytesIO

import pytest
from conftest import login
from pypdf import PdfReader

from erp.auth import services as auth
from erp.common.errors import ServiceError
from plugins.accounting.data import PostingLine, PostingRequest
from plugins.accounting.reports import statements as printouts
from plugins.accounting.services import chart, closing, journal, reports
from plugins.budget.reports import book as book_report
from plugins.budget.repositories import budget as repo
from plugins.budget.services import book, compilation, execution, structure, transfers

Y = 2026


def post(day, memo, *pairs):
    journal.post_request(PostingRequest(day, memo, tuple(PostingLine(c, d, k) for c, d, k in pairs),
                                        idempotency_key=f"t:{memo}:{day}"))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def text_off_the_page(data: bytes) -> list[tuple[int, str, float]]:
    """Every piece of text whose start lies left of the page or beyond its right edge (a table
    wider than the paper prints its first and last columns there)."""
    off = []
    for number, page in enumerate(PdfReader(BytesIO(data)).pages, start=1):
        width = float(page.mediabox.width)

        def visit(text, cm, tm, font, size, number=number, width=width):
            x = tm[4] * cm[0] + cm[4]
            if text.strip() and not (0 <= x <= width):
                off.append((number, text.strip(), x))

        page.extract_text(visitor_text=visit)
    return off


# --- code order ---------------------------------------------------------------------------------

def test_accounts_are_in_code_order_with_parents_before_their_children(app):
    with app.app_context():
        accounts = chart.chart()
        codes = [a.code for a in accounts]
        position = {code: i for i, code in enumerate(codes)}
        # 5100 인건비 sits under 710 영업비용, after 752: not above 700 사업비용 as string order put it.
        assert position["700"] < position["710"] < position["752"] < position["5100"] < position["5110"] < position["5200"]
        assert position["611"] < position["611-01"] < position["611-09"] < position["612"]
        by_id = {a.id: a for a in accounts}
        for account in accounts:
            if account.parent_id:
                assert position[by_id[account.parent_id].code] < position[account.code], account.code


def test_a_new_sub_account_takes_its_place_under_its_parent(app):
    with app.app_context():
        chart.add_account("5208-01", "동력비(정수장)", "Power (plant)", "5208")
        codes = [a.code for a in chart.chart()]
        assert codes.index("5208") + 1 == codes.index("5208-01") < codes.index("5209")


def test_the_budget_structure_lists_each_programme_before_its_projects(app):
    with app.test_request_context():
        structure.add_project(Y, "policy", "P2", "경영 효율화")
        structure.add_project(Y, "policy", "P1", "안정적 수돗물 공급")
        structure.add_project(Y, "unit", "U21", "요금 징수", "P2")
        structure.add_project(Y, "unit", "U11", "시설 운영", "P1")
        auth.save_department(None, code="WS-PUR", name="정수과")
        structure.add_project(Y, "detail", "D211", "검침", "U21", "WS-PUR")
        structure.add_project(Y, "detail", "D111", "정수장 운영", "U11", "WS-PUR")
        assert [p.code for p in repo.projects(Y)] == ["P1", "U11", "D111", "P2", "U21", "D211"]


# --- the income statement and the balance sheet -------------------------------------------------------

def _year_of_books():
    post(date(Y, 1, 2), "기초", ("1111", 5_000_000, 0), ("3100", 0, 5_000_000))
    post(date(Y, 3, 10), "요금", ("1113", 1_000_000, 0), ("611-01", 0, 1_000_000))
    post(date(Y, 3, 20), "이자", ("1111", 50_000, 0), ("671-01", 0, 50_000))
    post(date(Y, 3, 28), "동력비", ("5208", 300_000, 0), ("1111", 0, 300_000))
    post(date(Y, 3, 29), "이자비용", ("771", 20_000, 0), ("1111", 0, 20_000))
    post(date(Y, 4, 1), "건물", ("1224", 2_000_000, 0), ("1111", 0, 2_000_000))
    post(date(Y, 4, 30), "감가상각", ("5216", 100_000, 0), ("1225", 0, 100_000))


def test_the_income_statement_has_the_form_of_a_local_public_enterprise(app):
    with app.test_request_context():
        _year_of_books()
        statement = reports.income_statement(Y, 12)
        sections = [(title, totals[0]) for title, _lines, totals in statement.sections]
        assert sections == [("Ⅰ. 영업수익", 1_000_000), ("Ⅱ. 영업비용", 400_000), ("Ⅳ. 영업외수익", 50_000),
                            ("Ⅴ. 영업외비용", 20_000)]
        assert statement.results[1] == [("Ⅲ. 영업이익(손실)", [600_000, 0])]
        assert statement.totals == [("Ⅵ. 당기순이익(손실)", [630_000, 0])]
        assert reports.net_income(Y, 12) == 630_000
        # Under 영업비용 the accounts come in code order, each parent before its own.
        codes = [line.code for line in statement.sections[1][1]]
        assert codes == ["5200", "5208", "5216"]
        text = pdf_text(printouts.pdf("statement", statement, org_name="테스트시"))
        for words in ("Ⅰ. 영업수익", "Ⅲ. 영업이익(손실)", "600,000", "Ⅵ. 당기순이익(손실)", "630,000"):
            assert words in text, words


def test_a_loss_and_the_accumulated_depreciation_print_as_deductions(app):
    with app.test_request_context():
        _year_of_books()
        post(date(Y, 5, 2), "수선비", ("5212", 2_000_000, 0), ("1111", 0, 2_000_000))
        income = reports.income_statement(Y, 12)
        assert income.totals[0][1][0] == -1_370_000
        assert "△1,370,000" in pdf_text(printouts.pdf("statement", income, org_name="테스트시"))
        sheet = reports.balance_sheet(Y, 12)
        assets = sheet.sections[0]
        assert assets[0] == "자산" and "1000" not in [line.code for line in assets[1]]  # the heading says it
        depreciation = next(line for line in assets[1] if line.code == "1225")
        assert depreciation.amounts[0] == -100_000
        text = pdf_text(printouts.pdf("statement", sheet, org_name="테스트시"))
        assert "1225 건물감가상각누계액" in text and "△100,000" in text
        assert sheet.sections[0][2] == sheet.totals[0][1]  # assets = liabilities and capital


def test_a_year_not_closed_is_labelled_provisional_with_its_as_of_date(app, monkeypatch):
    with app.test_request_context():
        _year_of_books()
        monkeypatch.setattr(reports, "local_today", lambda: date(Y, 11, 26))
        sheet = reports.balance_sheet(Y, 12)
        assert sheet.provisional == "가결산 (2026-11-26 현재)"
        assert reports.income_statement(Y, 3).provisional == "가결산 (2026-03-31 현재)"  # the months shown end first
        assert "가결산 (2026-11-26 현재)" in pdf_text(printouts.pdf("statement", sheet, org_name="테스트시"))
        report = reports.settlement(Y)
        assert report.provisional and "가결산" in pdf_text(printouts.pdf("settlement", report, org_name="테스트시"))
        closing.close_year(Y)
        assert reports.balance_sheet(Y, 12).provisional == "" and reports.settlement(Y).provisional == ""


def test_the_statement_page_shows_the_form_and_the_label(app, client, make_user):
    make_user("auditor1", roles=["auditor"])
    with app.test_request_context():
        _year_of_books()
    login(client, "auditor1")
    page = client.get(f"/accounting/reports/income-statement?year={Y}&month=12").get_data(as_text=True)
    assert page.index("Ⅰ. 영업수익") < page.index("Ⅱ. 영업비용") < page.index("Ⅲ. 영업이익(손실)") < page.index("Ⅵ. 당기순이익(손실)")
    assert "가결산" in page and "600,000" in page
    sheet = client.get(f"/accounting/reports/balance-sheet?year={Y}&month=12").get_data(as_text=True)
    assert "△100,000" in sheet


# --- the budget book ------------------------------------------------------------------------------------

@pytest.fixture
def budget(app):
    with app.test_request_context():
        auth.save_department(None, code="WS-PUR", name="정수과")
        structure.add_project(Y, "policy", "P1", "안정적 수돗물 공급")
        structure.add_project(Y, "unit", "U11", "시설 운영", "P1")
        structure.add_project(Y, "detail", "D111", "정수장 운영", "U11", "WS-PUR")
        lines = {
            "pipes": structure.add_line(Y, part="capital", side="expenditure", item_code="401", sub_code="01",
                                        name="시설비", account_code="1226", project_code="D111"),
            "power": structure.add_line(Y, part="revenue", side="expenditure", item_code="201", sub_code="02",
                                        name="공공운영비", account_code="5208", project_code="D111"),
            "reserve": structure.add_line(Y, part="revenue", side="expenditure", item_code="800", sub_code="",
                                          name="예비비", account_code="5229", project_code="D111"),
            "water": structure.add_line(Y, part="revenue", side="income", item_code="611", sub_code="01",
                                        name="급수수익", account_code="611-01"),
        }
        lines = {k: v.id for k, v in lines.items()}
        original = compilation.open_version(Y)
        compilation.add_basis(original.id, lines["power"], "정수장 전력", "1,250,000", "1", 12)  # 15,000,000
        compilation.add_basis(original.id, lines["pipes"], "노후관 교체", "300,000", "100", 1)  # 30,000,000
        compilation.add_basis(original.id, lines["reserve"], "예비비", "400,000", "1", 1)
        compilation.add_basis(original.id, lines["water"], "가정용 요금", "700", "100,000", 1)  # 70,000,000
        compilation.adjust(original.id, lines["pipes"], 28_000_000, "단가 조정")
        compilation.approve(original.id)
        return lines, original.id


def test_the_budget_book_is_in_statutory_order_and_its_bases_add_up(app, budget):
    lines, version_id = budget
    with app.test_request_context():
        printed = book.budget_book(version_id)
        parts = [row.label for row in printed.rows if row.kind == "part"]
        assert parts == ["수익적 수입", "수익적 지출", "자본적 지출"]  # 수익적 before 자본적, 수입 before 지출
        labels = [row.label for row in printed.rows if row.kind != "basis"]
        assert labels[labels.index("수익적 지출"):labels.index("자본적 지출")] == [
            "수익적 지출", "P1 안정적 수돗물 공급", "U11 시설 운영", "D111 정수장 운영", "201-02 공공운영비", "800 예비비"]
        # Each line's basis rows (the first on the line's own row) add up to the line's amount —
        # also where the budget office cut the request.
        for index, row in enumerate(printed.rows):
            if row.kind != "line":
                continue
            following = [row] + [r for r in _until_next_line(printed.rows[index + 1:])]
            assert sum(r.basis_amount or 0 for r in following) == row.amount, row.label
        pipes = next(i for i, r in enumerate(printed.rows) if r.label == "401-01 시설비")
        assert printed.rows[pipes].amount == 28_000_000
        assert printed.rows[pipes + 1].basis == "예산부서 조정: -2,000,000원"
        assert "정수장 전력: 1,250,000원 × 1 × 12월 = 15,000,000원" in [r.basis for r in printed.rows]
        assert not printed.supplementary


def _until_next_line(rows):
    for row in rows:
        if row.kind != "basis":
            return
        yield row


def test_a_supplementary_book_shows_the_amount_before_and_the_change(app, budget):
    lines, _original = budget
    with app.test_request_context():
        supplementary = compilation.open_version(Y)
        compilation.adjust(supplementary.id, lines["power"], 18_000_000, "전기요금 인상")
        printed = book.budget_book(supplementary.id)
        power = next(r for r in printed.rows if r.label == "201-02 공공운영비")
        assert (power.before, power.change, power.amount) == (15_000_000, 3_000_000, 18_000_000)
        part = next(r for r in printed.rows if r.label == "수익적 지출")
        assert (part.before, part.change, part.amount) == (15_400_000, 3_000_000, 18_400_000)
        data = book_report.pdf(printed, org_name="테스트시")
        text = pdf_text(data)
        for words in ("제1회 추가경정예산", "기정액", "증감", "18,000", "15,000", "3,000", "단위: 천원"):
            assert words in text, words
        assert text_off_the_page(data) == []
        sheet = book_report.xlsx(printed, org_name="테스트시")
        from openpyxl import load_workbook

        cells = [c.value for row in load_workbook(BytesIO(sheet)).active.iter_rows() for c in row]
        assert "기정액" in cells and 18_000 in cells


def test_the_budget_book_pdf_is_delivered_from_the_version_page(app, budget, client, make_user):
    _lines, version_id = budget
    make_user("budget1", roles=["budget_officer"])
    login(client, "budget1")
    response = client.get(f"/budget/versions/{version_id}?print=book&format=pdf")
    assert response.mimetype == "application/pdf"
    assert "수익적 수입" in pdf_text(response.data) and text_off_the_page(response.data) == []


def test_the_contingency_reserve_is_spent_only_through_a_transfer(app, budget):
    lines, _version = budget
    with app.test_request_context():
        with pytest.raises(ServiceError, match="예비비는 직접 집행할 수 없습니다"):
            execution.commit(lines["reserve"], date(Y, 6, 1), "업체", "긴급 복구", 100_000)
        assert repo.line(lines["reserve"]).committed == 0
        transfer = transfers.request(lines["reserve"], lines["power"], 300_000, "긴급 복구 전력비")
        assert repo.line(lines["power"]).current_amount == 15_000_000  # not before approval
        transfers.decide(transfer.id, True)
        assert repo.line(lines["power"]).current_amount == 15_300_000
        execution.commit(lines["power"], date(Y, 6, 1), "한전", "긴급 복구 전력", 300_000)


# --- printouts fit the paper --------------------------------------------------------------------------

def test_the_settlement_report_fits_the_paper_with_the_budget_settlement(app, budget, monkeypatch):
    with app.test_request_context():
        _year_of_books()
        data = printouts.pdf("settlement", reports.settlement(Y), org_name="테스트시")
        assert text_off_the_page(data) == []
        text = pdf_text(data)
        assert "예산결산" in text and "세입 총계" in text and "세출 총계" in text and "세입 - 세출" in text
        assert "R-E-D111-201-02" in text  # the code column is on the paper, not cut off


def test_a_table_wider_than_the_paper_is_refused(app):
    from reportlab.lib.units import mm

    from erp.common import pdf

    with app.app_context():
        table = pdf.money_table(["a", "b"], [["x", 1]], numeric_cols={1}, col_widths=[150 * mm, 60 * mm])
        with pytest.raises(ValueError, match="210 mm wide"):
            pdf.build_pdf("t", [table], org_name="o")


def test_the_off_page_check_finds_text_off_the_page():
    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(-40, 400, "cut off")
    page.drawString(100, 400, "on the page")
    page.save()
    assert [text for _page, text, _x in text_off_the_page(buffer.getvalue())] == ["cut off"]


def test_budget_settlement_lines_follow_the_statutory_order(app, budget):
    with app.test_request_context():
        from plugins.budget.services import reports as budget_reports

        section = budget_reports.settlement_section(Y)
        expenditure = [line.code for line in section.sections[1][1]]
        assert expenditure[-1].startswith("C-")  # the capital part after the revenue part
        assert section.sections[1][2][0] == 15_000_000 + 400_000 + 28_000_000


def test_a_total_never_stands_alone_on_a_page(app):
    from erp.common import pdf

    def pages(rows: int, keep) -> list[str]:
        body = [[f"행{i:03d}", i] for i in range(rows)] + [["합계행", rows]]
        table = pdf.money_table(["항목", "금액"], body, numeric_cols={1}, total_row=True, keep_together=keep)
        data = pdf.build_pdf("t", [table], org_name="o")
        return [page.extract_text() for page in PdfReader(BytesIO(data)).pages]

    with app.app_context():
        # Find the length at which, with nothing kept together, the total row alone spills over.
        alone = next(n for n in range(20, 120) if len(pages(n, [(0, 0)])) == 2 and "행" not in
                     pages(n, [(0, 0)])[1].replace("합계행", ""))
        kept = pages(alone, [])  # the default: the total keeps the two rows above it
        assert len(kept) == 2 and f"행{alone - 1:03d}" in kept[1] and f"행{alone - 2:03d}" in kept[1]
