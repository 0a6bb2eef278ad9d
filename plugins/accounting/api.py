"""Public interface of the accounting plugin: the only module other plugins may use, through
``erp.ports.get("accounting")``. It implements ``AccountingPort`` (``port.py``) and takes and
returns the plain objects of ``data.py`` only.
"""
from __future__ import annotations

from datetime import date

from erp.common.errors import ServiceError
from plugins.accounting.data import AccountBalance, CostLine, EntryRef, PostingRequest, TrialBalance
from plugins.accounting.repositories import accounts as account_repo
from plugins.accounting.repositories import entries as entry_repo
from plugins.accounting.services import journal, reports
from plugins.accounting.services.closing import BS_CLASSES

# The operations of AccountingPort (plugins.accounting.port); callers build requests from data.py.
__all__ = ["post_entry", "account_balances", "costs_by_category", "trial_balance", "entry_date_is_open"]

# Operating costs by nature, the basis of the tariff calculation (총괄원가).
COST_PARENTS = ("5100", "5200")


def post_entry(request: PostingRequest) -> EntryRef:
    """Post a balanced entry. The same ``idempotency_key`` twice returns the first entry
    (``created=False``), never a second one. Raises ``ServiceError`` with the reason when the
    entry is refused (unbalanced, unknown account, locked month …); nothing is posted then."""
    return journal.post_request(request)


def account_balances(year: int, month_to: int = 12, codes: list[str] | None = None) -> list[AccountBalance]:
    """Posted debits and credits per postable account from the start of ``year`` to the end of
    ``month_to`` (balance-sheet accounts include the balances brought forward)."""
    sums_pl = entry_repo.balance_sums(year, 1, month_to)
    sums_bs = entry_repo.balance_sums(year, 0, month_to)
    wanted = set(codes) if codes else None
    result = []
    for account in account_repo.all_ordered():
        if not account.postable or (wanted is not None and account.code not in wanted):
            continue
        debit, credit = (sums_bs if account.account_class in BS_CLASSES else sums_pl).get(account.id, (0, 0))
        if debit or credit or wanted is not None:
            result.append(AccountBalance(account.code, account.name, account.account_class, debit, credit))
    return result


def costs_by_category(year: int) -> list[CostLine]:
    """Operating costs of ``year`` by nature (인건비, 동력비, 약품비, 원수구입비, 감가상각비 …), for the
    tariff-setting basis."""
    sums = entry_repo.balance_sums(year, 1, 12)
    accounts = account_repo.all_ordered()
    by_id = {a.id: a for a in accounts}
    parents = {a.id for a in accounts if a.code in COST_PARENTS}
    result = []
    for account in accounts:
        if account.parent_id in parents and account.postable:
            debit, credit = sums.get(account.id, (0, 0))
            result.append(CostLine(account.code, account.name, debit - credit))
        elif account.parent_id in parents:  # a header under the cost parents: sum its leaves
            total = sum(d - c for i, (d, c) in sums.items() if by_id[i].parent_id == account.id)
            result.append(CostLine(account.code, account.name, total))
    return result


def trial_balance(year: int, month_from: int = 1, month_to: int = 12) -> TrialBalance:
    """합계잔액시산표 for months of ``year``."""
    return reports.trial_balance(year, month_from, month_to)


def entry_date_is_open(day: date) -> bool:
    """Whether an entry dated ``day`` could be posted (month not locked, year not closed)."""
    try:
        journal.check_date_open(day)
    except ServiceError:
        return False
    return True
