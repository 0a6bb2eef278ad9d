"""Periods and the year end: locking months, closing a fiscal year, undoing a close."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from erp.audit import services as audit
from erp.common import tx
from erp.common.clock import utcnow
from erp.common.errors import refuse
from erp.common.tx import transactional
from erp.extensions import db
from erp.i18n import N_
from plugins.accounting.models import FiscalYear, JournalEntry, JournalLine, Period
from plugins.accounting.repositories import accounts as account_repo
from plugins.accounting.repositories import entries as entry_repo
from plugins.accounting.repositories import periods as period_repo
from plugins.accounting.services.journal import post_system_lines

RETAINED_EARNINGS = "3540"  # 미처분이익잉여금(미처리결손금)
PL_CLASSES = ("revenue", "expense")
BS_CLASSES = ("asset", "liability", "capital")



def _check_month(year: int, month: int) -> None:
    if not (1900 < year < 2200) or not (1 <= month <= 12):
        refuse(_("There is no such month."))


@transactional
def set_locked(year: int, month: int, locked: bool) -> Period:
    """Lock or unlock a month (the chief accountant's decision, audited)."""
    _check_month(year, month)
    fiscal = period_repo.fiscal_year(year)
    if fiscal is not None and fiscal.closed and not locked:
        refuse(_("The fiscal year %(year)d is closed; undo the closing before unlocking a month.", year=year))
    period = period_repo.period(year, month) or period_repo.add(Period(year=year, month=month, locked=False))
    period.locked = locked
    period.changed_by = audit.current_actor()[1]
    period.changed_at = utcnow()
    tx.commit()
    return period


def months(year: int) -> list[dict]:
    locked = period_repo.locked_months(year)
    return [{"month": m, "locked": m in locked} for m in range(1, 13)]


def is_closed(year: int) -> bool:
    fiscal = period_repo.fiscal_year(year)
    return bool(fiscal and fiscal.closed)


def _result_lines(year: int):
    """Lines that bring every revenue and expense account of ``year`` to zero."""
    sums = entry_repo.balance_sums(year, 1, 12)
    accounts = account_repo.by_ids(sums)
    lines, result = [], 0
    for account_id, (debit, credit) in sorted(sums.items(), key=lambda kv: accounts[kv[0]].sort_key):
        account = accounts[account_id]
        if account.account_class not in PL_CLASSES or debit == credit:
            continue
        net = credit - debit  # revenue positive
        result += net
        lines.append(JournalLine(account=account, debit=net if net > 0 else 0, credit=-net if net < 0 else 0,
                                 memo=_("Closing of %(year)d", year=year)))
    return lines, result


@transactional
def close_year(year: int) -> FiscalYear:
    """Post the closing entry (revenue and expenses into retained earnings) on 31 December and
    the opening entry of next year on 1 January, lock the year's months, and mark it closed.
    Closing a closed year changes nothing."""
    fiscal = period_repo.fiscal_year(year, lock=True)
    if fiscal is None:
        fiscal = period_repo.add(FiscalYear(year=year, closed=False))
        fiscal = period_repo.fiscal_year(year, lock=True)
    if fiscal.closed:
        return fiscal
    previous = period_repo.fiscal_year(year - 1)
    if (previous is None or not previous.closed) and entry_repo.balance_sums(year - 1, 0, 13):
        refuse(_("Close %(previous)d first: its balances open %(year)d.", previous=year - 1, year=year))
    drafts = db.session.query(JournalEntry.id).filter(
        JournalEntry.status == "draft", JournalEntry.entry_date.between(date(year, 1, 1), date(year, 12, 31))).count()
    if drafts:
        refuse(_("%(count)d draft entries are dated in %(year)d: approve or delete them before closing.", count=drafts, year=year))
    retained = account_repo.by_code(RETAINED_EARNINGS)
    if retained is None:
        refuse(_("The retained earnings account %(code)s is missing from the chart.", code=RETAINED_EARNINGS))

    lines, result = _result_lines(year)
    closing = None
    if lines:
        lines.append(JournalLine(account=retained, debit=-result if result < 0 else 0, credit=result if result > 0 else 0,
                                 memo=_("Net result of %(year)d", year=year)))
        closing = _system_entry(date(year, 12, 31), _("Year-end closing %(year)d", year=year), "closing", lines)

    opening_lines = []
    sums = entry_repo.balance_sums(year, 0, 13)
    accounts = account_repo.by_ids(sums)
    for account_id, (debit, credit) in sorted(sums.items(), key=lambda kv: accounts[kv[0]].sort_key):
        account = accounts[account_id]
        if account.account_class in BS_CLASSES and debit != credit:
            net = debit - credit
            opening_lines.append(JournalLine(account=account, debit=net if net > 0 else 0, credit=-net if net < 0 else 0,
                                             memo=_("Brought forward from %(year)d", year=year)))
    opening = _system_entry(date(year + 1, 1, 1), _("Opening balances %(year)d", year=year + 1), "opening", opening_lines) if opening_lines else None

    fiscal.closed = True
    fiscal.closing_entry_id = closing.id if closing else None
    fiscal.opening_entry_id = opening.id if opening else None
    fiscal.closed_by = audit.current_actor()[1]
    fiscal.closed_at = utcnow()
    for month in range(1, 13):
        period = period_repo.period(year, month) or period_repo.add(Period(year=year, month=month))
        period.locked, period.changed_by, period.changed_at = True, fiscal.closed_by, fiscal.closed_at
    tx.commit()
    return fiscal


def _system_entry(entry_date: date, memo: str, kind: str, lines: list[JournalLine]) -> JournalEntry:
    return post_system_lines(entry_date, memo, lines, kind=kind)


@transactional
def undo_close(year: int) -> FiscalYear:
    """Reopen a closed year explicitly: reverse its closing and opening entries. Refused while
    the next year is closed."""
    fiscal = period_repo.fiscal_year(year, lock=True)
    if fiscal is None or not fiscal.closed:
        refuse(_("The fiscal year %(year)d is not closed.", year=year))
    if is_closed(year + 1):
        refuse(_("Undo the closing of %(next)d first.", next=year + 1))
    for entry_id, kind in ((fiscal.opening_entry_id, "opening"), (fiscal.closing_entry_id, "closing")):
        if entry_id is None:
            continue
        original = entry_repo.get(entry_id)
        lines = [JournalLine(account_id=l.account_id, debit=l.credit, credit=l.debit, memo=l.memo) for l in original.lines]
        reversal = _system_entry(original.entry_date, _("Undo of %(number)s", number=original.number), kind, lines)
        reversal.reverses_id = original.id
    fiscal.closed = False
    fiscal.closing_entry_id = fiscal.opening_entry_id = None
    audit.record("reopen", "accounting_year", year, N_("fiscal year %(year)s reopened"), values={"year": str(year)})
    tx.commit()
    return fiscal
