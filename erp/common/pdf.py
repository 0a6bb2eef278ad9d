"""PDF helper for official printouts (결산서, 고지서 목록, 대장 ...).

A helper, not a framework: callers build their own flowables (Paragraphs, tables from
``money_table`` ...) and hand them to ``build_pdf``, which adds the page frame every official
printout needs -- organisation and title on top, page "N / M" and print time at the bottom -- and
embeds the Korean font.
"""
from __future__ import annotations

from collections.abc import Callable

from html import escape as _html_escape
from datetime import datetime
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.pagesizes import landscape as to_landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from erp.common.clock import local_now
from erp.common.fonts import register_korean_fonts
from erp.common.formatting import won as format_won

__all__ = ["build_pdf", "styles", "money_table", "format_won"]

DEFAULT_LABELS = {"page": "쪽", "printed": "출력일시"}

_MARGIN_X = 15 * mm
_MARGIN_TOP = 24 * mm  # room for the two header lines and the rule
_MARGIN_BOTTOM = 18 * mm
_RULE_COLOR = colors.HexColor("#555555")
_TEXT_GREY = colors.HexColor("#333333")
_HEADER_FILL = colors.HexColor("#DCE3EC")
_TOTAL_FILL = colors.HexColor("#F1F1F1")
_GRID_COLOR = colors.HexColor("#808080")


def escape(text: str) -> str:
    """Escape text for reportlab's paragraph mark-up (``&``, ``<``, ``>``)."""
    return _html_escape(text, quote=False)


def styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles in the embedded Korean font.

    Keys: ``title``, ``heading``, ``body``, ``small``, ``cell``, ``cell_right``. A fresh dict is
    returned on every call, so a caller may adjust a style without affecting other printouts.
    """
    regular, bold = register_korean_fonts()
    # Hangul needs more leading than Latin text to stay readable, hence ~1.4-1.5x the size.
    return {
        "title": ParagraphStyle(
            "title", fontName=bold, fontSize=16, leading=22, alignment=TA_CENTER, spaceAfter=4 * mm
        ),
        "heading": ParagraphStyle(
            "heading", fontName=bold, fontSize=12, leading=17, spaceBefore=3 * mm, spaceAfter=2 * mm
        ),
        "body": ParagraphStyle("body", fontName=regular, fontSize=10, leading=15, alignment=TA_LEFT),
        "small": ParagraphStyle("small", fontName=regular, fontSize=8, leading=11, textColor=_TEXT_GREY),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=8.5, leading=11.5),
        "cell_right": ParagraphStyle(
            "cell_right", fontName=regular, fontSize=8.5, leading=11.5, alignment=TA_RIGHT
        ),
    }


def _cell_text(value, numeric: bool) -> str:
    if value is None:
        return ""
    if numeric and isinstance(value, float):
        raise TypeError(f"numeric table cells take integer won, got float {value!r}")
    if numeric and isinstance(value, int) and not isinstance(value, bool):
        return format_won(value)
    return str(value)


def _auto_widths(header: list[str], rows: list[list], font: str, size: float) -> list[str]:
    """Column widths as percentages of the frame, proportional to each column's widest text.

    Percentages let reportlab resolve them against the actual frame width, so the same table fits a
    portrait or a landscape page. Weights are clamped so a single long remark cannot starve the
    other columns and a narrow code column still gets a readable minimum.
    """
    weights = []
    for index, title in enumerate(header):
        texts = [title] + [
            row[index] for row in rows[:200] if index < len(row) and isinstance(row[index], str)
        ]
        widest = max((stringWidth(t, font, size) for t in texts), default=0)
        if any(isinstance(row[index], int) for row in rows[:200] if index < len(row)):
            widest = max(widest, stringWidth("0,000,000,000", font, size))
        weights.append(min(max(widest + 8, 40), 220))
    total = sum(weights)
    return [f"{100 * w / total:.3f}%" for w in weights]


INDENT = "\u3000"  # a full-width space: how reports mark a label's level in tables and Excel cells
_INDENTED: dict[tuple[str, int], ParagraphStyle] = {}


def _indented(style: ParagraphStyle, depth: int) -> ParagraphStyle:
    key = (style.name, depth)
    if key not in _INDENTED:
        _INDENTED[key] = ParagraphStyle(f"{style.name}_indent{depth}", parent=style, leftIndent=depth * style.fontSize)
    return _INDENTED[key]


def money_table(
    header: list[str],
    rows: list[list],
    *,
    col_widths=None,
    numeric_cols: set[int] = frozenset(),
    total_row: bool = False,
    bold_rows: set[int] = frozenset(),
    keep_together: list[tuple[int, int]] = (),
    formatter: Callable[[int], str] | None = None,
) -> Table:
    """A gridded table with a shaded header row that repeats on every page.

    ``numeric_cols`` are right-aligned and their int values formatted as ``1,234,567`` (negative
    ``-1,234``; None becomes empty; float raises TypeError). Strings are escaped, so ``&`` and
    ``<`` print literally; Flowable cells are used as given. With ``total_row`` the last row is
    printed bold on a light background. ``col_widths`` is passed to reportlab (points, "20%",
    "*"); by default widths are proportional to content and fill the frame.
    ``bold_rows`` (indexes into ``rows``) print bold, like headings with their totals;
    ``keep_together`` holds ranges of rows (first, last; indexes into ``rows``) that a page break
    must not split — a heading with its first lines, the last lines with their total — so that
    no row is left alone on a page. By default the total row keeps the two rows above it.
    ``formatter`` replaces the ``1,234`` format of numeric cells (e.g. △ for deductions).
    """
    st = styles()
    regular, bold = register_korean_fonts()
    cell, cell_right = st["cell"], st["cell_right"]
    head = ParagraphStyle("cell_head", parent=cell, fontName=bold, alignment=TA_CENTER)
    cell_bold = ParagraphStyle("cell_bold", parent=cell, fontName=bold)
    cell_right_bold = ParagraphStyle("cell_right_bold", parent=cell_right, fontName=bold)

    ncols = len(header)
    data: list[list] = [[Paragraph(escape(str(h)), head) for h in header]]
    for row_index, row in enumerate(rows):
        if len(row) != ncols:
            raise ValueError(f"row {row_index} has {len(row)} cells, header has {ncols}")
        is_total = total_row and row_index == len(rows) - 1
        strong = is_total or row_index in bold_rows
        out = []
        for col, value in enumerate(row):
            if isinstance(value, Flowable):
                out.append(value)
                continue
            numeric = col in numeric_cols
            if numeric:
                style = cell_right_bold if strong else cell_right
            else:
                style = cell_bold if strong else cell
            text = formatter(value) if numeric and formatter and isinstance(value, int) and not isinstance(value, bool) \
                else _cell_text(value, numeric)
            depth = len(text) - len(text.lstrip(INDENT))
            if depth:
                # Paragraphs drop leading white space: an indented label (accounts under their
                # parents) is indented by the style instead.
                text, style = text[depth:], _indented(style, depth)
            out.append(Paragraph(escape(text), style))
        data.append(out)

    if col_widths is None:
        col_widths = _auto_widths(header, rows, regular, cell.fontSize)

    commands = [
        ("FONTNAME", (0, 0), (-1, -1), regular),  # for any plain-string cell a caller sneaks in
        ("GRID", (0, 0), (-1, -1), 0.4, _GRID_COLOR),
        ("BACKGROUND", (0, 0), (-1, 0), _HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if total_row and rows:
        commands += [
            ("BACKGROUND", (0, -1), (-1, -1), _TOTAL_FILL),
            ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
        ]
        if not keep_together and len(rows) > 2:
            keep_together = [(len(rows) - 3, len(rows) - 1)]
    for first, last in keep_together:
        # Row 0 of the table is the header: data row i is table row i + 1.
        commands.append(("NOSPLIT", (0, first + 1), (-1, last + 1)))
    return Table(data, colWidths=col_widths, repeatRows=1, style=TableStyle(commands), hAlign="CENTER")


def _printed_text(printed_at: datetime | None) -> str:
    # Naive datetimes are the office's wall-clock time, which is what the reader expects to see.
    return (printed_at or local_now()).strftime("%Y-%m-%d %H:%M")


def _fit_size(text: str, font: str, size: float, max_width: float, min_size: float = 6) -> float:
    """Shrink a header font until the text fits, so a long title never runs into the org name."""
    while size > min_size and stringWidth(text, font, size) > max_width:
        size -= 0.5
    return size


def _canvas_class(draw_page_number):
    """A canvas that defers page finishing until the total page count is known.

    The usual two-pass recipe: each page's state is kept at showPage, and on save every page is
    replayed with "N / M" drawn before it is really emitted.
    """

    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved_page_states: list[dict] = []

        def showPage(self):  # noqa: N802 -- reportlab's name
            self._saved_page_states.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved_page_states)
            for state in self._saved_page_states:
                self.__dict__.update(state)
                draw_page_number(self, self._pageNumber, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def build_pdf(
    title: str,
    story: list,
    *,
    org_name: str,
    subtitle: str = "",
    landscape: bool = False,
    printed_at: datetime | None = None,
    labels: dict | None = None,
) -> bytes:
    """Render ``story`` on A4 pages with the official header and footer and return the PDF bytes.

    Every page shows ``org_name`` (left) and ``title`` with the optional ``subtitle`` (e.g. the
    period) on the right above a thin rule, and a footer with the print time
    (``printed_at``, default now in ERP_TIMEZONE, shown as ``YYYY-MM-DD HH:MM``) and "N / M".
    ``labels`` overrides the footer words, defaults ``{"page": "쪽", "printed": "출력일시"}``.
    All text uses the embedded NanumGothic font.
    """
    regular, bold = register_korean_fonts()
    words = {**DEFAULT_LABELS, **(labels or {})}
    printed = f"{words['printed']} {_printed_text(printed_at)}".strip()
    pagesize = to_landscape(A4) if landscape else A4
    page_w, page_h = pagesize
    content_w = page_w - 2 * _MARGIN_X

    def draw_frame(canv, doc):
        canv.saveState()
        top = page_h - 11 * mm
        org_size = _fit_size(org_name, regular, 9, content_w * 0.4)
        canv.setFont(regular, org_size)
        canv.setFillColor(_TEXT_GREY)
        canv.drawString(_MARGIN_X, top, org_name)
        title_room = content_w - stringWidth(org_name, regular, org_size) - 8 * mm
        canv.setFillColor(colors.black)
        title_size = _fit_size(title, bold, 12, title_room)
        canv.setFont(bold, title_size)
        canv.drawRightString(page_w - _MARGIN_X, top, title)
        if subtitle:
            canv.setFont(regular, _fit_size(subtitle, regular, 8.5, title_room))
            canv.setFillColor(_TEXT_GREY)
            canv.drawRightString(page_w - _MARGIN_X, top - 5 * mm, subtitle)
        canv.setStrokeColor(_RULE_COLOR)
        canv.setLineWidth(0.6)
        rule_y = page_h - 18 * mm
        canv.line(_MARGIN_X, rule_y, page_w - _MARGIN_X, rule_y)
        # Footer rule and print time; the page number needs the total and is drawn at save time.
        foot_y = 10 * mm
        canv.setLineWidth(0.3)
        canv.line(_MARGIN_X, foot_y + 4 * mm, page_w - _MARGIN_X, foot_y + 4 * mm)
        canv.setFont(regular, 8)
        canv.setFillColor(_TEXT_GREY)
        canv.drawString(_MARGIN_X, foot_y, printed)
        canv.restoreState()

    def draw_page_number(canv, number, total):
        canv.saveState()
        canv.setFont(regular, 8)
        canv.setFillColor(_TEXT_GREY)
        canv.drawRightString(page_w - _MARGIN_X, 10 * mm, f"{number} / {total} {words['page']}".strip())
        canv.restoreState()

    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=_MARGIN_X,
        rightMargin=_MARGIN_X,
        topMargin=_MARGIN_TOP,
        bottomMargin=_MARGIN_BOTTOM,
        title=f"{title} {subtitle}".strip(),
        author=org_name,
        creator="Waterworks ERP",
        # The canvas starts in Helvetica unless told otherwise, which would put an unembedded
        # standard font into every page's resources.
        initialFontName=regular,
    )
    # An empty story would produce no page at all; an official printout always has one.
    flowables = list(story) or [Spacer(1, 1)]
    laid_out = list(flowables)  # build() consumes its list
    doc.build(
        flowables,
        onFirstPage=draw_frame,
        onLaterPages=draw_frame,
        canvasmaker=_canvas_class(draw_page_number),
    )
    _check_fits(laid_out, doc.width, title)
    return buffer.getvalue()


def approval_box(slots: list[tuple[str, str, str]], *, label: str = "결재") -> Table:
    """결재란: the boxes at the top right of an official document — one per step (e.g. 담당 /
    검토 / 결재), each with the step's title, the person's name and the date. An empty name
    leaves the box blank, to be signed by hand. All text is escaped."""
    regular, bold = register_korean_fonts()
    cell = ParagraphStyle("approval", fontName=regular, fontSize=8.5, leading=11, alignment=TA_CENTER)
    head = ParagraphStyle("approval_head", parent=cell, fontName=bold)
    small = ParagraphStyle("approval_date", parent=cell, fontSize=7, leading=9)
    data = [[Paragraph(escape(label), head)] + [Paragraph(escape(title), head) for title, _name, _on in slots],
            [""] + [Paragraph(escape(name), cell) for _title, name, _on in slots],
            [""] + [Paragraph(escape(on), small) for _title, _name, on in slots]]
    style = TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, _GRID_COLOR),
        ("SPAN", (0, 0), (0, -1)),
        ("BACKGROUND", (0, 0), (-1, 0), _HEADER_FILL),
        ("BACKGROUND", (0, 0), (0, -1), _HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
    ])
    return Table(data, colWidths=[9 * mm] + [24 * mm] * len(slots), rowHeights=[6 * mm, 13 * mm, 5 * mm],
                 style=style, hAlign="RIGHT")


def korean_amount(amount: int) -> str:
    """An amount as officials write it on a resolution: "금 일백이십삼만사천오백육십원정"."""
    from num2words import num2words

    return "금 " + num2words(amount, lang="ko").replace(" ", "") + "원정"


def document_head(title: str, approvals: Table, width: float) -> Table:
    """The top of a one-page official document: its title on the left, the 결재란 on the right."""
    _regular, bold = register_korean_fonts()
    heading = ParagraphStyle("document_title", fontName=bold, fontSize=18, leading=24, alignment=TA_CENTER)
    box_width = sum(approvals._colWidths)
    return Table([[Paragraph(escape(title), heading), approvals]], colWidths=[width - box_width, box_width],
                 style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))


def form_table(rows: list[tuple[str, str]], width: float, *, label_width: float = 32 * mm) -> Table:
    """A two-column form (label | value) as on printed documents; the values are escaped."""
    st = styles()
    regular, bold = register_korean_fonts()
    label = ParagraphStyle("form_label", parent=st["cell"], fontName=bold, alignment=TA_CENTER)
    data = [[Paragraph(escape(name), label), Paragraph(escape(value), st["cell"])] for name, value in rows]
    return Table(data, colWidths=[label_width, width - label_width], style=TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, _GRID_COLOR), ("BACKGROUND", (0, 0), (0, -1), _HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))


def _check_fits(flowables: list, frame_width: float, title: str) -> None:
    """A table wider than the frame prints its first and last columns off the paper (codes and
    totals cut away): refuse to hand such a printout to anyone."""
    for flowable in flowables:
        inner = getattr(flowable, "_content", None)  # KeepTogether and friends
        if isinstance(inner, list):
            _check_fits(inner, frame_width, title)
        width = getattr(flowable, "_width", None) if isinstance(flowable, Table) else None
        if width is not None and width > frame_width + 0.5:
            raise ValueError(f"{title}: a table is {width / mm:.0f} mm wide, the page holds {frame_width / mm:.0f} mm")
