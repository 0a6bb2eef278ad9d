"""Journal entries, lines and the monthly balances kept at posting."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from erp.common.sql import upsert_add
from erp.extensions import db
from plugins.accounting.models import JournalEntry, JournalLine, MonthlyBalance


def get(entry_id: int, *, lock: bool = False) -> JournalEntry | None:
    query = sa.select(JournalEntry).where(JournalEntry.id == entry_id)
    if lock:
        query = query.with_for_update()
    return db.session.execute(query).scalar_one_or_none()


def by_key(key: str) -> JournalEntry | None:
    return db.session.execute(sa.select(JournalEntry).where(JournalEntry.idempotency_key == key)).scalar_one_or_none()


def reversal_of(entry_id: int) -> JournalEntry | None:
    return db.session.execute(sa.select(JournalEntry).where(JournalEntry.reverses_id == entry_id)).scalar_one_or_none()


def _query(status: str | None, date_from: date | None, date_to: date | None, text: str):
    query = sa.select(JournalEntry).order_by(JournalEntry.entry_date.desc(), JournalEntry.id.desc())
    # A returned draft waits for its drafter, not the approver: "draft" and "returned" part the drafts.
    if status == "returned":
        query = query.where(JournalEntry.status == "draft", JournalEntry.return_reason != "")
    elif status == "draft":
        query = query.where(JournalEntry.status == "draft", JournalEntry.return_reason == "")
    elif status:
        query = query.where(JournalEntry.status == status)
    if date_from:
        query = query.where(JournalEntry.entry_date >= date_from)
    if date_to:
        query = query.where(JournalEntry.entry_date <= date_to)
    if text:
        like = f"%{text}%"
        query = query.where(sa.or_(JournalEntry.memo.like(like), JournalEntry.number.like(like),
                                   JournalEntry.source.like(like)))
    return query


def search(*, status: str | None = None, date_from: date | None = None, date_to: date | None = None,
           text: str = "", page: int = 1, per_page: int = 50):
    """One page of entries; ``status`` draft (awaiting approval), posted or returned (drafts sent
    back to their drafter)."""
    return db.paginate(_query(status, date_from, date_to, text), page=page, per_page=per_page, error_out=False)


def search_all(*, status: str | None = None, date_from: date | None = None, date_to: date | None = None,
               text: str = "", limit: int = 50_000) -> list[JournalEntry]:
    """Every entry the same search finds (for an export), up to ``limit``."""
    return list(db.session.scalars(_query(status, date_from, date_to, text).limit(limit)))


def awaiting_approval(limit: int | None = None) -> list[JournalEntry]:
    """Drafts not returned to their drafter, oldest first."""
    query = (sa.select(JournalEntry).where(JournalEntry.status == "draft", JournalEntry.return_reason == "")
             .order_by(JournalEntry.entry_date, JournalEntry.id))
    return list(db.session.scalars(query.limit(limit) if limit else query))


def add(entry: JournalEntry) -> JournalEntry:
    db.session.add(entry)
    db.session.flush()
    return entry


def delete(entry: JournalEntry) -> None:
    db.session.delete(entry)
    db.session.flush()


OPENING_MONTH = 0   # the opening entry of a year: balances brought forward
CLOSING_MONTH = 13  # the closing entry of a year: kept apart so the income statement ignores it


def period_month(kind: str, entry_date: date) -> int:
    return {"opening": OPENING_MONTH, "closing": CLOSING_MONTH}.get(kind, entry_date.month)


def add_to_balances(lines: list[JournalLine], kind: str = "normal") -> None:
    """Add posted lines to the monthly balances, one upsert per account and month."""
    sums: dict[tuple[int, int, int], list[int]] = {}
    for line in lines:
        key = (line.account_id, line.entry_date.year, period_month(kind, line.entry_date))
        pair = sums.setdefault(key, [0, 0])
        pair[0] += line.debit
        pair[1] += line.credit
    table = MonthlyBalance.__table__
    for (account_id, year, month), (debit, credit) in sorted(sums.items()):
        db.session.execute(upsert_add(table, {"account_id": account_id, "year": year, "month": month},
                                      {"debit": debit, "credit": credit}))


def balance_sums(year: int, month_from: int = 1, month_to: int = 12) -> dict[int, tuple[int, int]]:
    """account id -> (debit, credit) posted in the months of ``year`` (0 = opening, 13 = closing)."""
    table = MonthlyBalance.__table__
    rows = db.session.execute(
        sa.select(table.c.account_id, sa.func.sum(table.c.debit), sa.func.sum(table.c.credit))
        .where(table.c.year == year, table.c.month.between(month_from, month_to))
        .group_by(table.c.account_id)
    )
    return {account_id: (int(debit or 0), int(credit or 0)) for account_id, debit, credit in rows}


def ledger_lines(account_id: int, date_from: date, date_to: date):
    """Posted lines of an account in a date range, oldest first, with their entries."""
    query = (
        sa.select(JournalLine, JournalEntry)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(JournalLine.account_id == account_id, JournalEntry.status == "posted",
               JournalLine.entry_date.between(date_from, date_to))
        .order_by(JournalLine.entry_date, JournalEntry.number, JournalLine.line_no)
    )
    return db.session.execute(query).all()


def sums_before(account_id: int, year: int, before: date) -> tuple[int, int]:
    """Posted debit and credit of an account from 1 January of ``year`` up to ``before`` (excluded)."""
    query = (
        sa.select(sa.func.coalesce(sa.func.sum(JournalLine.debit), 0), sa.func.coalesce(sa.func.sum(JournalLine.credit), 0))
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(JournalLine.account_id == account_id, JournalEntry.status == "posted",
               JournalLine.entry_date >= date(year, 1, 1), JournalLine.entry_date < before)
    )
    debit, credit = db.session.execute(query).one()
    return int(debit), int(credit)


def rebuild_balances(year: int) -> int:
    """Recompute ``year``'s monthly balances from its posted lines (after a bulk import of
    legacy books, or to prove the kept balances right); returns the number of balance rows."""
    balance = MonthlyBalance.__table__
    line, entry = JournalLine.__table__, JournalEntry.__table__
    month = sa.case((entry.c.kind == "opening", OPENING_MONTH), (entry.c.kind == "closing", CLOSING_MONTH),
                    else_=sa.cast(sa.extract("month", line.c.entry_date), sa.Integer))
    select = (
        sa.select(line.c.account_id, sa.literal(year), month, sa.func.sum(line.c.debit), sa.func.sum(line.c.credit))
        .select_from(line.join(entry, entry.c.id == line.c.entry_id))
        .where(entry.c.status == "posted", line.c.entry_date.between(date(year, 1, 1), date(year, 12, 31)))
        .group_by(line.c.account_id, month)
    )
    db.session.execute(balance.delete().where(balance.c.year == year))
    db.session.execute(balance.insert().from_select(["account_id", "year", "month", "debit", "credit"], select))
    return db.session.execute(sa.select(sa.func.count()).select_from(balance).where(balance.c.year == year)).scalar_one()
