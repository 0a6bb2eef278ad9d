"""Single bills: the move-out settlement (이사정산), adjusting bills (a correction or an upheld
objection) and the leak reduction (누수감면). Issued bills are never edited: a correction is an
adjusting bill of the differences that names the original, posted on its own. Each takes a
reference (e.g. a complaint's receipt number): the same reference twice returns the first bill.
Like the bills of a run, a single bill applies the customer's credit and carries what earlier
bills still owe as its 체납액 line (``arrears.carry_over_bill``).
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from erp.audit import services as audit
from erp.common import tx
from erp.common.clock import local_today, utcnow
from erp.common.errors import refuse
from erp.common.tx import transactional
from erp.i18n import N_
from plugins.rates.models import Bill, Customer
from plugins.rates.repositories import bills as repo
from plugins.rates.repositories import collection as collection_repo
from plugins.rates.repositories import customers as customer_repo
from plugins.rates.services import arrears, billing, periods, postings, refunds
from plugins.rates.services import customers as customer_service
from plugins.rates.services import tariffs as tariff_service
from plugins.rates.services.calculation import QuoteError, QuoteRequest, Reduction


@transactional
def leak_adjust(bill_id: int, *, reason: str, reference: str = "") -> Bill:
    """누수감면 on an issued bill: an adjusting bill with the leak reduction, and the reduction
    recorded on the customer for that period (with the reference as evidence)."""
    tx.read_committed(Bill.__table__)  # credits are applied under locks (arrears.carry_over_bill)
    original = repo.bill(bill_id)
    if original is None:
        refuse(_("Choose the issued bill to adjust."))
    existing = repo.by_reference(original.customer_id, original.period, "adjusting", reference[:40]) if reference else None
    if existing is not None:
        return existing
    bill = adjust(bill_id, add_reductions=("LEAK",), reason=reason, reference=reference)
    customer_service.grant_reduction(original.customer_id, "LEAK", original.period_start, original.period_end,
                                     f"{reference} {reason}".strip()[:300])
    tx.commit()
    return bill


def _bill_from_quote(customer: Customer, meter_diameter: int, result, **fields) -> Bill:
    values = dict(zip(billing.AMOUNTS, billing.amount_columns(result)[:-1], strict=True))
    return Bill(customer_id=customer.id, use_type=customer.use_type, diameter=meter_diameter, households=customer.households,
                total=result.total, created_at=utcnow(), **values, **fields)


def _post_bill(bill: Bill, memo: str) -> None:
    lines = postings.posting_lines({bill.use_type: {name: getattr(bill, name) for name in billing.AMOUNTS}})
    if lines:
        postings.owe_posting(postings.bill_key(bill.number), bill.issued_on, memo, lines)


@transactional
def settle_move_out(customer_id: int, on: date, final_reading: int, reference: str = "") -> Bill:
    """이사정산: record the final reading on the move date, move the holder out and issue the
    settlement bill for the days used (no reductions apply). The same ``reference`` twice returns
    the first settlement bill."""
    tx.read_committed(Bill.__table__)  # credits are applied under locks (arrears.carry_over_bill)
    customer = customer_repo.get(customer_id)
    if customer is None:
        refuse(_("There is no such customer."))
    arrears.lock_credit_of(customer.id)  # before the move-out writes the customer: the credit writers' order
    period = on.strftime("%Y-%m")
    existing = repo.by_reference(customer.id, period, "settlement", reference[:40]) if reference else None
    if existing is not None:
        return existing
    if repo.regular_bill(customer.id, period) is not None:
        refuse(_("This period is billed already; the move-out is settled from the next period."), "on")
    meter = customer_repo.active_meter(customer.id)
    if meter is None:
        refuse(_("The customer has no meter to read."))
    start, end = periods.period_dates(period, customer.cycle)

    def settlement(use: int):
        return tariff_service.quote_request(QuoteRequest(
            use_type=customer.use_type, diameter=meter.diameter, consumption=use, period_start=start, period_end=end,
            households=customer.households, mixed=customer.mixed, move_out=on, water_use_rate=customer.water_use_rate))

    try:
        settlement(0)  # the tariff and meter can be billed: checked before anything is recorded
    except QuoteError as error:
        refuse(str(error))
    customer_service.read(customer.id, on, final_reading)
    customer_service.move_out(customer.id, on)
    readings = repo.period_readings(customer.id, start, on, lock=True)  # read() waited for the meter: the newest rows
    use = sum(r.use for r in readings)
    result = settlement(use)
    issued = max(on, local_today())
    bill = _bill_from_quote(customer, meter.diameter, result, number=f"{period.replace('-', '')}-{customer.account_no.replace('-', '')}-S",
                            period=period, kind="settlement", reference=reference[:40], reason="이사정산",
                            period_start=start, period_end=on, read_on=on, issued_on=issued, due_on=periods.default_due(issued),
                            prev_reading=readings[0].value - readings[0].use if readings else final_reading,
                            curr_reading=final_reading, use=use)
    repo.add(bill)
    _post_bill(bill, f"이사정산 {bill.number} {customer.holder_name}")
    arrears.carry_over_bill(bill)  # as a bill run does: credit applied, the 체납액 line written
    audit.record("create", "rates_bill", bill.id, N_("settlement bill %(number)s: %(amount)s won"),
                 values={"number": bill.number, "amount": bill.total})
    tx.commit()
    return bill


@transactional
def adjust(bill_id: int, *, use: int | None = None, add_reductions: tuple[str, ...] = (), reason: str,
           reference: str = "") -> Bill:
    """Issue an adjusting bill for ``bill_id`` (a regular or settlement bill): the bill as it
    should have been — with the corrected ``use`` and/or the added reductions — less what was
    billed so far. The same ``reference`` twice returns the first adjusting bill."""
    tx.read_committed(Bill.__table__)  # credits are applied under locks (arrears.carry_over_bill)
    original = repo.bill(bill_id)
    if original is None or original.kind == "adjusting":
        refuse(_("Choose the issued bill to adjust."))
    # The bill's family (a lowered bill's paid excess becomes credit) and the customer's credit,
    # locked before anything is written, in the credit writers' order.
    arrears.lock_credit_of(original.customer_id, [original.id] + [b.id for b in repo.adjustments_of(original)])
    if collection_repo.written_off_among([original.id]):
        # Its claim is closed: an adjusting bill would ask for (or give back) what nobody collects.
        refuse(_("This bill was written off (결손처분): it can no longer be adjusted."))
    reason = (reason or "").strip()
    if not reason:
        refuse(_("Give the reason for the adjustment."), "reason")
    reference = (reference or "").strip()[:40]
    if reference:
        existing = repo.by_reference(original.customer_id, original.period, "adjusting", reference)
        if existing is not None:
            return existing
    if use is not None and (not isinstance(use, int) or isinstance(use, bool) or use < 0):
        refuse(_("The corrected use must be a whole number of ㎥, zero or more."), "use")
    customer = original.customer
    previous = repo.adjustments_of(original)
    corrected_use = use if use is not None else (previous[-1].use if previous else original.use)
    codes = [c for c in original.reductions.split(",") if c] if original.kind == "regular" else []
    for code in add_reductions:
        if code not in codes:
            codes.append(code)
    leak = billing.leak_average(customer.id, original.period_start) if "LEAK" in codes else None
    if "LEAK" in codes and leak is None:
        refuse(_("A leak reduction needs earlier readings to compare with."))
    request = QuoteRequest(use_type=original.use_type, diameter=original.diameter, consumption=corrected_use,
                           period_start=original.period_start,
                           period_end=original.period_end if original.kind == "regular" else periods.period_dates(original.period, customer.cycle)[1],
                           households=original.households, mixed=customer.mixed, water_use_rate=customer.water_use_rate,
                           move_out=original.period_end if original.kind == "settlement" else None,
                           reductions=tuple(Reduction(code, leak if code == "LEAK" else None) for code in codes))
    try:
        result = tariff_service.quote_request(request)
    except QuoteError as error:
        refuse(str(error))
    should = dict(zip(billing.AMOUNTS, billing.amount_columns(result)[:-1], strict=True))
    billed = {name: getattr(original, name) + sum(getattr(b, name) for b in previous) for name in billing.AMOUNTS}
    billed_total = original.total + sum(b.total for b in previous)
    differences = {name: should[name] - billed[name] for name in billing.AMOUNTS}
    if result.total == billed_total and not any(differences.values()):
        refuse(_("The corrected bill is the same as the bill issued; nothing to adjust."))
    issued = local_today()
    bill = Bill(customer_id=customer.id, use_type=original.use_type, diameter=original.diameter,
                households=original.households, total=result.total - billed_total, created_at=utcnow(),
                number=f"{original.number}-A{len(previous) + 1}", period=original.period, kind="adjusting",
                reference=reference or f"{original.number}-A{len(previous) + 1}", original_id=original.id,
                reason=reason[:300], period_start=original.period_start, period_end=original.period_end,
                read_on=original.read_on, issued_on=issued, due_on=periods.default_due(issued) if result.total > billed_total else issued,
                prev_reading=original.prev_reading, curr_reading=original.curr_reading, use=corrected_use,
                reductions=",".join(codes)[:60], **differences)
    repo.add(bill)
    _post_bill(bill, f"요금 조정 {bill.number} ({reason[:100]})")
    refunds.credit_from_adjustment(bill)  # a lowered bill already paid leaves a credit
    arrears.carry_over_bill(bill)  # as a bill run does: credit applied, the 체납액 line written
    audit.record("create", "rates_bill", bill.id, N_("adjusting bill %(number)s of %(original)s: %(amount)s won"),
                 values={"number": bill.number, "original": original.number, "amount": bill.total},
                 after={"use": corrected_use, "reductions": bill.reductions, "reason": reason})
    tx.commit()
    return bill
