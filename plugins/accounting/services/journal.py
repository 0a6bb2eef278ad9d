"""Journal entries: drafting, approval (posting), reversal, and posting on behalf of other plugins.

Every rule that makes the books right lives here: an entry balances, each line has exactly one
positive side in whole won, accounts exist, are active and postable, and nothing posts into a
locked month or a closed year. A posted entry is never changed: it is reversed by a new entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from erp.audit import services as audit
from erp.auth.services import department_codes
from erp.common import approvals, docnumbers, tx
from erp.common.clock import utcnow
from erp.common.errors import refuse
from erp.common.tx import transactional
from erp.extensions import db
from erp.i18n import N_
from plugins.accounting.data import EntryRef, PostingLine, PostingRequest
from plugins.accounting.models import JournalEntry, JournalLine
from plugins.accounting.repositories import accounts as account_repo
from plugins.accounting.repositories import entries as entry_repo
from plugins.accounting.repositories import periods as period_repo

DOC_TYPE = "JE"
ENTITY = "accounting_entry"


def document_name() -> str:
    return _("journal entry")


def _actor() -> str:
    return audit.current_actor()[1]


def _amount(value, where: str) -> int:
    """A whole, non-negative number of won (a float, a bool or a string is refused)."""
    if isinstance(value, bool) or not isinstance(value, int):
        _refuse(_("%(where)s: amounts are whole won.", where=where))
    if value < 0:
        _refuse(_("%(where)s: amounts may not be negative.", where=where))
    return value


def _refuse(message: str, field: str = "lines"):
    refuse(message, field)


def check_date_open(entry_date: date) -> None:
    """Refuse a date in a locked month or a closed fiscal year."""
    if not isinstance(entry_date, date):
        _refuse(_("The date is not valid."), "entry_date")
    year = period_repo.fiscal_year(entry_date.year)
    if year is not None and year.closed:
        _refuse(_("The fiscal year %(year)d is closed.", year=entry_date.year), "entry_date")
    period = period_repo.period(entry_date.year, entry_date.month)
    if period is not None and period.locked:
        _refuse(_("%(year)d-%(month)02d is locked: nothing can be posted into it.", year=entry_date.year, month=entry_date.month), "entry_date")


@dataclass
class _Checked:
    lines: list[tuple[PostingLine, object]]
    total: int


def _check_lines(lines: list[PostingLine]) -> _Checked:
    if len(lines) < 2:
        _refuse(_("An entry needs at least two lines."))
    accounts = account_repo.by_codes(line.account_code for line in lines)
    departments = department_codes() if any(line.department_code for line in lines) else set()
    checked, debit_total, credit_total = [], 0, 0
    for number, line in enumerate(lines, start=1):
        where = _("Line %(n)d", n=number)
        debit, credit = _amount(line.debit, where), _amount(line.credit, where)
        if (debit > 0) == (credit > 0):
            _refuse(_("%(where)s: enter either a debit or a credit amount, not both or neither.", where=where))
        account = accounts.get(line.account_code)
        if account is None:
            _refuse(_("%(where)s: there is no account %(code)s.", where=where, code=line.account_code))
        if not account.active:
            _refuse(_("%(where)s: account %(code)s is not in use.", where=where, code=account.code))
        if not account.postable:
            _refuse(_("%(where)s: %(code)s %(name)s is a summary account; choose one of its sub-accounts.",
                      where=where, code=account.code, name=account.name))
        if line.department_code and line.department_code not in departments:
            _refuse(_("%(where)s: there is no department %(code)s.", where=where, code=line.department_code))
        debit_total += debit
        credit_total += credit
        checked.append((line, account))
    if debit_total != credit_total:
        _refuse(_("The entry does not balance: debits %(debit)s, credits %(credit)s.",
                  debit=f"{debit_total:,}", credit=f"{credit_total:,}"))
    if debit_total == 0:
        _refuse(_("An entry of zero won cannot be posted."))
    return _Checked(checked, debit_total)


def check_posting(entry_date: date, lines: list[PostingLine]) -> _Checked:
    """All the checks of a posting (open period, lines, balance), for services that build their
    own entries."""
    check_date_open(entry_date)
    return _check_lines(lines)


def build_lines(entry: JournalEntry, checked: _Checked) -> None:
    """Give ``entry`` the checked lines."""
    entry.lines = [
        JournalLine(line_no=n, account=account, debit=line.debit, credit=line.credit, memo=line.memo[:200],
                    department_code=line.department_code[:20], budget_ref=line.budget_ref[:60],
                    entry_date=entry.entry_date)
        for n, (line, account) in enumerate(checked.lines, start=1)
    ]
    entry.total = checked.total


def _validate_header(entry_date, memo: str) -> str:
    if not isinstance(entry_date, date):
        _refuse(_("The date is not valid."), "entry_date")
    memo = (memo or "").strip()
    if not memo:
        _refuse(_("Describe the entry."), "memo")
    return memo[:300]


@transactional
def create_draft(entry_date: date, memo: str, lines: list[PostingLine]) -> JournalEntry:
    """An accountant's draft: checked like a posting, but not yet in the books."""
    memo = _validate_header(entry_date, memo)
    check_date_open(entry_date)
    checked = _check_lines(lines)
    entry = JournalEntry(entry_date=entry_date, memo=memo, status="draft", created_by=_actor())
    build_lines(entry, checked)
    entry_repo.add(entry)
    tx.commit()
    return entry


@transactional
def update_draft(entry_id: int, entry_date: date, memo: str, lines: list[PostingLine]) -> JournalEntry:
    """Change a draft; a posted entry is refused."""
    entry = _draft(entry_id)
    memo = _validate_header(entry_date, memo)
    check_date_open(entry_date)
    checked = _check_lines(lines)
    entry.entry_date, entry.memo = entry_date, memo
    build_lines(entry, checked)
    if entry.is_returned:  # the drafter's correction goes back to the approver
        approvals.resubmit(entry, name=document_name(), entity=ENTITY, entity_id=entry.id)
    tx.commit()
    return entry


@transactional
def return_draft(entry_id: int, reason: str) -> JournalEntry:
    """반려: the approver sends a draft back to its drafter with the reason, which the drafter sees
    on the entry; the draft stays out of the books until it is corrected and resubmitted."""
    entry = _draft(entry_id)
    if entry.is_returned:
        _refuse(_("This entry was returned already."), "")
    approvals.return_document(entry, reason, name=document_name(), entity=ENTITY, entity_id=entry.id)
    tx.commit()
    return entry


@transactional
def resubmit(entry_id: int) -> JournalEntry:
    """The drafter sends a returned draft back for approval as it stands."""
    entry = _draft(entry_id)
    approvals.resubmit(entry, name=document_name(), entity=ENTITY, entity_id=entry.id)
    tx.commit()
    return entry


def awaiting_approval(limit: int | None = None) -> list[JournalEntry]:
    """Drafts waiting for the chief accountant (not returned), oldest first."""
    return entry_repo.awaiting_approval(limit)


@transactional
def delete_draft(entry_id: int) -> None:
    """Throw a draft away (a posted entry is refused)."""
    entry_repo.delete(_draft(entry_id))
    tx.commit()


def _draft(entry_id: int) -> JournalEntry:
    entry = entry_repo.get(entry_id, lock=True)
    if entry is None:
        raise LookupError(entry_id)
    if entry.status != "draft":
        _refuse(_("Entry %(number)s is posted: it cannot be changed, only reversed.", number=entry.number), "")
    return entry


def post_system_entry(entry: JournalEntry) -> None:
    """Post an entry the accounting plugin itself makes (closing, opening, depreciation): no
    approval step and no period check, which the caller has made. The caller commits."""
    entry_repo.add(entry)
    _post(entry)


def post_system_lines(entry_date: date, memo: str, lines: list[JournalLine], *, kind: str = "normal",
                      source: str = "") -> JournalEntry:
    """Number the lines, make them an entry of ``entry_date`` and post it as a system entry."""
    for number, line in enumerate(lines, start=1):
        line.line_no, line.entry_date = number, entry_date
    entry = JournalEntry(entry_date=entry_date, memo=memo[:300], status="draft", kind=kind, source=source,
                         created_by=_actor(), total=sum(line.debit for line in lines), lines=lines)
    post_system_entry(entry)
    return entry


def _post(entry: JournalEntry) -> None:
    """Give the entry its number and put its lines into the books (the caller commits)."""
    entry.number = docnumbers.next_number(DOC_TYPE, entry.entry_date.year)
    entry.status = "posted"
    entry.posted_by = _actor()
    entry.posted_at = utcnow()
    for line in entry.lines:
        line.entry_date = entry.entry_date
    db.session.flush()
    entry_repo.add_to_balances(entry.lines, entry.kind)
    audit.record("post", "accounting_entry", entry.id, f"{entry.number} {entry.memo}"[:300], after=entry_snapshot(entry))


def entry_snapshot(entry: JournalEntry) -> dict:
    """The entry as plain values, for the audit trail."""
    return {
        "number": entry.number, "date": entry.entry_date.isoformat(), "memo": entry.memo, "kind": entry.kind,
        "source": entry.source, "total": entry.total,
        "lines": [[line.account.code if line.account else line.account_id, line.debit, line.credit, line.memo]
                  for line in entry.lines],
    }


@transactional
def approve(entry_id: int) -> JournalEntry:
    """The chief accountant approves a draft, which posts it (checks are made again). Refused to
    its own drafter and while the draft is returned."""
    entry = _draft(entry_id)
    approvals.check_approver(document_name(), entry.created_by)
    approvals.check_not_returned(entry, document_name())
    check_date_open(entry.entry_date)
    lines = [PostingLine(l.account.code, l.debit, l.credit, l.memo, l.department_code, l.budget_ref) for l in entry.lines]
    _check_lines(lines)
    _post(entry)
    tx.commit()
    return entry


@transactional
def reverse(entry_id: int, on_date: date, reason: str = "") -> JournalEntry:
    """Reverse a posted entry with a new entry dated ``on_date`` that references it."""
    original = entry_repo.get(entry_id, lock=True)
    if original is None:
        raise LookupError(entry_id)
    if original.status != "posted":
        _refuse(_("Only a posted entry can be reversed; a draft can simply be changed or deleted."), "")
    if original.kind in ("reversal", "closing", "opening"):
        _refuse(_("A reversal, closing or opening entry cannot be reversed here."), "")
    if entry_repo.reversal_of(original.id) is not None:
        _refuse(_("Entry %(number)s has been reversed already.", number=original.number), "")
    if not isinstance(on_date, date):
        _refuse(_("The date is not valid."), "entry_date")
    if on_date < original.entry_date:
        _refuse(_("A reversal cannot be dated before the entry it reverses."), "entry_date")
    check_date_open(on_date)
    memo = _("Reversal of %(number)s", number=original.number) + (f": {reason.strip()}" if reason.strip() else "")
    reversal = JournalEntry(entry_date=on_date, memo=memo[:300], status="draft", kind="reversal",
                            reverses_id=original.id, source=original.source, created_by=_actor(), total=original.total)
    reversal.lines = [
        JournalLine(line_no=l.line_no, account_id=l.account_id, debit=l.credit, credit=l.debit, memo=l.memo,
                    department_code=l.department_code, budget_ref=l.budget_ref, entry_date=on_date)
        for l in original.lines
    ]
    entry_repo.add(reversal)
    _post(reversal)
    tx.commit()
    return reversal


@transactional
def post_request(request: PostingRequest) -> EntryRef:
    """Post an entry another plugin sends through the port; the same idempotency key twice
    returns the first entry, never a second one — also when both arrive at once."""
    key = (request.idempotency_key or "").strip()
    if not key or len(key) > 120:
        _refuse(_("An idempotency key of 1–120 characters is required."), "idempotency_key")
    existing = entry_repo.by_key(key)
    if existing is not None:
        return _ref(existing, created=False)
    memo = _validate_header(request.entry_date, request.memo)
    check_date_open(request.entry_date)
    checked = _check_lines(list(request.lines))
    entry = JournalEntry(entry_date=request.entry_date, memo=memo, status="draft", idempotency_key=key,
                         source=(request.source or "")[:80], created_by=_actor())
    build_lines(entry, checked)
    try:
        entry_repo.add(entry)  # the unique key makes a concurrent twin wait here, then fail
    except IntegrityError:
        tx.rollback()
        existing = entry_repo.by_key(key)
        if existing is None:
            raise
        return _ref(existing, created=False)
    _post(entry)
    try:
        tx.commit()
    except IntegrityError:
        tx.rollback()
        existing = entry_repo.by_key(key)
        if existing is None:
            raise
        return _ref(existing, created=False)
    return _ref(entry, created=True)


def _ref(entry: JournalEntry, created: bool) -> EntryRef:
    return EntryRef(id=entry.id, number=entry.number or "", entry_date=entry.entry_date, total=entry.total, created=created)


@transactional
def rebuild_balances(year: int) -> int:
    """Recompute a year's kept balances from its posted lines (audited)."""
    rows = entry_repo.rebuild_balances(year)
    audit.record("rebuild", "accounting_balance", year, N_("balances of %(year)s rebuilt from the posted lines: %(count)s rows"),
                 values={"year": str(year), "count": rows})
    tx.commit()
    return rows
