"""PDF and Excel forms of the trial balance, the statements and the general ledger, built on the
core's PDF and Excel helpers (embedded Korean font, organisation header, page numbers)."""
from __future__ import annotations

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer

from erp.common import excel
from erp.common import pdf as pdf_module
from erp.common.formatting import won_deduction
from plugins.accounting.data import TrialBalance
from plugins.accounting.services.reports import Statement

INDENT = pdf_module.INDENT


def _labels() -> dict:
    return {"page": _("page"), "printed": _("Printed")}


def _tb_rows(tb: TrialBalance):
    rows = [[r.debit_balance, r.debit_total, INDENT * r.level + f"{r.code} {r.name}", r.credit_total, r.credit_balance]
            for r in tb.rows]
    debit_balance = sum(r.debit_balance for r in tb.rows if r.postable)
    credit_balance = sum(r.credit_balance for r in tb.rows if r.postable)
    total = [debit_balance, tb.debit_total, _("Total"), tb.credit_total, credit_balance]
    return rows, total


def _tb_header():
    return [_("Debit balance"), _("Debit total"), _("Account"), _("Credit total"), _("Credit balance")]


def _tb_subtitle(tb: TrialBalance) -> str:
    return _("%(year)d, months %(start)d–%(end)d", year=tb.year, start=tb.month_from, end=tb.month_to)


def _statement_rows(statement: Statement):
    """The statement's rows (label, amounts…), the rows printed bold (headings, totals, results)
    and the ranges a page break must not split: a heading with its first two lines, a section's
    last lines with its total, a result with the rows before it."""
    rows, bold, keep = [], set(), []
    blank = [None] * len(statement.columns)
    heading_totals = getattr(statement, "heading_totals", False)
    results = getattr(statement, "results", {}) or {}
    for index, (title, lines, totals) in enumerate(statement.sections):
        start = len(rows)
        bold.add(start)
        rows.append([title] + (list(totals) if heading_totals else blank))
        for line in lines:
            label = INDENT * (line.level + 1) + (f"{line.code} {line.name}" if line.code else line.name)
            rows.append([label] + list(line.amounts))
        if not heading_totals:
            bold.add(len(rows))
            rows.append([INDENT + _("Total %(section)s", section=title)] + list(totals))
        keep.append((start, min(start + 2, len(rows) - 1)))
        keep.append((max(start, len(rows) - 3), len(rows) - 1))
        for label, amounts in results.get(index, []):
            bold.add(len(rows))
            keep.append((len(rows) - 1, len(rows)))
            rows.append([label] + list(amounts))
    for label, amounts in statement.totals:
        bold.add(len(rows))
        keep.append((max(len(rows) - 2, 0), len(rows)))
        rows.append([label] + list(amounts))
    return rows, bold, keep


def _register_header():
    return [_("Number"), _("Asset name"), _("Category"), _("Acquisition date"), _("Method"), _("Acquisition cost"),
            _("Accumulated depreciation"), _("Book value")]


def _register_rows(rows):
    from plugins.accounting.services.assets import CATEGORIES

    body = [[r.asset.number, r.asset.name + (f" ({_('disposed')})" if r.asset.status == "disposed" else ""),
             _(CATEGORIES[r.asset.category][0]), str(r.asset.acquired_on),
             _("Straight-line") if r.asset.method == "straight_line" else _("Declining balance"),
             r.asset.cost, r.accumulated, r.book_value] for r in rows]
    total = ["", _("Total"), "", "", "", sum(r.asset.cost for r in rows if r.asset.status != "disposed"),
             sum(r.accumulated for r in rows if r.asset.status != "disposed"), sum(r.book_value for r in rows)]
    return body, total


def _statement_widths(columns: int) -> list[str]:
    # Shares of the frame, so that a statement of any number of columns fits the paper.
    label = 46 if columns <= 2 else 40
    return [f"{label}%"] + [f"{(100 - label) / columns:.3f}%"] * columns


def _statement_story(statement: Statement, styles) -> list:
    rows, bold, keep = _statement_rows(statement)
    header = [_("Account")] + statement.columns
    table = pdf_module.money_table(header, rows, numeric_cols=set(range(1, len(header))), total_row=True,
                                   bold_rows=bold, keep_together=keep, formatter=won_deduction,
                                   col_widths=_statement_widths(len(statement.columns)))
    story = [Paragraph(statement.title, styles["title"])]
    if getattr(statement, "provisional", ""):
        story.append(Paragraph(statement.provisional, styles["small"]))
    return story + [Spacer(1, 4 * mm), table]


def _settlement_pdf(settlement, styles, org_name: str) -> bytes:
    """결산서: a cover with the contents, then each statement on its own pages."""
    title = _("Settlement report for the fiscal year %(year)d", year=settlement.year)
    story = [Spacer(1, 50 * mm), Paragraph(org_name, styles["heading"]), Spacer(1, 6 * mm),
             Paragraph(title, styles["title"])]
    if settlement.provisional:
        story += [Spacer(1, 3 * mm), Paragraph(settlement.provisional, styles["heading"])]
    story += [Spacer(1, 20 * mm), Paragraph(_("Contents"), styles["heading"])]
    for number, statement in enumerate(settlement.statements, start=1):
        story.append(Paragraph(f"{number}. {statement.title}", styles["body"]))
    if settlement.budget_note:
        story.append(Spacer(1, 6 * mm))
        story.append(Paragraph(settlement.budget_note, styles["small"]))
    for statement in settlement.statements:
        story.append(PageBreak())
        story.extend(_statement_story(statement, styles))
    story.append(PageBreak())
    rows, total = _tb_rows(settlement.trial_balance)
    story += [Paragraph(_("Trial balance"), styles["title"]), Spacer(1, 4 * mm),
              pdf_module.money_table(_tb_header(), rows + [total], numeric_cols={0, 1, 3, 4}, total_row=True,
                                     col_widths=[28 * mm, 30 * mm, 64 * mm, 30 * mm, 28 * mm])]
    return pdf_module.build_pdf(title, story, org_name=org_name, subtitle=f"{settlement.year}-01-01 ~ {settlement.year}-12-31",
                                labels=_labels())


def pdf(kind: str, payload, *, org_name: str) -> bytes:
    """The statement as an A4 PDF."""
    styles = pdf_module.styles()
    if kind == "asset_register":
        body, total = _register_rows(payload)
        title = _("Fixed asset register")
        table = pdf_module.money_table(_register_header(), body + [total], numeric_cols={5, 6, 7}, total_row=True,
                                       col_widths=[28 * mm, 57 * mm, 40 * mm, 24 * mm, 22 * mm, 32 * mm, 32 * mm, 32 * mm])
        return pdf_module.build_pdf(title, [Paragraph(title, styles["title"]), Spacer(1, 4 * mm), table],
                                    org_name=org_name, landscape=True, labels=_labels())
    if kind == "trial_balance":
        rows, total = _tb_rows(payload)
        title, subtitle = _("Trial balance"), _tb_subtitle(payload)
        table = pdf_module.money_table(_tb_header(), rows + [total], numeric_cols={0, 1, 3, 4}, total_row=True,
                                       col_widths=[28 * mm, 30 * mm, 64 * mm, 30 * mm, 28 * mm])
        return pdf_module.build_pdf(title, [Paragraph(title, styles["title"]), Spacer(1, 4 * mm), table],
                                    org_name=org_name, subtitle=subtitle, labels=_labels())
    if kind == "statement":
        return pdf_module.build_pdf(payload.title, _statement_story(payload, styles), org_name=org_name,
                                    subtitle=" / ".join(payload.columns), labels=_labels())
    if kind == "settlement":
        return _settlement_pdf(payload, styles, org_name)
    if kind == "ledger":
        (account, opening, lines), date_from, date_to = payload
        title = _("General ledger")
        rows = [[None, "", _("Brought forward"), None, None, opening]]
        rows += [[str(r.entry_date), r.number, r.memo, r.debit or None, r.credit or None, r.balance] for r in lines]
        total = [None, "", _("Total"), sum(r.debit for r in lines), sum(r.credit for r in lines),
                 lines[-1].balance if lines else opening]
        table = pdf_module.money_table([_("Date"), _("Number"), _("Entry description"), _("Debit"), _("Credit"), _("Balance")],
                                       rows + [total], numeric_cols={3, 4, 5}, total_row=True,
                                       col_widths=[20 * mm, 30 * mm, 53 * mm, 25 * mm, 25 * mm, 27 * mm])
        heading = f"{title}: {account.code} {account.name}"
        return pdf_module.build_pdf(title, [Paragraph(heading, styles["title"]), Spacer(1, 4 * mm), table],
                                    org_name=org_name, subtitle=f"{date_from} ~ {date_to}", labels=_labels())
    raise ValueError(kind)


def _statement_sheet(statement: Statement) -> excel.Sheet:
    rows, _bold, _keep = _statement_rows(statement)
    columns = [excel.Column(_("Account"), 48)] + [excel.Column(c, 20, "won_deduction") for c in statement.columns]
    subtitle = " / ".join(statement.columns)
    if getattr(statement, "provisional", ""):
        subtitle = f"{subtitle} — {statement.provisional}"
    return excel.Sheet(statement.title, columns, rows[:-1], subtitle=subtitle, total_row=rows[-1])


def xlsx(kind: str, payload, *, org_name: str) -> bytes:
    """The statement as an Excel workbook."""
    if kind == "asset_register":
        body, total = _register_rows(payload)
        widths = [16, 36, 24, 12, 12, 18, 18, 18]
        kinds = ["text", "text", "text", "text", "text", "won", "won", "won"]
        columns = [excel.Column(h, w, k) for h, w, k in zip(_register_header(), widths, kinds)]
        sheet = excel.Sheet(_("Fixed asset register"), columns, body, total_row=total)
    elif kind == "trial_balance":
        rows, total = _tb_rows(payload)
        columns = [excel.Column(h, 18, "won") for h in _tb_header()]
        columns[2] = excel.Column(_("Account"), 40)
        sheet = excel.Sheet(_("Trial balance"), columns, rows, subtitle=_tb_subtitle(payload), total_row=total)
    elif kind == "statement":
        sheet = _statement_sheet(payload)
    elif kind == "settlement":
        sheets = [_statement_sheet(statement) for statement in payload.statements]
        rows, total = _tb_rows(payload.trial_balance)
        columns = [excel.Column(h, 18, "won") for h in _tb_header()]
        columns[2] = excel.Column(_("Account"), 40)
        sheets.append(excel.Sheet(_("Trial balance"), columns, rows, subtitle=_tb_subtitle(payload.trial_balance), total_row=total))
        return excel.build_workbook(sheets, org_name=org_name)
    elif kind == "ledger":
        (account, opening, lines), date_from, date_to = payload
        columns = [excel.Column(_("Date"), 12, "date"), excel.Column(_("Number"), 16), excel.Column(_("Entry description"), 40),
                   excel.Column(_("Debit"), 16, "won"), excel.Column(_("Credit"), 16, "won"), excel.Column(_("Balance"), 18, "won")]
        rows = [[None, "", _("Brought forward"), None, None, opening]]
        rows += [[r.entry_date, r.number, r.memo, r.debit or None, r.credit or None, r.balance] for r in lines]
        sheet = excel.Sheet(f"{account.code} {account.name}", columns, rows, subtitle=f"{date_from} ~ {date_to}",
                            total_row=[None, "", _("Total"), sum(r.debit for r in lines), sum(r.credit for r in lines),
                                       lines[-1].balance if lines else opening])
    else:
        raise ValueError(kind)
    return excel.build_workbook([sheet], org_name=org_name)

