"""The books as statements: trial balance, balance sheet, income statement, general ledger.

Balances come from the monthly balance table (month 0 holds a year's opening balances, month 13
its closing entry), so a statement reads a few thousand rows whatever the number of lines.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from erp import ports
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
    title: str
    columns: list[str]
    sections: list[tuple[str, list[StatementLine], list[int]]] = field(default_factory=list)
    totals: list[tuple[str, list[int]]] = field(default_factory=list)


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
    capital_lines = _class_lines(accounts, levels, totals, "capital")
    if any(results):
        capital_lines.append(StatementLine("", _("Net income of the current year (not yet closed)"), 1, results))
    statement.sections = [
        (_("Assets"), _class_lines(accounts, levels, totals, "asset"), assets),
        (_("Liabilities"), _class_lines(accounts, levels, totals, "liability"), liabilities),
        (_("Capital"), capital_lines, capital),
    ]
    statement.totals = [(_("Total assets"), assets),
                        (_("Total liabilities and capital"), [l + c for l, c in zip(liabilities, capital)])]
    return statement


def income_statement(year: int, month_to: int = 12) -> Statement:
    """손익계산서 from January to ``month_to``, with the same months a year before."""
    _check_period(year, 1, month_to)
    accounts = account_repo.all_ordered()
    levels = account_levels(accounts)
    sums_by_column = [entry_repo.balance_sums(y, 1, month_to) for y in (year, year - 1)]
    totals = [_rolled_up(accounts, sums) for sums in sums_by_column]
    revenue = _section_total(accounts, sums_by_column, "revenue")
    expense = _section_total(accounts, sums_by_column, "expense")
    statement = Statement(_("Income statement"),
                          [_("%(year)d Jan–%(month)02d", year=y, month=month_to) for y in (year, year - 1)])
    statement.sections = [
        (_("Revenue"), _class_lines(accounts, levels, totals, "revenue"), revenue),
        (_("Expenses"), _class_lines(accounts, levels, totals, "expense"), expense),
    ]
    statement.totals = [(_("Net income (loss)"), [r - e for r, e in zip(revenue, expense)])]
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
    return Settlement(year, statements, trial_balance(year, 1, 12), note)
