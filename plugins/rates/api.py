"""Public interface of the rates plugin: the only module other plugins may use, through
``erp.ports.get("rates")``. It implements ``RatesPort`` (``port.py``) and takes and returns the
plain objects of ``data.py`` only.

Every function that issues a bill takes a ``reference`` (e.g. a complaint's receipt number):
the same reference twice returns the first bill, never a second one. Refusals raise
``ServiceError`` with the reason; nothing is issued then.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from erp.common import tx
from erp.common.errors import refuse
from plugins.rates.data import BillInfo
from plugins.rates.models import Bill
from plugins.rates.repositories import bills as bill_repo
from plugins.rates.repositories import customers as customer_repo
from plugins.rates.services import adjustments
from plugins.rates.services import customers as customer_service

__all__ = ["account_number", "bill", "latest_bill", "adjust_bill", "leak_reduction", "settle_move_out"]


def account_number(route_code: str, sequence: int) -> str:
    """The account number (with its check digit) of customer ``sequence`` on a route."""
    return customer_service.account_number(route_code, sequence)


def _info(row: Bill) -> BillInfo:
    return BillInfo(row.number, row.customer.account_no, row.customer.holder_name, row.period, row.kind, row.use,
                    row.total, row.due_on, row.original.number if row.original else "")


def _issuing() -> None:
    """A bill is about to be issued: the rates database is read from here on in READ COMMITTED, as
    the service that issues it applies the customer's credit under row locks (``tx.read_committed``;
    in process, the caller's unit of work began so, and a rates database of its own opens so)."""
    tx.read_committed(Bill.__table__)


def _issued(number: str) -> Bill:
    row = bill_repo.bill_by_number((number or "").strip())
    if row is None:
        refuse(_("No bill %(number)s was issued.", number=number), "bill_number")
    return row


def bill(number: str) -> BillInfo | None:
    """The bill with this notice number (고지번호), if it was issued."""
    row = bill_repo.bill_by_number((number or "").strip())
    return _info(row) if row else None


def latest_bill(account_no: str) -> BillInfo | None:
    """The customer's latest regular or settlement bill."""
    customer = customer_repo.by_account((account_no or "").strip())
    if customer is None:
        return None
    rows = [b for b in bill_repo.bills_of_customer(customer.id) if b.kind != "adjusting"]
    return _info(rows[0]) if rows else None


def adjust_bill(number: str, *, corrected_use: int | None, reason: str, reference: str) -> BillInfo:
    """A bill objection upheld (요금 이의신청): an adjusting bill for the bill ``number`` with the
    corrected use."""
    _issuing()
    return _info(adjustments.adjust(_issued(number).id, use=corrected_use, reason=reason, reference=reference))


def leak_reduction(number: str, *, reason: str, reference: str) -> BillInfo:
    """누수감면: the leak reduction applied to the bill ``number`` as an adjusting bill (half the use
    above the previous three periods' average, by the tariff's rule)."""
    _issuing()
    return _info(adjustments.leak_adjust(_issued(number).id, reason=reason, reference=reference))


def settle_move_out(account_no: str, *, on: date, final_reading: int, reference: str) -> BillInfo:
    """이사정산: the final reading, the move-out and the settlement bill of the customer."""
    _issuing()
    customer = customer_repo.by_account((account_no or "").strip())
    if customer is None:
        refuse(_("There is no customer %(no)s.", no=account_no), "customer_no")
    return _info(adjustments.settle_move_out(customer.id, on, final_reading, reference=reference or ""))
