"""The printed water bill (상하수도요금 고지서·영수증), one A4 page per bill.

The layout follows what Korean utilities print and publish online: the issuer and billing month
on top with the number to call; customer, use type, meter (serial number and diameter) and
households; the reading table (사용기간, 전월·당월지침,
사용량); the charges as rows 기본요금 / 사용요금 / 감면액 / 계 under the columns 상수도 · 하수도 ·
물이용부담금 (Seoul's layout); the amount due by and after the due date; the customer's virtual
account and the e-payment number (전자납부번호) as a QR code and a Code 128 barcode; the unit
prices of the use type; the use of the last six periods with the previous period's and last
year's same month (사용량 비교); the usual notices; and a receipt stub below a cut line.

Drawn straight on the canvas (no layout engine), and a route's bills go into one file with the
font embedded once.
"""
from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import segno
from reportlab.graphics.barcode import code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas

from erp.common.fonts import assign_glyphs, register_korean_fonts
from erp.common.formatting import won
from plugins.rates.models import Bill
from plugins.rates.repositories import bills as bill_repo
from plugins.rates.repositories import customers as customers_repo
from plugins.rates.services import notices
from plugins.rates.services import tariffs as tariff_service
from plugins.rates.services.periods import shift_period
from plugins.rates.services.calculation import USE_TYPES

KIND_TITLES = {"regular": "정기분", "settlement": "이사정산분", "adjusting": "조정분(수시)"}
BLUE = colors.HexColor("#1F4E8C")
PALE = colors.HexColor("#E8EEF7")
GREY = colors.HexColor("#555555")
BATCH_LIMIT = 5_000  # bills in one printed file; a larger route is printed from the CLI in parts
# The characters every bill prints, assigned first in every bill PDF so that the fonts' subsets
# for them are the same in every file and built once per process (erp.common.fonts): the ASCII
# range, the printed wording of this module and the use types, then syllables common in Korean
# names and addresses. Wording added later still prints; it only lands in the per-file subset.
BILL_GLYPHS = (
    "".join(map(chr, range(32, 127)))
    + "상하수도요금고지서·영증사용기간전월당침량본감면액계물이부담자납번호정분산조시후검및안내인터넷로위택스융관마트폰뱅킹"
    + "으할있습니다절취선객성명장소업종가구경방법일합에의를받은날신청을때는배누십오단원㎥년동체환급역초대비좌까않붙유준미적겸반"
    + "욕탕가정일반산업교직"
    + "김박최강윤임한서권황송류전홍고문양손백허남심노곽차주우민진나엄채천공현함변염여추석설길연표기왕금옥육인제모국은용예봉"
    + "특별광역북중앙읍면리길번지파층빌라아"
)


def bills_pdf(bills: list[Bill], org_name: str, org_phone: str = "") -> bytes:
    """One page per bill, in one PDF; ``org_phone`` is the utility's number for enquiries."""
    regular, bold = register_korean_fonts()
    buffer = BytesIO()
    pdf = rl_canvas.Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=regular)
    assign_glyphs(pdf, BILL_GLYPHS)
    pdf.setTitle(f"{org_name} 상하수도요금 고지서")
    pdf.setAuthor(org_name)
    forms = set()
    history = bill_repo.regular_uses([bill.customer_id for bill in bills],
                                     min((shift_period(bill.period, -12) for bill in bills), default=""),
                                     max((bill.period for bill in bills), default=""))
    meters = customers_repo.meters_of([bill.customer_id for bill in bills])
    for bill in bills:
        in_force = tariff_service.terms_between(bill.period_end, bill.period_end)  # cached per process
        _page(pdf, bill, org_name, org_phone, in_force[-1] if in_force else None, regular, bold, forms,
              meter_serial(meters.get(bill.customer_id, []), bill))
        _usage(pdf, bill, history.get(bill.customer_id, {}), regular)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def meter_serial(meters: list, bill: Bill) -> str:
    """The serial number of the meter the bill's reading was taken from: the one in service on
    the reading day (or at the end of the period), replaced meters included."""
    day = bill.read_on or bill.period_end
    serials = [m.serial for m in meters if m.installed_on <= day and (m.removed_on is None or m.removed_on >= day)]
    return serials[-1] if serials else "-"


def _box(pdf, x, y, w, h, fill=None):
    if fill is not None:
        pdf.setFillColor(fill)
        pdf.rect(x, y, w, h, stroke=1, fill=1)
        pdf.setFillColor(colors.black)
    else:
        pdf.rect(x, y, w, h, stroke=1, fill=0)


# Page geometry (A4, points): what the frame draws and the values fill in share these.
WIDTH, HEIGHT = A4
LEFT, RIGHT = 14 * mm, WIDTH - 14 * mm
INNER = RIGHT - LEFT
ROW = 6.5 * mm
CUSTOMER_TOP = HEIGHT - 34 * mm
READING_TOP = CUSTOMER_TOP - 43 * mm
READING_WIDTHS = [INNER * share for share in (0.3, 0.17, 0.17, 0.17, 0.19)]
CHARGES_TOP = READING_TOP - 2 * ROW - 8 * mm
CHARGE_WIDTHS = [INNER * 0.2] * 5
CHARGE_ROWS = ("기본요금", "사용요금", "감면액", "계")
NOTES_TOP = CHARGES_TOP - 2 * mm - 5 * ROW - 4.5 * mm
PRICES_TOP = NOTES_TOP - 11 * mm
PRICE_WIDTHS = [INNER * 0.3, INNER * 0.2, INNER * 0.2]
PRICE_ROW = 5.5 * mm
PAYMENT_TOP = PRICES_TOP - 2 * mm - 7 * PRICE_ROW - 5 * mm
USAGE_X = LEFT + INNER * 0.74  # the usage history beside the unit prices
USAGE_W = RIGHT - USAGE_X
USAGE_H = 7 * PRICE_ROW
CUT = 46 * mm


def _grid_frame(pdf, x, top, widths, header, rows, bold, row_h=ROW, size=8.5):
    """The lines, the shaded header and the row labels (first column) of a table."""
    pdf.setFont(bold, size)
    cx = x
    for width, text in zip(widths, header, strict=True):
        _box(pdf, cx, top - row_h, width, row_h, PALE)
        pdf.drawCentredString(cx + width / 2, top - row_h + 2.2 * mm, text)
        cx += width
    for index in range(rows):
        y = top - (index + 2) * row_h
        cx = x
        for width in widths:
            _box(pdf, cx, y, width, row_h)
            cx += width


def _row_values(pdf, x, top, widths, values, font, row_h=ROW, size=8.5, centred_first=True):
    pdf.setFont(font, size)
    cx = x
    for col, (width, text) in enumerate(zip(widths, values, strict=True)):
        if col == 0 and centred_first:
            pdf.drawCentredString(cx + width / 2, top - row_h + 2.2 * mm, text)
        else:
            pdf.drawRightString(cx + width - 2 * mm, top - row_h + 2.2 * mm, text)
        cx += width


def _frame(pdf, org_name: str, org_phone: str, font: str, bold: str) -> None:
    """Everything printed alike on every bill, drawn once per file as a form."""
    pdf.setStrokeColor(GREY)
    pdf.setLineWidth(0.5)
    pdf.setFillColor(BLUE)
    pdf.rect(LEFT, HEIGHT - 30 * mm, INNER, 18 * mm, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    pdf.setFont(bold, 15)
    pdf.drawString(LEFT + 5 * mm, HEIGHT - 21 * mm, "상하수도요금 고지서")
    pdf.setFont(font, 9)
    pdf.drawString(LEFT + 5 * mm, HEIGHT - 27 * mm, f"{org_name} · 문의 {org_phone}" if org_phone else org_name)
    pdf.setFillColor(colors.black)
    top = CUSTOMER_TOP
    _box(pdf, LEFT, top - 36 * mm, INNER * 0.58, 36 * mm)
    pdf.setFont(bold, 8.5)
    for index, label in enumerate(("고객번호", "성명", "사용장소", "업종·가구수", "계량기", "납부방법")):
        pdf.drawString(LEFT + 3 * mm, top - 6 * mm - index * 5.4 * mm, label)
    _box(pdf, LEFT + INNER * 0.6, top - 36 * mm, INNER * 0.4, 36 * mm, PALE)
    pdf.setFont(bold, 10)
    pdf.drawString(LEFT, READING_TOP, "검침 및 사용량")
    _grid_frame(pdf, LEFT, READING_TOP - 2 * mm, READING_WIDTHS, ("사용기간", "전월지침", "당월지침", "사용량", "검침일"), 1, bold)
    _grid_frame(pdf, LEFT, CHARGES_TOP - 2 * mm, CHARGE_WIDTHS, ("구분", "상수도", "하수도", "물이용부담금", "합계"), 4, bold)
    pdf.setFont(bold, 8.5)
    for index, label in enumerate(CHARGE_ROWS):
        pdf.drawCentredString(LEFT + CHARGE_WIDTHS[0] / 2, CHARGES_TOP - 2 * mm - (index + 2) * ROW + 2.2 * mm, label)
    pdf.setFont(bold, 10)
    pdf.drawString(USAGE_X, PRICES_TOP, "사용량 비교 (㎥)")
    _box(pdf, USAGE_X, PRICES_TOP - 2 * mm - USAGE_H, USAGE_W, USAGE_H)
    top = PAYMENT_TOP
    _box(pdf, LEFT, top - 31 * mm, INNER, 31 * mm)
    pdf.setFont(bold, 9)
    pdf.drawString(LEFT + 3 * mm, top - 6 * mm, "납부 안내")
    pdf.setFont(font, 8.5)
    pdf.drawString(LEFT + 3 * mm, top - 21.5 * mm, "인터넷지로·위택스·금융기관 CD/ATM·스마트폰 뱅킹(QR)으로 납부할 수 있습니다.")
    pdf.setFont(font, 7.5)
    pdf.setFillColor(GREY)
    for index, text in enumerate((
        "· 요금에 이의가 있으면 고지를 받은 날부터 90일 이내에 이의신청을 할 수 있습니다.",
        "· 이사할 때에는 이사정산을, 계량기 이후 배관 누수는 누수감면을 신청하십시오.",
    )):
        pdf.drawString(LEFT, top - 40 * mm - index * 4 * mm, text)
    pdf.setFillColor(colors.black)
    pdf.setDash(3, 2)
    pdf.line(LEFT, CUT + 6 * mm, RIGHT, CUT + 6 * mm)
    pdf.setDash()
    pdf.setFont(font, 7)
    pdf.drawCentredString(WIDTH / 2, CUT + 7.5 * mm, "절취선")
    _box(pdf, LEFT, 12 * mm, INNER, CUT - 8 * mm)
    pdf.setFont(font, 8.5)
    for index, label in enumerate(("고객번호", "성명", "납부금액", "납기일", "전자납부번호")):
        pdf.drawString(LEFT + 3 * mm, CUT - 10 * mm - index * 4.6 * mm, label)
    _box(pdf, RIGHT - 34 * mm, 16 * mm, 30 * mm, 20 * mm)
    pdf.drawCentredString(RIGHT - 19 * mm, 33 * mm, "수납인")
    pdf.setFont(font, 7)
    pdf.drawString(LEFT, 8 * mm, f"{org_name} · 문의 {org_phone}" if org_phone else org_name)


def _prices(pdf, tariff, use_type: str, rate, font: str, bold: str) -> None:
    """The unit prices of a use type under a tariff (a form per tariff, use type and rate)."""
    pdf.setStrokeColor(GREY)
    pdf.setLineWidth(0.5)
    pdf.setFont(bold, 10)
    pdf.drawString(LEFT, PRICES_TOP, f"{USE_TYPES.get(use_type, use_type)} 요금 단가 (원/㎥, 구간은 가구당)")
    blocks = {(service, rate.upper): rate.price for (service, kind), rates in tariff.blocks.items()
              if kind == use_type for rate in rates}
    uppers = sorted({upper for _s, upper in blocks}, key=lambda u: (u is None, u or 0))[:5]
    rows, lower = [], 0
    for upper in uppers:
        label = f"{lower + 1}㎥ 이상" if upper is None else f"{lower + 1}~{upper}㎥"
        rows.append((label, _price(blocks.get(("water", upper))), _price(blocks.get(("sewer", upper)))))
        lower = upper or lower
    rows.append(("물이용부담금", _price(rate), "-"))
    top = PRICES_TOP - 2 * mm
    _grid_frame(pdf, LEFT, top, PRICE_WIDTHS, ("구간", "상수도", "하수도"), len(rows), bold, row_h=PRICE_ROW, size=8)
    for index, row in enumerate(rows):
        _row_values(pdf, LEFT, top - (index + 1) * PRICE_ROW, PRICE_WIDTHS, row, font, row_h=PRICE_ROW, size=8)


def _usage(pdf, bill: Bill, uses: dict[str, int], font: str) -> None:
    """The customer's use of the last six billing periods up to this bill's as bars, with the
    previous period's and the same month of last year's use, as Korean bills print them."""
    recent = [(period, uses[period]) for period in sorted(uses) if period <= bill.period][-6:]
    bottom = PRICES_TOP - 2 * mm - USAGE_H
    base, room = bottom + 13 * mm, USAGE_H - 19 * mm  # bars stand on base, at most room high
    slot = USAGE_W / 6
    highest = max((use for _period, use in recent), default=0) or 1
    pdf.setFont(font, 6.5)
    for index, (period, use) in enumerate(recent):
        x = USAGE_X + index * slot + slot * 0.25
        height = room * use / highest
        pdf.setFillColor(BLUE if period == bill.period else PALE)
        pdf.rect(x, base, slot * 0.5, height, stroke=0, fill=1)
        pdf.setFillColor(colors.black)
        pdf.drawCentredString(x + slot * 0.25, base + height + 1 * mm, won(use))
        pdf.drawCentredString(x + slot * 0.25, base - 3 * mm, f"{int(period[5:])}월")
    earlier = [use for period, use in recent if period < bill.period]
    previous = "전월" if (bill.period_end - bill.period_start).days < 31 else "전기"  # a bimonthly bill's
    last_year = uses.get(shift_period(bill.period, -12))
    pdf.setFont(font, 7.5)
    pdf.drawString(USAGE_X + 2 * mm, bottom + 5.5 * mm,
                   f"{previous} {won(earlier[-1]) + '㎥' if earlier else '-'}"
                   f" · 전년 동월 {won(last_year) + '㎥' if last_year is not None else '-'}")
    if earlier:
        pdf.drawString(USAGE_X + 2 * mm, bottom + 2 * mm, f"{previous} 대비 {bill.use - earlier[-1]:+,}㎥")


def _page(pdf, bill: Bill, org_name: str, org_phone: str, tariff, font: str, bold: str, forms: set, serial: str) -> None:
    if "frame" not in forms:
        pdf.beginForm("frame")
        _frame(pdf, org_name, org_phone, font, bold)
        pdf.endForm()
        forms.add("frame")
    pdf.doForm("frame")
    customer = bill.customer
    reference = notices.payment_reference(bill)
    year, month = bill.period.split("-")
    arrears = max(0, bill.arrears or 0)  # 체납액: earlier bills and late charges, asked with this bill
    due = bill.total + arrears
    late = notices.late_amount(bill.total, tariff) + arrears
    late_due = notices.late_due(bill.due_on)

    pdf.setFillColor(colors.white)
    pdf.setFont(bold, 12)
    pdf.drawRightString(RIGHT - 5 * mm, HEIGHT - 21 * mm, f"{year}년 {int(month)}월분 ({KIND_TITLES[bill.kind]})")
    pdf.setFont(font, 8.5)
    pdf.drawRightString(RIGHT - 5 * mm, HEIGHT - 27 * mm, f"고지번호 {bill.number}")
    pdf.setFillColor(colors.black)

    top = CUSTOMER_TOP
    pdf.setFont(font, 9)
    values = (customer.account_no, customer.holder_name, customer.address,
              f"{USE_TYPES.get(bill.use_type, bill.use_type)}{' (겸업)' if customer.mixed else ''} · {bill.households}가구",
              f"{serial} · 구경 {bill.diameter} mm", "자동이체" if customer.auto_debit else ("전자고지" if customer.e_billing else "가상계좌·금융기관 납부"))
    for index, value in enumerate(values):
        pdf.drawString(LEFT + 26 * mm, top - 6 * mm - index * 5.4 * mm, value[:48])
    box_x, box_w = LEFT + INNER * 0.6, INNER * 0.4
    pdf.setFont(bold, 9)
    pdf.drawString(box_x + 3 * mm, top - 6 * mm, "납기내 납부금액" if bill.total >= 0 else "감액(환급) 금액")
    pdf.setFont(bold, 20)
    pdf.setFillColor(BLUE)
    pdf.drawRightString(box_x + box_w - 3 * mm, top - 15 * mm, f"{won(due)} 원")
    pdf.setFillColor(colors.black)
    pdf.setFont(font, 8.5)
    pdf.drawString(box_x + 3 * mm, top - 22 * mm, f"납기일  {bill.due_on:%Y-%m-%d}")
    if bill.total > 0:
        pdf.drawString(box_x + 3 * mm, top - 27.5 * mm, f"납기후 금액  {won(late)} 원")
        pdf.drawString(box_x + 3 * mm, top - 33 * mm, f"납기후 납기일  {late_due:%Y-%m-%d}")

    _row_values(pdf, LEFT, READING_TOP - 2 * mm - ROW, READING_WIDTHS, (
        f"{bill.period_start:%Y-%m-%d} ~ {bill.period_end:%Y-%m-%d}", won(bill.prev_reading), won(bill.curr_reading),
        f"{won(bill.use)} ㎥", f"{bill.read_on:%Y-%m-%d}" if bill.read_on else "-"), font)

    pdf.setFont(bold, 10)
    pdf.drawString(LEFT, CHARGES_TOP, "요금 내역 (원)" if bill.kind != "adjusting" else "조정 내역 (원, 당초 고지 대비 증감)")
    rows = (
        (won(bill.meter_amount), "-", "-", won(bill.meter_amount)),
        (won(bill.water_amount), won(bill.sewer_amount), won(bill.water_use_amount),
         won(bill.water_amount + bill.sewer_amount + bill.water_use_amount)),
        (won(bill.water_reduction), won(bill.sewer_reduction), "-", won(bill.water_reduction + bill.sewer_reduction)),
        (won(bill.meter_amount + bill.water_amount + bill.water_reduction), won(bill.sewer_amount + bill.sewer_reduction),
         won(bill.water_use_amount), won(bill.total)),
    )
    for index, row in enumerate(rows):
        _row_values(pdf, LEFT + CHARGE_WIDTHS[0], CHARGES_TOP - 2 * mm - (index + 1) * ROW, CHARGE_WIDTHS[1:], row,
                    bold if index == 3 else font, centred_first=False)
    notes = []
    if arrears:
        notes.append(f"체납액(미납 요금·가산금) {won(arrears)}원 · 이번 요금 {won(bill.total)}원과 함께 납부할 금액 {won(due)}원")
    if bill.reductions:
        names = {code: r.name for code, r in tariff.reductions.items()} if tariff is not None else {}
        notes.append("감면: " + ", ".join(names.get(code, code) for code in bill.reductions.split(",")))
    if bill.kind == "adjusting" and bill.original is not None:
        notes.append(f"당초 고지 {bill.original.number} ({won(bill.original.total)}원) · 사유: {bill.reason}")
    if bill.kind == "settlement":
        notes.append(f"이사정산: {bill.period_start:%Y-%m-%d} ~ {bill.period_end:%Y-%m-%d} 사용일수 기준, 감면 미적용")
    pdf.setFont(font, 8)
    for index, note in enumerate(notes[:2]):
        pdf.drawString(LEFT, NOTES_TOP - index * 4 * mm, note[:90])

    if tariff is not None:
        rate = customer.water_use_rate if customer.water_use_rate is not None else tariff.water_use_rate
        name = f"prices-{tariff.effective_from:%Y%m%d}-{bill.use_type}-{rate}"
        if name not in forms:
            pdf.beginForm(name)
            _prices(pdf, tariff, bill.use_type, rate, font, bold)
            pdf.endForm()
            forms.add(name)
        pdf.doForm(name)

    top = PAYMENT_TOP
    pdf.setFont(font, 8.5)
    pdf.drawString(LEFT + 3 * mm, top - 11.5 * mm, f"고객 전용 가상계좌: {customer.virtual_account or '-'}")
    pdf.drawString(LEFT + 3 * mm, top - 16.5 * mm, f"전자납부번호: {reference}")
    code128.Code128(reference, barHeight=6.5 * mm, barWidth=0.28 * mm).drawOn(pdf, LEFT + 1 * mm, top - 30 * mm)
    # The QR holds the e-payment number and the amount (10 digits): digits only, the smallest code.
    _qr(pdf, f"{reference}{max(due, 0):010d}", RIGHT - 27 * mm, top - 28 * mm, 24 * mm)
    pdf.setFont(font, 7.5)
    pdf.setFillColor(GREY)
    rate_text = f"{Decimal(tariff.late_rate) * 100:.0f}%" if tariff is not None else "3%"
    pdf.drawString(LEFT, top - 36 * mm, f"· 납기일까지 납부하지 않으면 {rate_text}의 가산금이 붙습니다.")
    pdf.setFillColor(colors.black)

    pdf.setFont(bold, 11)
    pdf.drawString(LEFT + 3 * mm, CUT - 3 * mm, f"상하수도요금 영수증 · {year}년 {int(month)}월분")
    pdf.setFont(font, 8.5)
    for index, value in enumerate((customer.account_no, customer.holder_name, f"{won(due)} 원",
                                   f"{bill.due_on:%Y-%m-%d}", reference)):
        pdf.drawString(LEFT + 25 * mm, CUT - 10 * mm - index * 4.6 * mm, value)


def _price(value) -> str:
    if value is None:
        return "-"
    value = Decimal(value).normalize()
    return f"{value:,f}" if value != value.to_integral_value() else f"{int(value):,}"



_BITS = bytes.maketrans(b"\x00\x01", b"01")  # a segno matrix row holds 0 (light) and 1 (dark)


def _qr(pdf, text: str, x: float, y: float, size: float) -> None:
    """The QR code of ``text`` as a 1-bit inline image (one operator, not hundreds of rectangles).
    A fixed mask pattern is as valid as the "best" one and spares eight trial encodings."""
    matrix = segno.make_qr(text, error="m", mask=0, boost_error=False).matrix
    count = len(matrix)
    rows = []
    for row in matrix:
        bits = row.translate(_BITS).decode("ascii").ljust((count + 7) // 8 * 8, "0")
        rows.append(int(bits, 2).to_bytes(len(bits) // 8, "big").hex())
    # /Decode [1 0]: a set bit is a dark module; the quiet zone is the white paper around it.
    pdf.addLiteral(f"q {size:.2f} 0 0 {size:.2f} {x:.2f} {y:.2f} cm BI /W {count} /H {count} /BPC 1 /CS /G /D [1 0] "
                   f"/F /AHx ID {''.join(rows)}> EI Q")
