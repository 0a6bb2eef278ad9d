"""Chart-of-accounts queries."""
from __future__ import annotations

import sqlalchemy as sa

from erp.extensions import db
from plugins.accounting.models import Account


def by_code(code: str) -> Account | None:
    return db.session.execute(sa.select(Account).where(Account.code == code)).scalar_one_or_none()


def by_codes(codes) -> dict[str, Account]:
    codes = set(codes)
    if not codes:
        return {}
    rows = db.session.execute(sa.select(Account).where(Account.code.in_(codes))).scalars()
    return {a.code: a for a in rows}


def by_ids(ids) -> dict[int, Account]:
    ids = set(ids)
    if not ids:
        return {}
    return {a.id: a for a in db.session.execute(sa.select(Account).where(Account.id.in_(ids))).scalars()}


def all_ordered(active_only: bool = False) -> list[Account]:
    query = sa.select(Account).order_by(Account.sort_key)
    if active_only:
        query = query.where(Account.active.is_(True))
    return list(db.session.execute(query).scalars())


def postable_choices() -> list[Account]:
    query = (sa.select(Account).where(Account.active.is_(True), Account.postable.is_(True))
             .order_by(Account.sort_key))
    return list(db.session.execute(query).scalars())


def add(account: Account) -> Account:
    db.session.add(account)
    db.session.flush()
    return account


def has_postings(account_id: int) -> bool:
    from plugins.accounting.models import JournalLine

    return db.session.execute(sa.select(JournalLine.id).where(JournalLine.account_id == account_id).limit(1)).first() is not None
