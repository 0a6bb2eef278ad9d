"""Printouts: the Korean font is embedded, pages are numbered; Excel exports keep numbers as numbers."""
import shutil
import subprocess  # nosec B404 - runs poppler's pdffonts on a file the test wrote
from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from erp.common import excel, pdf

ORG = "한빛시 상수도사업소"


def settlement_pdf() -> bytes:
    s = pdf.styles()
    rows = [[f"계정 {i:03d}", "급수수익" if i % 2 else "동력비", 1_234_567 * (i + 1), -1_234 if i == 5 else None] for i in range(80)]
    story = [pdf.Paragraph("2026 회계연도 결산서", s["title"]),
             pdf.money_table(["코드", "계정과목", "금액", "조정"], rows + [["", "합계", 999_999_999, None]],
                             numeric_cols={2, 3}, total_row=True)]
    return pdf.build_pdf("상수도사업소 결산서", story, org_name=ORG, subtitle="2026-01-01 ~ 2026-12-31",
                         printed_at=datetime(2026, 11, 22, 9, 30))


def test_pdf_embeds_the_korean_font_and_numbers_its_pages():
    reader = PdfReader(BytesIO(settlement_pdf()))
    total = len(reader.pages)
    assert total >= 2
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None:  # a composite font: the descriptor sits on its descendant
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            descriptor = descriptor.get_object()
            assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
            fonts.add(str(font["/BaseFont"]))
    assert fonts and all("NanumGothic" in name for name in fonts)
    first = reader.pages[0].extract_text()
    last = reader.pages[-1].extract_text()
    assert "상수도사업소 결산서" in first and ORG in first
    assert f"1 / {total} 쪽" in first and f"{total} / {total} 쪽" in last
    assert "출력일시 2026-11-22 09:30" in first
    assert "1,234,567" in first and "-1,234" in first


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdffonts_reports_every_font_embedded(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(settlement_pdf())
    output = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout  # nosec B603 B607
    lines = output.splitlines()[2:]
    assert lines, output
    for line in lines:
        columns = line.split()
        assert columns[-5] == "yes", line  # the "emb" column
        assert "NanumGothic" in columns[0]


def test_money_is_never_a_float_on_a_printout():
    assert pdf.format_won(1234567) == "1,234,567"
    assert pdf.format_won(-1234) == "-1,234"
    assert pdf.format_won(None) == ""
    with pytest.raises(TypeError):
        pdf.format_won(1.5)
    with pytest.raises(TypeError):
        pdf.money_table(["금액"], [[10.5]], numeric_cols={0})


def test_excel_keeps_amounts_as_numbers_with_separators():
    columns = [excel.Column("계정과목", 20), excel.Column("금액", 16, "won"), excel.Column("일자", 12, "date"),
               excel.Column("집행률", 10, "percent")]
    data = excel.build_workbook(
        [excel.Sheet("합계잔액시산표: 2026/11", columns, [["급수수익", 1234567, date(2026, 11, 1), 0.875]],
                     subtitle="2026-11", total_row=["합계", 1234567, None, None])],
        org_name=ORG, printed_at=datetime(2026, 11, 22, 9, 30))
    book = load_workbook(BytesIO(data))
    ws = book.worksheets[0]
    assert ws.title == "합계잔액시산표_ 2026_11"
    assert ws["A1"].value == ORG and ws["A2"].value == "합계잔액시산표: 2026/11"
    assert [c.value for c in ws[excel.HEADER_ROW]] == ["계정과목", "금액", "일자", "집행률"]
    amount = ws.cell(row=excel.HEADER_ROW + 1, column=2)
    assert amount.value == 1234567 and amount.number_format == "#,##0"
    assert ws.cell(row=excel.HEADER_ROW + 1, column=3).number_format == "yyyy-mm-dd"
    assert ws.cell(row=excel.HEADER_ROW + 2, column=1).font.bold
    assert ws.freeze_panes == f"A{excel.HEADER_ROW + 1}"


def test_excel_refuses_a_float_amount():
    with pytest.raises(TypeError):
        excel.build_workbook([excel.Sheet("x", [excel.Column("금액", kind="won")], [[10.5]])], org_name=ORG)


def test_excel_sheet_titles_are_unique_and_short():
    taken = set()
    assert excel.sheet_title("가" * 40, taken) == "가" * 31
    assert excel.sheet_title("가" * 40, taken) == "가" * 27 + " (2)"


def _letter(name: str) -> bytes:
    """A one-page letter whose fixed wording is assigned first, then a name drawn."""
    from reportlab.pdfgen import canvas

    from erp.common.fonts import assign_glyphs, register_korean_fonts

    regular, _bold = register_korean_fonts()
    buffer = BytesIO()
    page = canvas.Canvas(buffer)
    # Enough fixed wording to fill the first subset (about 160 characters beside ASCII).
    assign_glyphs(page, "상하수도요금 고지서 납부금액 0123456789" + "".join(chr(0xAC00 + i) for i in range(200)))
    page.setFont(regular, 12)
    page.drawString(72, 720, "상하수도요금 고지서")
    page.drawString(72, 700, f"{name} 납부금액 12,340원")
    page.save()
    return buffer.getvalue()


def _font_files(data: bytes) -> dict[str, bytes]:
    fonts = {}
    for font in PdfReader(BytesIO(data)).pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        if "/FontDescriptor" in font:
            fonts[str(font["/BaseFont"]).lstrip("/")] = font["/FontDescriptor"]["/FontFile2"].get_data()
    return fonts


def test_files_sharing_their_wording_share_its_font_subset_and_print_their_own_names():
    first, second = _letter("김민수"), _letter("정하늘")
    assert "김민수 납부금액 12,340원" in PdfReader(BytesIO(first)).pages[0].extract_text()
    assert "정하늘 납부금액 12,340원" in PdfReader(BytesIO(second)).pages[0].extract_text()
    first_fonts, second_fonts = _font_files(first), _font_files(second)
    # The assigned wording fills the first subset alike in both files (built once, the same
    # bytes); the names land in the next subset, which differs.
    assert first_fonts["AAAAAA+NanumGothic"] == second_fonts["AAAAAA+NanumGothic"]
    assert first_fonts["AAAAAB+NanumGothic"] != second_fonts["AAAAAB+NanumGothic"]


def test_letters_printed_at_the_same_time_in_threads_each_show_their_own_name():
    # gthread workers print in threads; reportlab reads glyphs through one position per font.
    import sys
    from concurrent.futures import ThreadPoolExecutor

    names = [chr(0xAD00 + i * 37) + chr(0xB000 + i * 41) + chr(0xB800 + i * 43) for i in range(40)]  # rare syllables
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(8) as pool:
            letters = list(pool.map(_letter, names))
    finally:
        sys.setswitchinterval(previous)
    for name, data in zip(names, letters):
        assert f"{name} 납부금액 12,340원" in PdfReader(BytesIO(data)).pages[0].extract_text()
