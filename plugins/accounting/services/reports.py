"""The books as statements: trial balance, balance sheet, income statement, general ledger.

Balances come from the monthly balance table (month 0 holds a year's opening balances, month 13
its closing entry), so a statement reads a few thousand rows whatever the number of lines.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from erp import ports
from erp.common.clock import local_today
from erp.common.errors import ServiceError
from plugins.accounting.data import TrialBalance, TrialBalanceRow
from plugins.accounting.models import Account
from plugins.accounting.repositories import accounts as account_repo
from plugins.accounting.repositories import entries as entry_repo
from plugins.accounting.repositories import periods as period_repo
from plugins.accounting.repositories.entries import CLOSING_MONTH, OPENING_MONTH

DEBIT_NORMAL = ("asset", "expense")


def account_levels(accounts: list[Account]) -> dict[int, int]:
    by_id = {a.id: a for a in accounts}
    levels = {}
    for account in accounts:
        level, parent = 0, account.parent_id
        while parent is not None and parent in by_id:
            level, parent = level + 1, by_id[parent].parent_id
        levels[account.id] = level
    return levels


def _rolled_up(accounts: list[Account], sums: dict[int, tuple[int, int]]) -> dict[int, list[int]]:
    """Each account's own sums plus its descendants' (headers show their subtree)."""
    by_id = {a.id: a for a in accounts}
    totals = {a.id: [0, 0] for a in accounts}
    for account_id, (debit, credit) in sums.items():
        current = by_id.get(account_id)
        while current is not None:
            totals[current.id][0] += debit
            totals[current.id][1] += credit
            current = by_id.get(current.parent_id) if current.parent_id else None
    return totals


def _check_period(year: int, month_from: int, month_to: int) -> None:
    if not (1900 < year < 2200) or not (1 <= month_from <= month_to <= 12):
        raise ServiceError(_("Choose a year and months from 1 to 12."), {"": [_("Choose a year and months from 1 to 12.")]})


def trial_balance(year: int, month_from: int = 1, month_to: int = 12) -> TrialBalance:
    """합계잔액시산표: totals and balances per account for months of ``year``; the opening
    balances count from January, the closing entry is left out."""
    _check_period(year, month_from, month_to)
    sums = entry_repo.balance_sums(year, OPENING_MONTH if month_from == 1 else month_from, month_to)
    accounts = account_repo.all_ordered()
    levels = account_levels(accounts)
    totals = _rolled_up(accounts, sums)
    rows, debit_total, credit_total = [], 0, 0
    for account in accounts:
        debit, credit = totals[account.id]
        if debit == 0 and credit == 0:
            continue
        net = debit - credit
        rows.append(TrialBalanceRow(account.code, account.name, account.account_class, levels[account.id],
                                    account.postable, debit, credit, max(net, 0), max(-net, 0)))
        if account.id in sums:  # only the accounts' own postings count in the grand total
            debit_total += sums[account.id][0]
            credit_total += sums[account.id][1]
    return TrialBalance(year, month_from, month_to, tuple(rows), debit_total, credit_total)


@dataclass
class StatementLine:
    code: str
    name: str
    level: int
    amounts: list[int]  # one per column (this year, last year)
    bold: bool = False


@dataclass
class Statement:
    """A statement as pages, PDFs and Excel files print it: sections of lines with their totals,
    results printed after a section (``results[i]``: rows after section ``i``, e.g. 영업이익 after
    영업비용), and the closing totals. ``heading_totals``: a section's total stands on its heading
    row (the local public enterprise income statement: "Ⅰ. 영업수익 1,234"), not on a row of its own.
    ``provisional``: the label of figures of a year not yet closed (가결산, with the as-of date)."""

    title: str
    columns: list[str]
    sections: list[tuple[str, list[StatementLine], list[int]]] = field(default_factory=list)
    totals: list[tuple[str, list[int]]] = field(default_factory=list)
    results: dict[int, list[tuple[str, list[int]]]] = field(default_factory=dict)
    heading_totals: bool = False
    provisional: str = ""


def _signed(account: Account, debit: int, credit: int) -> int:
    return debit - credit if account.account_class in DEBIT_NORMAL else credit - debit


def _class_lines(accounts, levels, totals_by_column, account_class):
    lines = []
    for account in accounts:
        if account.account_class != account_class:
            continue
        amounts = [_signed(account, *totals[account.id]) for totals in totals_by_column]
        if all(a == 0 for a in amounts):
            continue
        lines.append(StatementLine(account.code, account.name, levels[account.id], amounts, bold=not account.postable))
    return lines


def _section_total(accounts, sums_by_column, account_class) -> list[int]:
    result = []
    for sums in sums_by_column:
        total = 0
        for account in accounts:
            if account.account_class == account_class and account.id in sums:
                total += _signed(account, *sums[account.id])
        result.append(total)
    return result


def net_income(year: int, month_to: int = 12) -> int:
    """Revenue minus expenses of ``year`` up to ``month_to`` (closing entry excluded)."""
    sums = entry_repo.balance_sums(year, 1, month_to)
    accounts = account_repo.by_ids(sums)
    revenue = sum(c - d for i, (d, c) in sums.items() if accounts[i].account_class == "revenue")
    expense = sum(d - c for i, (d, c) in sums.items() if accounts[i].account_class == "expense")
    return revenue - expense


def provisional_label(year: int, month_to: int = 12) -> str:
    """"가결산 (as of …)" while ``year`` is not closed: the figures can still change. The as-of
    date is the end of the months shown, or today when that is earlier."""
    fiscal = period_repo.fiscal_year(year)
    if fiscal is not None and fiscal.closed:
        return ""
    as_of = min(date(year, month_to, calendar.monthrange(year, month_to)[1]), local_today())
    return _("Provisional figures (year not closed) as of %(date)s", date=as_of.isoformat())


def _without_class_roots(lines: list[StatementLine], accounts: list[Account]) -> list[StatementLine]:
    """Drop the class's root account (1000 자산 …): its section heading and total say the same."""
    roots = {a.code for a in accounts if a.parent_id is None}
    return [StatementLine(line.code, line.name, max(line.level - 1, 0), line.amounts, line.bold)
            for line in lines if line.code not in roots]


def balance_sheet(year: int, month: int = 12) -> Statement:
    """재무상태표 at the end of ``month`` of ``year``, with the same date a year before."""
    _check_period(year, 1, month)
    accounts = account_repo.all_ordered()
    levels = account_levels(accounts)
    columns, sums_by_column, results = [], [], []
    for y in (year, year - 1):
        fiscal = period_repo.fiscal_year(y) if month == 12 else None
        closed = bool(fiscal and fiscal.closed)
        sums = entry_repo.balance_sums(y, OPENING_MONTH, CLOSING_MONTH if closed else month)
        sums_by_column.append(sums)
        results.append(0 if closed else net_income(y, month))
        columns.append(_("%(year)d-%(month)02d end", year=y, month=month))
    totals = [_rolled_up(accounts, sums) for sums in sums_by_column]
    statement = Statement(_("Balance sheet"), columns)
    assets = _section_total(accounts, sums_by_column, "asset")
    liabilities = _section_total(accounts, sums_by_column, "liability")
    capital = [c + r for c, r in zip(_section_total(accounts, sums_by_column, "capital"), results)]
    capital_lines = _without_class_roots(_class_lines(accounts, levels, totals, "capital"), accounts)
    if any(results):
        capital_lines.append(StatementLine("", _("Net income of the current year (not yet closed)"), 0, results))
    statement.sections = [
        (_("Assets"), _without_class_roots(_class_lines(accounts, levels, totals, "asset"), accounts), assets),
        (_("Liabilities"), _without_class_roots(_class_lines(accounts, levels, totals, "liability"), accounts), liabilities),
        (_("Capital"), capital_lines, capital),
    ]
    statement.totals = [(_("Total liabilities and capital"), [l + c for l, c in zip(liabilities, capital)])]
    statement.provisional = provisional_label(year, month)
    return statement


# The local public enterprise income statement (지방공기업 손익계산서): the groups of the standard
# chart in the order of the form. Revenue or expense accounts outside these groups (added by a
# city at the top of its chart) count as non-operating.
OPERATING_REVENUE, OPERATING_EXPENSES = "610", "710"
NON_OPERATING_REVENUE, NON_OPERATING_EXPENSES = "670", "770"
EXTRAORDINARY_GAINS, EXTRAORDINARY_LOSSES = "680", "780"
_ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ"


def _group_lines(accounts, levels, totals_by_column, members: list[Account], group: Account | None) -> list[StatementLine]:
    base = levels[group.id] + 1 if group is not None else 1
    lines = []
    for account in members:
        amounts = [_signed(account, *totals[account.id]) for totals in totals_by_column]
        if all(a == 0 for a in amounts):
            continue
        lines.append(StatementLine(account.code, account.name, max(levels[account.id] - base, 0), amounts,
                                   bold=not account.postable))
    return lines


def _group_members(accounts: list[Account], account_class: str, codes: tuple[str, ...]) -> dict[str, list[Account]]:
    """The accounts of ``account_class`` under each group code (the group account itself left
    out); those under none of them are listed under the last code."""
    by_id = {a.id: a for a in accounts}
    members: dict[str, list[Account]] = {code: [] for code in codes}
    for account in accounts:
        if account.account_class != account_class or account.code in codes:
            continue
        ancestors = _ancestors(account, by_id)
        group = next((code for code in codes if code in ancestors), None)
        if group is None:
            if account.parent_id is None:
                continue  # the class root (600 사업수익): its groups are the sections
            group = codes[-1]
        members[group].append(account)
    return members


def _own_total(members: list[Account], group: Account | None, sums: dict) -> int:
    total = 0
    for account in members + ([group] if group is not None else []):
        if account.id in sums:
            total += _signed(account, *sums[account.id])
    return total


def income_statement(year: int, month_to: int = 12) -> Statement:
    """손익계산서 from January to ``month_to``, with the same months a year before, in the form of a
    local public enterprise: Ⅰ 영업수익, Ⅱ 영업비용, Ⅲ 영업이익(손실), Ⅳ 영업외수익, Ⅴ 영업외비용,
    then 특별이익 and 특별손실 when there are any, and 당기순이익(손실)."""
    _check_period(year, 1, month_to)
    accounts = account_repo.all_ordered()
    levels = account_levels(accounts)
    by_code = {a.code: a for a in accounts}
    sums_by_column = [entry_repo.balance_sums(y, 1, month_to) for y in (year, year - 1)]
    totals = [_rolled_up(accounts, sums) for sums in sums_by_column]
    revenue_groups = _group_members(accounts, "revenue", (OPERATING_REVENUE, EXTRAORDINARY_GAINS, NON_OPERATING_REVENUE))
    expense_groups = _group_members(accounts, "expense", (OPERATING_EXPENSES, EXTRAORDINARY_LOSSES, NON_OPERATING_EXPENSES))

    def group(code: str, members: dict[str, list[Account]]) -> tuple[list[StatementLine], list[int]]:
        account = by_code.get(code)
        lines = _group_lines(accounts, levels, totals, members[code], account)
        return lines, [_own_total(members[code], account, sums) for sums in sums_by_column]

    operating_revenue = group(OPERATING_REVENUE, revenue_groups)
    operating_expenses = group(OPERATING_EXPENSES, expense_groups)
    other_revenue = group(NON_OPERATING_REVENUE, revenue_groups)
    other_expenses = group(NON_OPERATING_EXPENSES, expense_groups)
    gains = group(EXTRAORDINARY_GAINS, revenue_groups)
    losses = group(EXTRAORDINARY_LOSSES, expense_groups)
    operating_income = [r - e for r, e in zip(operating_revenue[1], operating_expenses[1])]

    parts = [(_("Operating revenue"), operating_revenue), (_("Operating expenses"), operating_expenses),
             (_("Operating income (loss)"), None),
             (_("Non-operating revenue"), other_revenue), (_("Non-operating expenses"), other_expenses)]
    if any(gains[1]) or any(losses[1]) or gains[0] or losses[0]:
        parts += [(_("Extraordinary gains"), gains), (_("Extraordinary losses"), losses)]
    net = [oi + orv - oe + g - l for oi, orv, oe, g, l in
           zip(operating_income, other_revenue[1], other_expenses[1], gains[1], losses[1])]

    statement = Statement(_("Income statement"),
                          [_("%(year)d Jan–%(month)02d", year=y, month=month_to) for y in (year, year - 1)],
                          heading_totals=True)
    for number, (label, part) in enumerate(parts):
        title = f"{_ROMAN[number]}. {label}"
        if part is None:
            statement.results[len(statement.sections) - 1] = [(title, operating_income)]
        else:
            statement.sections.append((title, part[0], part[1]))
    net_label = _("Net income (loss) for the year")
    statement.totals = [(f"{_ROMAN[len(parts)]}. {net_label}", net)]
    statement.provisional = provisional_label(year, month_to)
    return statement


@dataclass
class LedgerRow:
    entry_date: date
    number: str
    memo: str
    debit: int
    credit: int
    balance: int


def general_ledger(account_code: str, date_from: date, date_to: date) -> tuple[Account, int, list[LedgerRow]]:
    """총계정원장 of one account: the balance brought forward and each posted line with the running
    balance on the account's normal side."""
    account = account_repo.by_code(account_code)
    if account is None:
        raise ServiceError(_("There is no account %(code)s.", code=account_code), {"account": [_("There is no account %(code)s.", code=account_code)]})
    if date_to < date_from or date_from.year != date_to.year:
        raise ServiceError(_("Choose a range within one fiscal year."), {"": [_("Choose a range within one fiscal year.")]})
    debit, credit = entry_repo.sums_before(account.id, date_from.year, date_from)
    opening = _signed(account, debit, credit)
    balance, rows = opening, []
    for line, entry in entry_repo.ledger_lines(account.id, date_from, date_to):
        if entry.kind == "closing":
            continue  # the closing entry is shown in the closing report, not in the year's ledger
        balance += _signed(account, line.debit, line.credit)
        rows.append(LedgerRow(line.entry_date, entry.number, line.memo or entry.memo, line.debit, line.credit, balance))
    return account, opening, rows


# --- cash flows and retained earnings --------------------------------------------------------

CASH_ACCOUNTS = ("1111",)
DEPRECIATION_ACCOUNTS = ("5216",)
GAIN_ACCOUNTS, LOSS_ACCOUNTS = ("674",), ("772",)
# Liabilities that finance the utility; every other liability arises from operating.
FINANCING_LIABILITY_PARENTS = ("2210", "2220")
FINANCING_LIABILITIES = ("2119", "2120", "2290")
RETAINED_EARNINGS_PARENT = "3500"
UNAPPROPRIATED = "3540"


def _ancestors(account: Account, by_id: dict[int, Account]) -> set[str]:
    codes, current = set(), account
    while current is not None:
        codes.add(current.code)
        current = by_id.get(current.parent_id) if current.parent_id else None
    return codes


def _movements(year: int) -> tuple[dict[int, int], dict[int, Account]]:
    """Each account's debit − credit movement over the year's months (no opening, no closing)."""
    accounts = account_repo.all_ordered()
    by_id = {a.id: a for a in accounts}
    sums = entry_repo.balance_sums(year, 1, 12)
    return {i: d - c for i, (d, c) in sums.items()}, by_id


def _cash_flow_column(year: int) -> dict[str, int | list]:
    movements, by_id = _movements(year)
    result = {"net_income": 0, "depreciation": 0, "disposal": 0, "working": [], "investing": 0, "financing": [],
              "cash_change": 0}
    working: dict[str, int] = {}
    financing: dict[str, int] = {}
    for account_id, movement in movements.items():
        account = by_id[account_id]
        codes = _ancestors(account, by_id)
        if account.account_class in ("revenue", "expense"):
            result["net_income"] -= movement  # revenue is a credit movement
            if account.code in DEPRECIATION_ACCOUNTS:
                result["depreciation"] += movement
            elif account.code in LOSS_ACCOUNTS or account.code in GAIN_ACCOUNTS:
                result["disposal"] += movement  # a loss is added back, a gain taken off
        elif account.code in CASH_ACCOUNTS:
            result["cash_change"] += movement
        elif account.account_class == "asset" and "1100" in codes:
            key = f"{account.code} {account.name}"
            working[key] = working.get(key, 0) - movement  # more receivables: less cash
        elif account.account_class == "asset":
            result["investing"] -= movement
        elif account.account_class == "liability" and not (codes & set(FINANCING_LIABILITY_PARENTS)) \
                and account.code not in FINANCING_LIABILITIES:
            key = f"{account.code} {account.name}"
            working[key] = working.get(key, 0) - movement  # more payables: more cash
        else:
            key = f"{account.code} {account.name}"
            financing[key] = financing.get(key, 0) - movement
    # Depreciation and disposal results came out of the assets' carrying amounts, not out of cash.
    result["investing"] -= result["depreciation"] + result["disposal"]
    result["working"] = working
    result["financing"] = financing
    return result


def cash_flow(year: int) -> Statement:
    """현금흐름표 (indirect method) for ``year``, with the year before."""
    _check_period(year, 1, 12)
    columns = [_cash_flow_column(y) for y in (year, year - 1)]
    statement = Statement(_("Cash-flow statement"), [_("%(year)d", year=y) for y in (year, year - 1)])

    def line(label, values, level=1, bold=False):
        return StatementLine("", label, level, list(values), bold)

    working_keys = sorted(set(columns[0]["working"]) | set(columns[1]["working"]))
    financing_keys = sorted(set(columns[0]["financing"]) | set(columns[1]["financing"]))
    operating = [c["net_income"] + c["depreciation"] + c["disposal"] + sum(c["working"].values()) for c in columns]
    investing = [c["investing"] for c in columns]
    financing = [sum(c["financing"].values()) for c in columns]
    operating_lines = [line(_("Net income (loss)"), (c["net_income"] for c in columns)),
                       line(_("Depreciation (no cash paid)"), (c["depreciation"] for c in columns)),
                       line(_("Loss (gain) on disposal of assets"), (c["disposal"] for c in columns))]
    operating_lines += [line(_("Change in %(account)s", account=key), (c["working"].get(key, 0) for c in columns), 2)
                        for key in working_keys]
    statement.sections = [
        (_("Cash flows from operating activities"), operating_lines, operating),
        (_("Cash flows from investing activities"),
         [line(_("Acquisition and disposal of non-current assets (net)"), investing)], investing),
        (_("Cash flows from financing activities"),
         [line(_("Change in %(account)s", account=key), (c["financing"].get(key, 0) for c in columns), 2)
          for key in financing_keys], financing),
    ]
    statement.totals = [(_("Net change in cash"), [o + i + f for o, i, f in zip(operating, investing, financing)]),
                        (_("Change in the cash accounts (check)"), [c["cash_change"] for c in columns])]
    return statement


def appropriation(year: int) -> Statement:
    """이익잉여금처분계산서 (or 결손금처리계산서 when the result is a deficit) for ``year``."""
    _check_period(year, 1, 12)
    unappropriated = account_repo.by_code(UNAPPROPRIATED)
    columns, values = [], []
    for y in (year, year - 1):
        opening = entry_repo.balance_sums(y, OPENING_MONTH, OPENING_MONTH).get(unappropriated.id, (0, 0)) if unappropriated else (0, 0)
        moved = entry_repo.balance_sums(y, 1, 12).get(unappropriated.id, (0, 0)) if unappropriated else (0, 0)
        brought_forward = opening[1] - opening[0]
        transfers = moved[0] - moved[1]  # appropriations to reserves debit the unappropriated account
        income = net_income(y, 12)
        values.append((brought_forward, income, brought_forward + income, transfers, brought_forward + income - transfers))
        columns.append(_("%(year)d", year=y))
    deficit = values[0][2] < 0
    title = _("Statement of disposition of deficit") if deficit else _("Statement of appropriation of retained earnings")
    statement = Statement(title, columns)
    rows = list(zip(*values))
    statement.sections = [
        (_("Unappropriated retained earnings (undisposed deficit)"),
         [StatementLine("", _("Brought forward from the previous year"), 1, list(rows[0])),
          StatementLine("", _("Net income (loss) of the year"), 1, list(rows[1]))], list(rows[2])),
        (_("Appropriations (transfers to reserves)"),
         [StatementLine("", _("Transfers to reserves made during the year"), 1, list(rows[3]))], list(rows[3])),
    ]
    statement.totals = [(_("Carried forward to the next year"), list(rows[4]))]
    return statement


@dataclass
class Settlement:
    """결산서: the statements of a fiscal year bound together."""

    year: int
    statements: list[Statement]
    trial_balance: TrialBalance
    budget_note: str = ""
    provisional: str = ""  # 가결산 … while the year is not closed


def settlement(year: int) -> Settlement:
    """The settlement report of ``year``: balance sheet, income statement, appropriation of
    retained earnings (or disposition of deficit), cash flows, trial balance — and the budget
    settlement (예산결산) when the budget plugin offers ``settlement_section(year)`` through its
    port, returning a statement-like object (``title``, ``columns``, ``sections``, ``totals``)."""
    statements = [balance_sheet(year, 12), income_statement(year, 12), appropriation(year), cash_flow(year)]
    note = ""
    try:
        budget = ports.get("budget")
    except ports.PortError:
        budget = None
    section = getattr(budget, "settlement_section", None) if budget is not None else None
    if section is not None:
        statements.append(section(year))
    else:
        note = _("The budget settlement section is added when the budget plugin provides it.")
    return Settlement(year, statements, trial_balance(year, 1, 12), note, provisional_label(year, 12))
