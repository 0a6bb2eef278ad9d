"""Queries over payments: the bulk look-ups of an import, balances of bills and customers, the
suspense list, and a day's receipts by channel."""
from __future__ import annotations

from datetime import date
from operator import itemgetter

import sqlalchemy as sa

from erp.common.sql import key_chunks, rows_for_keys
from erp.extensions import db
from plugins.rates.models import Bill, CmsDebit, Customer, Outbox, Payment, PaymentGateway
from plugins.rates.repositories.collection import written_off

RECEIPT_KINDS = ("payment", "reversal")  # not the credits of adjusting bills nor refunds, booked on their own


def bills_by_number(numbers: list[str], lock: bool = False) -> dict[str, tuple[int, int, int]]:
    """number → (bill id, customer id, total) of the bills among ``numbers``; ``lock``: locked as
    they are read, in number order (repositories.bills.lock_bills)."""
    rows = rows_for_keys(Bill.__table__, "SELECT number, id, customer_id, total FROM rates_bill WHERE number IN ({in})", numbers,
                         lock=lock)
    return dict(zip(map(itemgetter(0), rows), map(itemgetter(1, 2, 3), rows)))  # BIGINT columns: ints on both drivers


def paid_sums(bill_ids: list[int]) -> dict[int, int]:
    """bill id → the amount applied to it (reversals counted off)."""
    rows = rows_for_keys(Payment.__table__, "SELECT bill_id, SUM(applied) FROM rates_payment WHERE bill_id IN ({in}) GROUP BY bill_id",
                         bill_ids)
    return {bill_id: int(total or 0) for bill_id, total in rows}


def customers_by_virtual_account(accounts: list[str]) -> dict[str, int]:
    found = {}
    for part in key_chunks(accounts):
        query = sa.select(Customer.virtual_account, Customer.id).where(Customer.virtual_account.in_(part))
        found.update(dict(db.session.execute(query).all()))
    return found


def customer_bills(customer_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """customer id → [(bill id, total)] of the bills that asked for money and are not written off
    (a deposit naming only the customer pays what is still collected), oldest due first."""
    bills: dict[int, list[tuple[int, int]]] = {}
    for part in key_chunks(customer_ids):
        query = (sa.select(Bill.customer_id, Bill.id, Bill.total).where(Bill.customer_id.in_(part), Bill.total > 0,
                                                                        ~written_off())
                 .order_by(Bill.customer_id, Bill.due_on, Bill.id))
        for customer_id, bill_id, total in db.session.execute(query):
            bills.setdefault(customer_id, []).append((bill_id, int(total)))
    return bills


def known(channel: str, txn_ids: list[str]) -> set[str]:
    """The transaction ids of ``channel`` among ``txn_ids`` that are recorded already."""
    rows = rows_for_keys(Payment.__table__, "SELECT txn_id FROM rates_payment WHERE channel = {mark} AND txn_id IN ({in})",
                         txn_ids, channel)
    return {row[0] for row in rows}


def get(payment_id: int, lock: bool = False) -> Payment | None:
    """The payment; ``lock``: read afresh and locked for the transaction (one clerk matches or
    reverses it at a time)."""
    return db.session.get(Payment, payment_id, with_for_update=lock, populate_existing=lock)


def reversal_of(payment_id: int) -> Payment | None:
    return db.session.execute(sa.select(Payment).where(Payment.reverses_id == payment_id)).scalars().first()


def reversed_ids(payment_ids: list[int]) -> set[int]:
    if not payment_ids:
        return set()
    return set(db.session.execute(sa.select(Payment.reverses_id).where(Payment.reverses_id.in_(payment_ids))).scalars())


def of_bill(bill_id: int) -> list[Payment]:
    return list(db.session.execute(sa.select(Payment).where(Payment.bill_id == bill_id).order_by(Payment.id)).scalars())


def of_customer(customer_id: int, limit: int = 50) -> list[Payment]:
    return list(db.session.execute(sa.select(Payment).where(Payment.customer_id == customer_id)
                                   .order_by(Payment.id.desc()).limit(limit)).scalars())


def credit_of(customer_id: int) -> int:
    total = db.session.execute(sa.select(sa.func.sum(Payment.credit)).where(Payment.customer_id == customer_id)).scalar()
    return int(total or 0)


def credits(limit: int = 500) -> list[tuple]:
    """(customer id, account, holder, credit) of the customers holding a credit, largest first."""
    credit = sa.func.sum(Payment.credit)
    query = (sa.select(Customer.id, Customer.account_no, Customer.holder_name, credit)
             .join(Payment, Payment.customer_id == Customer.id)
             .group_by(Customer.id, Customer.account_no, Customer.holder_name).having(credit > 0)
             .order_by(credit.desc(), Customer.account_no).limit(limit))
    return [(row[0], row[1], row[2], int(row[3])) for row in db.session.execute(query)]


def suspense(page: int = 1, per_page: int = 50):
    """Unmatched payments not reversed, oldest first."""
    reversed_ = sa.select(Payment.reverses_id).where(Payment.reverses_id.is_not(None))
    query = (sa.select(Payment).where(Payment.status == "suspense", Payment.kind == "payment", Payment.id.not_in(reversed_))
             .order_by(Payment.received_on, Payment.id))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def unposted(through: date) -> list[tuple[date, str]]:
    """(day, channel) of the receipts not booked yet, up to ``through``."""
    query = (sa.select(Payment.received_on, Payment.channel).where(Payment.posting_key == "", Payment.received_on <= through)
             .group_by(Payment.received_on, Payment.channel).order_by(Payment.received_on, Payment.channel))
    return [(day, channel) for day, channel in db.session.execute(query)]


def _receipt_sums():
    """The columns (amount, applied, credit, suspense) summed over receipts."""
    return (sa.func.sum(Payment.amount), sa.func.sum(Payment.applied), sa.func.sum(Payment.credit),
            sa.func.sum(sa.case((Payment.status == "suspense", Payment.amount), else_=0)))


def mark_posted(day: date, channel: str, key: str) -> int:
    """Give the receipts of ``day`` and ``channel`` not booked yet the posting ``key``; returns how
    many (none when a close at the same moment took them: the update waits for it)."""
    return db.session.execute(sa.update(Payment).where(Payment.received_on == day, Payment.channel == channel,
                                                       Payment.posting_key == "").values(posting_key=key)).rowcount


def posted_sums(day: date, channel: str, key: str) -> tuple[int, int, int, int]:
    """(amount, applied, credit, suspense) of the receipts of ``day`` and ``channel`` booked under
    ``key`` (the day-and-channel index finds them; the key has none)."""
    row = db.session.execute(sa.select(*_receipt_sums())
                             .where(Payment.received_on == day, Payment.channel == channel, Payment.posting_key == key)).one()
    return tuple(int(v or 0) for v in row)


def rekey_posted(day: date, channel: str, key: str, new_key: str) -> None:
    db.session.execute(sa.update(Payment).where(Payment.received_on == day, Payment.channel == channel, Payment.posting_key == key)
                       .values(posting_key=new_key))


def outbox_keys_like(prefix: str) -> list[Outbox]:
    return list(db.session.execute(sa.select(Outbox).where(Outbox.key.like(prefix + "%")).order_by(Outbox.id)).scalars())


def day_receipts(day: date):
    """(channel, lines, amount, applied, credit, suspense, booked) of the payments received on ``day``."""
    booked = sa.func.sum(sa.case((Payment.posting_key != "", Payment.amount), else_=0))
    query = (sa.select(Payment.channel, sa.func.count(), *_receipt_sums(), booked)
             .where(Payment.received_on == day, Payment.kind.in_(RECEIPT_KINDS)).group_by(Payment.channel).order_by(Payment.channel))
    return [(row[0], *(int(v or 0) for v in row[1:])) for row in db.session.execute(query)]


def add(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def gateway_by_hash(token_hash: str):


    return db.session.execute(sa.select(PaymentGateway).where(PaymentGateway.token_hash == token_hash)).scalar_one_or_none()


# --- CMS auto-debit ---------------------------------------------------------------------------------

def auto_debit_bills(due_on: date) -> list[Bill]:
    """Bills asking for money on ``due_on`` whose customer pays by auto-debit."""
    query = (sa.select(Bill).join(Customer, Customer.id == Bill.customer_id)
             .where(Bill.due_on == due_on, Bill.total > 0, Customer.auto_debit.is_(True)).order_by(Bill.id))
    return list(db.session.execute(query).scalars())


def debits_of(due_on: date) -> list[CmsDebit]:
    return list(db.session.execute(sa.select(CmsDebit).where(CmsDebit.due_on == due_on).order_by(CmsDebit.id)).scalars())


def debit_by_txn(txn_ids: list[str], lock: bool = False) -> dict[str, CmsDebit]:
    """txn id → its debit; ``lock``: read afresh and locked for the transaction, in txn order (one
    answer to a debit recorded at a time: the same result file imported twice at once)."""
    found = {}
    for part in key_chunks(sorted(set(txn_ids))):
        query = sa.select(CmsDebit).where(CmsDebit.txn_id.in_(part)).order_by(CmsDebit.txn_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        found.update({d.txn_id: d for d in db.session.execute(query).scalars()})
    return found


def debit_of_bill(bill_id: int) -> list[CmsDebit]:
    return list(db.session.execute(sa.select(CmsDebit).where(CmsDebit.bill_id == bill_id).order_by(CmsDebit.id)).scalars())


def failed_debits(limit: int = 500) -> list[CmsDebit]:
    return list(db.session.execute(sa.select(CmsDebit).where(CmsDebit.status == "failed")
                                   .order_by(CmsDebit.due_on.desc(), CmsDebit.id).limit(limit)).scalars())
