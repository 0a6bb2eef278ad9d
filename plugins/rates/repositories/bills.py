"""Queries over bill runs and bills; the run's set-based reads of customers and readings."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from erp.common.sql import key_chunks, lock_keys, raw_rows
from erp.extensions import db
from plugins.rates.models import Bill, BillRun, Customer, CustomerReduction, Meter, Outbox, Reading, RunProfile

REGULAR_KINDS = ("regular", "settlement")


def run(run_id: int) -> BillRun | None:
    return db.session.get(BillRun, run_id)


def running_runs() -> list[BillRun]:
    return list(db.session.execute(sa.select(BillRun).where(BillRun.status == "running").order_by(BillRun.id)).scalars())


def open_run(period: str, cycle: str, route_code: str) -> BillRun | None:
    return db.session.execute(sa.select(BillRun).where(BillRun.period == period, BillRun.cycle == cycle,
                                                       BillRun.route_code == route_code, BillRun.status == "running")
                              ).scalars().first()


def overlapping_run(period: str, cycle: str, route_code: str, start: date, end: date) -> BillRun | None:
    """A run of another period of the same cycle whose dates overlap ``start``–``end`` and whose
    customers may be the same (the same route, or either run covers every route)."""
    same_customers = BillRun.route_code.in_(["", route_code]) if route_code else sa.true()
    query = sa.select(BillRun).where(
        BillRun.cycle == cycle, BillRun.period != period, BillRun.period_start <= end, BillRun.period_end >= start,
        same_customers).order_by(BillRun.period_start)
    return db.session.execute(query).scalars().first()


def runs(page: int = 1, per_page: int = 30):
    return db.paginate(sa.select(BillRun).order_by(BillRun.id.desc()), page=page, per_page=per_page, error_out=False)


def bill(bill_id: int) -> Bill | None:
    return db.session.get(Bill, bill_id)


def lock_bills(bill_ids) -> None:
    """Lock the bills for the transaction, in id order: one writer of a bill's money (a payment,
    a match, a reversal, a write-off) at a time. The writer then reads what the bills have been
    paid in READ COMMITTED (erp.common.tx), which shows what the writer before it committed.
    A payment file locks the bills it names as it reads them, in number order, sparing a second
    pass over half a million bills; two writers of the same bills in crossed orders can then
    deadlock, and MariaDB stops one: its work is rolled back whole and it is asked again."""
    lock_keys(Bill.__table__, "id", bill_ids)


def with_adjusting(bill_ids: list[int]) -> list[int]:
    """``bill_ids`` and the ids of their adjusting bills (a bill's family, whose balance is one)."""
    found = list(bill_ids)
    for part in key_chunks(bill_ids):
        found += db.session.execute(sa.select(Bill.id).where(Bill.kind == "adjusting", Bill.original_id.in_(part))).scalars()
    return found


def bill_by_number(number: str) -> Bill | None:
    return db.session.execute(sa.select(Bill).where(Bill.number == number)).scalar_one_or_none()


def bills_of_run_query(run_id: int, route_code: str = ""):
    """A run's bills (of one route) with their customers, in account order."""
    query = (sa.select(Bill).join(Customer, Customer.id == Bill.customer_id).where(Bill.run_id == run_id)
             .options(contains_eager(Bill.customer)))
    if route_code:
        query = query.where(Customer.route_code == route_code)
    return query.order_by(Customer.account_no)


def bills_of_run(run_id: int, route_code: str = "", page: int = 1, per_page: int = 50):
    return db.paginate(bills_of_run_query(run_id, route_code), page=page, per_page=per_page, error_out=False)


def bills_to_print(run_id: int, route_code: str, limit: int) -> list[Bill]:
    """A route's bills of a run in account order, with their customers, in one read (up to ``limit``)."""
    query = (sa.select(Bill).join(Customer, Customer.id == Bill.customer_id)
             .where(Bill.run_id == run_id, Customer.route_code == route_code)
             .options(contains_eager(Bill.customer)).order_by(Customer.account_no).limit(limit))
    return list(db.session.execute(query).scalars())


def bills_to_print_count(run_id: int, route_code: str) -> int:
    """How many bills ``bills_to_print`` would print."""
    return db.session.execute(sa.select(sa.func.count()).select_from(Bill).join(Customer, Customer.id == Bill.customer_id)
                              .where(Bill.run_id == run_id, Customer.route_code == route_code)).scalar_one()


def regular_uses(customer_ids: list[int], first_period: str, last_period: str) -> dict[int, dict[str, int]]:
    """Use by customer and period of the regular bills from ``first_period`` to ``last_period``
    (``YYYY-MM``, inclusive): the usage history printed on bills, for many customers in one read."""
    if not customer_ids:
        return {}
    ids = sorted(set(customer_ids))
    # One bill (a clerk's or a citizen's) is the common case: a plain comparison is cheaper to run.
    whose = Bill.customer_id == ids[0] if len(ids) == 1 else Bill.customer_id.in_(ids)
    query = sa.select(Bill.customer_id, Bill.period, Bill.use).where(
        Bill.kind == "regular", whose, Bill.period >= first_period, Bill.period <= last_period)
    uses: dict[int, dict[str, int]] = {}
    for customer_id, period, use in db.session.execute(query):
        uses.setdefault(customer_id, {})[period] = use
    return uses


def routes_of_run(run_id: int) -> list[tuple[str, int, int]]:
    """(route, bills, total) of a run."""
    query = (sa.select(Customer.route_code, sa.func.count(), sa.func.sum(Bill.total))
             .join(Customer, Customer.id == Bill.customer_id).where(Bill.run_id == run_id)
             .group_by(Customer.route_code).order_by(Customer.route_code))
    return [(route, count, int(total or 0)) for route, count, total in db.session.execute(query)]


def bills_of_customer(customer_id: int, limit: int = 24) -> list[Bill]:
    return list(db.session.execute(sa.select(Bill).where(Bill.customer_id == customer_id)
                                   .order_by(Bill.period.desc(), Bill.id.desc()).limit(limit)).scalars())


def adjustments_of(original: Bill) -> list[Bill]:
    """The adjusting bills of ``original``, found through the customer-and-period key (an index
    on ``original_id`` would cost every bill run a write for a column that is almost always empty)."""
    return list(db.session.execute(sa.select(Bill).where(Bill.customer_id == original.customer_id, Bill.period == original.period,
                                                         Bill.kind == "adjusting", Bill.original_id == original.id)
                                   .order_by(Bill.id)).scalars())


def by_reference(customer_id: int, period: str, kind: str, reference: str) -> Bill | None:
    return db.session.execute(sa.select(Bill).where(Bill.customer_id == customer_id, Bill.period == period,
                                                    Bill.kind == kind, Bill.reference == reference)).scalar_one_or_none()


def regular_bill(customer_id: int, period: str) -> Bill | None:
    return db.session.execute(sa.select(Bill).where(Bill.customer_id == customer_id, Bill.period == period,
                                                    Bill.kind.in_(REGULAR_KINDS))).scalars().first()


def _in_scope(query, period: str, cycle: str, route_code: str, start: date, ids: tuple[int, int] | None = None):
    """Customers a run of ``period`` covers and has not billed yet (with ``ids``, those in that
    range: said again inside the subquery, so a database that materialises it reads one block's
    bills, not every bill ever issued)."""
    billed = sa.select(Bill.id).where(Bill.customer_id == Customer.id, Bill.period == period, Bill.kind.in_(REGULAR_KINDS))
    if ids is not None:
        billed = billed.where(Bill.customer_id >= ids[0], Bill.customer_id < ids[1])
    query = query.where(Customer.cycle == cycle, sa.or_(Customer.status == "active", Customer.moved_out_on >= start),
                        ~billed.exists())
    return query.where(Customer.route_code == route_code) if route_code else query


def unbilled_count(period: str, cycle: str, route_code: str, start: date) -> int:
    query = _in_scope(sa.select(sa.func.count()).select_from(Customer), period, cycle, route_code, start)
    return db.session.execute(query).scalar_one()


def unbilled(period: str, cycle: str, route_code: str, start: date, limit: int = 200) -> list[Customer]:
    query = _in_scope(sa.select(Customer), period, cycle, route_code, start).order_by(Customer.account_no).limit(limit)
    return list(db.session.execute(query).scalars())


def id_bounds(period: str, cycle: str, route_code: str, start: date) -> tuple[int | None, int | None]:
    query = _in_scope(sa.select(sa.func.min(Customer.id), sa.func.max(Customer.id)), period, cycle, route_code, start)
    low, high = db.session.execute(query).one()
    return low, high


def billing_rows(period: str, cycle: str, route_code: str, start: date, end: date, low: int, high: int):
    """One row per customer in ids [low, high) with readings in the period and none held: the
    customer's terms, the current meter and the period's use. The readings are summed per
    customer in the order of their index (no sort), then joined to the customers. The rows are
    the driver's own (see ``raw_rows``)."""
    held = sa.func.max(sa.case((Reading.held.is_(True), 1), else_=0))
    use = (sa.select(Reading.customer_id, sa.func.sum(Reading.use).label("use"),
                     sa.func.min(Reading.value - Reading.use).label("first"), sa.func.max(Reading.value).label("last"),
                     sa.func.max(Reading.read_on).label("read_on"))
           .where(Reading.customer_id >= low, Reading.customer_id < high, Reading.read_on >= start, Reading.read_on <= end)
           .group_by(Reading.customer_id).having(held == 0).subquery())
    query = (sa.select(Customer.id, Customer.account_no, Customer.use_type, Customer.households, Customer.mixed,
                       Customer.water_use_rate, Customer.moved_out_on, Meter.diameter, Meter.max_reading,
                       use.c.use, use.c.first, use.c.last, use.c.read_on)
             .join(use, use.c.customer_id == Customer.id)
             .join(Meter, sa.and_(Meter.customer_id == Customer.id, Meter.removed_on.is_(None))))
    return raw_rows(_in_scope(query, period, cycle, route_code, start, (low, high)), Customer.__table__)


def reductions_in(low: int, high: int, start: date, end: date) -> dict[int, tuple[str, ...]]:
    """Reduction codes valid in the period, per customer in ids [low, high)."""
    query = (sa.select(CustomerReduction.customer_id, CustomerReduction.code)
             .where(CustomerReduction.customer_id >= low, CustomerReduction.customer_id < high,
                    CustomerReduction.valid_from <= end,
                    sa.or_(CustomerReduction.valid_to.is_(None), CustomerReduction.valid_to >= start))
             .order_by(CustomerReduction.customer_id, CustomerReduction.code))
    result: dict[int, list[str]] = {}
    for customer_id, code in db.session.execute(query):
        result.setdefault(customer_id, []).append(code)
    return {customer_id: tuple(codes) for customer_id, codes in result.items()}


def uses_before(customer_id: int, day: date, limit: int = 3) -> list[int]:
    """The uses of the last ``limit`` readings before ``day`` (a leak reduction's average)."""
    return list(db.session.execute(sa.select(Reading.use).where(Reading.customer_id == customer_id, Reading.read_on < day)
                                   .order_by(Reading.read_on.desc()).limit(limit)).scalars())


def period_readings(customer_id: int, start: date, end: date, lock: bool = False) -> list[Reading]:
    """The customer's readings from ``start`` to ``end``; ``lock``: a locking read, which sees a
    reading another writer committed while this one waited for the meter (repositories.customers)."""
    query = sa.select(Reading).where(Reading.customer_id == customer_id, Reading.read_on >= start,
                                     Reading.read_on <= end).order_by(Reading.read_on)
    return list(db.session.execute(query.with_for_update(read=True) if lock else query).scalars())


def run_totals(run_id: int):
    """Per use type: (use type, bills, meter, water, sewer, water-use, water reduction, sewer reduction, total)."""
    query = (sa.select(Bill.use_type, sa.func.count(), sa.func.sum(Bill.meter_amount), sa.func.sum(Bill.water_amount),
                       sa.func.sum(Bill.sewer_amount), sa.func.sum(Bill.water_use_amount), sa.func.sum(Bill.water_reduction),
                       sa.func.sum(Bill.sewer_reduction), sa.func.sum(Bill.total))
             .where(Bill.run_id == run_id).group_by(Bill.use_type).order_by(Bill.use_type))
    return [(row[0], *(int(v or 0) for v in row[1:])) for row in db.session.execute(query)]


def outbox_by_key(key: str) -> Outbox | None:
    return db.session.execute(sa.select(Outbox).where(Outbox.key == key)).scalar_one_or_none()


def add(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def volume_and_revenue_by_use_type(year: int) -> dict[str, tuple[int, int]]:
    """Billed ㎥ and water revenue (meter and water charges less their reductions; not the
    sewerage fee nor the water-use charge, which belong to other funds) of the billing months of
    ``year``, by use type. An adjusting bill adds its amounts (differences) and the difference its
    corrected use makes to the use billed before it."""
    first, last = f"{year:04d}-01", f"{year:04d}-12"
    revenue = Bill.meter_amount + Bill.water_amount + Bill.water_reduction
    rows = db.session.execute(
        sa.select(Bill.use_type, sa.func.sum(sa.case((Bill.kind != "adjusting", Bill.use), else_=0)), sa.func.sum(revenue))
        .where(Bill.period >= first, Bill.period <= last).group_by(Bill.use_type)).all()
    result = {use_type: [int(volume or 0), int(amount or 0)] for use_type, volume, amount in rows}
    # An adjusting bill's use is the corrected use of its original: count what it changed.
    adjusting = db.session.execute(
        sa.select(Bill.original_id, Bill.use, Bill.use_type).where(Bill.kind == "adjusting", Bill.period >= first,
                                                                    Bill.period <= last).order_by(Bill.id)).all()
    if adjusting:
        originals = dict(db.session.execute(sa.select(Bill.id, Bill.use).where(
            Bill.id.in_({original for original, _use, _type in adjusting}))).all())
        billed = dict(originals)
        for original, use, use_type in adjusting:
            result[use_type][0] += use - billed[original]
            billed[original] = use
    return {use_type: (volume, amount) for use_type, (volume, amount) in result.items()}


_PROFILE_KEY = ("use_type", "diameter", "households", "use", "reductions")
_CUSTOMER_KEY = ("cycle", "mixed", "water_use_rate")


def write_run_profile(run_id: int) -> None:
    """Record what the run billed, grouped by what the tariff charges on (one INSERT … SELECT in
    the database, in the caller's transaction)."""
    columns = [getattr(Bill, name) for name in _PROFILE_KEY] + [getattr(Customer, name) for name in _CUSTOMER_KEY]
    select = (sa.select(sa.literal(run_id), *columns, sa.func.count())
              .join(Customer, Bill.customer_id == Customer.id)
              .where(Bill.run_id == run_id, Bill.kind == "regular").group_by(*columns))
    db.session.execute(sa.insert(RunProfile).from_select(["run_id", *_PROFILE_KEY, *_CUSTOMER_KEY, "bills"], select))


def regular_use_profile(year: int) -> list[tuple]:
    """The regular bills of the runs of ``year``'s billing months, grouped by everything the tariff
    charges on: (use type, diameter, households, use, reductions, cycle, mixed, own water-use
    rate, bills) — read from the runs' profiles, not from every bill."""
    columns = [getattr(RunProfile, name) for name in _PROFILE_KEY + _CUSTOMER_KEY]
    query = (sa.select(*columns, sa.func.sum(RunProfile.bills))
             .join(BillRun, RunProfile.run_id == BillRun.id)
             .where(BillRun.period >= f"{year:04d}-01", BillRun.period <= f"{year:04d}-12").group_by(*columns))
    return [tuple(row[:-1]) + (int(row[-1]),) for row in db.session.execute(query)]
