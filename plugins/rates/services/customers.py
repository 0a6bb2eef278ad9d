"""Customers (수용가), their meters and the readings of those meters.

Account numbers are ``RRRR-NNNNN-C``: the route, the customer's number on it, and a Luhn check
digit, so a mistyped number is caught before it is looked up. A reading below the previous one
is refused unless the meter rolled over (recorded with the reading) or was replaced (the new
meter starts from its own start reading). Abnormal use — none on an occupied account, or far above
the account's recent average — is flagged for review; it does not stop billing unless a clerk
holds the reading.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from erp.common.clock import local_today
from erp.audit import services as audit
from erp.common import tx
from erp.common.text import decode_korean
from erp.common.errors import ServiceError, refuse
from erp.common.tx import transactional
from erp.common.formatting import number as count_text
from erp.extensions import db
from plugins.rates.models import Customer, CustomerEvent, CustomerReduction, Meter, Reading
from plugins.rates.repositories import customers as repo
from plugins.rates.services.calculation import DIAMETERS, USE_TYPES

_ACCOUNT = re.compile(r"^(\d{4})-(\d{5})-(\d)$")
_ROUTE = re.compile(r"^\d{4}$")
HIGH_FACTOR, HIGH_MINIMUM = 3, 10  # "far above": over 3× the recent average and more than 10 ㎥



def luhn_digit(body: str) -> int:
    """The Luhn check digit of a string of digits."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def account_number(route_code: str, sequence: int) -> str:
    """``route-sequence-check digit``; refused (not a crash) for a route code that is not four
    digits or a sequence beyond five digits, which no account number can carry."""
    if not isinstance(route_code, str) or not _ROUTE.match(route_code):
        refuse(_("A route code is four digits."), "route_code")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or not 0 <= sequence <= 99_999:
        refuse(_("A customer's number on a route is at most five digits."), "sequence")
    body = f"{route_code}{sequence:05d}"
    return f"{route_code}-{sequence:05d}-{luhn_digit(body)}"


def valid_account_number(text: str) -> bool:
    match = _ACCOUNT.match(text or "")
    return bool(match) and luhn_digit(match.group(1) + match.group(2)) == int(match.group(3))


@dataclass
class CustomerInput:
    holder_name: str
    address: str
    use_type: str
    route_code: str
    households: int = 1
    mixed: bool = False
    cycle: str = "monthly"
    e_billing: bool = False
    auto_debit: bool = False
    virtual_account: str = ""
    moved_in_on: date | None = None
    phone: str = ""  # the holder's, for the citizens' bill inquiry


def _check(data: CustomerInput) -> None:
    if not (data.holder_name or "").strip():
        refuse(_("Enter the holder's name."), "holder_name")
    if not (data.address or "").strip():
        refuse(_("Enter the address of the supply."), "address")
    if data.use_type not in USE_TYPES:
        refuse(_("Choose a use type."), "use_type")
    if not _ROUTE.match(data.route_code or ""):
        refuse(_("A route is four digits."), "route_code")
    if not isinstance(data.households, int) or not 1 <= data.households <= 1000:
        refuse(_("Households on the meter must be 1 to 1000."), "households")
    if data.cycle not in ("monthly", "bimonthly"):
        refuse(_("Choose monthly or bimonthly billing."), "cycle")
    if data.mixed and data.use_type != "general":
        refuse(_("A mixed home and business meter is registered under the general use type."), "mixed")


@transactional
def register(data: CustomerInput) -> Customer:
    """A new customer with a fresh account number on its route."""
    _check(data)
    customer = Customer(account_no=account_number(data.route_code, repo.next_sequence(data.route_code)),
                        holder_name=data.holder_name.strip(), phone=(data.phone or "").strip()[:20], address=data.address.strip(), use_type=data.use_type,
                        households=data.households, mixed=data.mixed, cycle=data.cycle, route_code=data.route_code,
                        e_billing=data.e_billing, auto_debit=data.auto_debit,
                        virtual_account=(data.virtual_account or "").strip()[:40], moved_in_on=data.moved_in_on)
    customer.history.append(CustomerEvent(on=data.moved_in_on or local_today(), kind="move_in", after=customer.holder_name))
    db.session.add(customer)
    try:
        tx.commit()
    except IntegrityError:  # two registrations took the same number at once: ask to submit again
        tx.rollback()
        refuse(_("The account number was taken at the same moment; submit again."))
    return customer


@transactional
def change_holder(customer_id: int, new_name: str, on: date, note: str = "") -> Customer:
    """명의변경: the supply stays, the holder changes (kept in the history)."""
    customer = _get(customer_id)
    if not (new_name or "").strip():
        refuse(_("Enter the holder's name."), "holder_name")
    customer.history.append(CustomerEvent(on=on, kind="holder_change", before=customer.holder_name, after=new_name.strip(),
                                          note=(note or "")[:300]))
    customer.holder_name = new_name.strip()
    tx.commit()
    return customer


@transactional
def move_out(customer_id: int, on: date) -> Customer:
    """The holder moves out: the account stops being billed after ``on``."""
    customer = _get(customer_id)
    if customer.status != "active":
        refuse(_("This customer has moved out already."))
    customer.status, customer.moved_out_on = "moved_out", on
    customer.history.append(CustomerEvent(on=on, kind="move_out", before=customer.holder_name))
    tx.commit()
    return customer


@transactional
def grant_reduction(customer_id: int, code: str, valid_from: date, valid_to: date | None, evidence: str) -> CustomerReduction:
    customer = _get(customer_id)
    if not (code or "").strip():
        refuse(_("Choose a reduction."), "code")
    if valid_to and valid_to < valid_from:
        refuse(_("The end comes before the start."), "valid_to")
    if not (evidence or "").strip():
        refuse(_("Note the evidence seen (certificate, decision)."), "evidence")
    grant = CustomerReduction(code=code.strip(), valid_from=valid_from, valid_to=valid_to, evidence=evidence.strip()[:300])
    customer.reductions.append(grant)
    tx.commit()
    return grant


def _get(customer_id: int) -> Customer:
    customer = repo.get(customer_id)
    if customer is None:
        raise LookupError(customer_id)
    return customer


# --- meters ------------------------------------------------------------------------------------

@transactional
def install_meter(customer_id: int, serial: str, diameter: int, on: date, start_reading: int = 0,
                  old_final_reading: int | None = None) -> Meter:
    """Install a meter; replacing one records the old meter's final reading (and its use)."""
    customer = _get(customer_id)
    serial = (serial or "").strip()
    if not serial:
        refuse(_("Enter the meter's serial number."), "serial")
    if diameter not in DIAMETERS:
        refuse(_("Choose a meter diameter."), "diameter")
    if not isinstance(start_reading, int) or start_reading < 0:
        refuse(_("A reading is a whole number that is not negative."), "start_reading")
    if repo.meter_by_serial(serial):
        refuse(_("A meter with this serial number is registered already."), "serial")
    old = repo.active_meter(customer.id, lock=True)
    if old is not None:
        if old_final_reading is None:
            refuse(_("Replacing a meter needs the old meter's final reading."), "old_final_reading")
        _record(customer, old, on, old_final_reading, source="reader", final=True, previous=repo.last_reading(old.id, lock=True))
        old.removed_on, old.final_reading = on, old_final_reading
    meter = repo.add(Meter(customer_id=customer.id, serial=serial, diameter=diameter, installed_on=on, start_reading=start_reading))
    tx.commit()
    return meter


# --- readings ----------------------------------------------------------------------------------

ROLLOVER_SHARE = 10  # a rollover is plausible when it gives at most a tenth of the register's size


def rollover_limit(meter: Meter) -> int:
    """The most use a rollover may give: a dial turns over only from near its top, so a "rollover"
    that implies most of the register (3,267 then 0 would be 96,733 ㎥) is a misread."""
    return (meter.max_reading + 1) // ROLLOVER_SHARE


@dataclass
class Assessment:
    """What a reading would give, checked but not stored: its use, any flag (``zero``/``high``)
    and the customer's recent average use."""

    use: int
    flag: str
    average: float | None


_UNREAD = object()  # the meter's last reading not looked up yet


def _assess(customer: Customer, meter: Meter, on: date, value: int, *, rollover: bool = False,
            final: bool = False, previous=_UNREAD, recent: list[int] | None = None) -> Assessment:
    """Check a reading against the calendar, the meter and the previous reading (refusing what
    cannot be right) and say what it would give. ``previous`` (the meter's last reading, None for
    none) and ``recent`` (the customer's recent uses) when the caller has them."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > meter.max_reading:
        refuse(_("A reading is a whole number from 0 to %(max)d.", max=meter.max_reading), "value")
    if previous is _UNREAD:
        previous = repo.last_reading(meter.id)
    before = previous.value if previous else meter.start_reading
    if previous and on <= previous.read_on:
        refuse(_("The meter was read on %(date)s already; a new reading must be later.", date=previous.read_on.isoformat()), "read_on")
    if on > local_today():
        # A reading dated ahead would block every true reading until that day.
        refuse(_("A reading cannot be dated after today (%(today)s).", today=local_today().isoformat()), "read_on")
    if on < meter.installed_on:
        refuse(_("The meter was installed on %(date)s.", date=meter.installed_on.isoformat()), "read_on")
    if value < before and not rollover:
        refuse(_("The reading %(value)s is below the previous %(before)s: record a rollover or a meter replacement.",
                  value=count_text(value), before=count_text(before)), "value")
    use = value - before if value >= before else meter.max_reading + 1 - before + value
    if value < before and use > rollover_limit(meter):
        refuse(_("A rollover from %(before)s to %(value)s would mean %(use)s ㎥ on a register that turns over at %(size)s: "
                 "check the reading.", before=f"{before:,}", value=f"{value:,}", use=f"{use:,}",
                 size=f"{meter.max_reading + 1:,}"), "value")
    flag, average = "", None
    if not final:
        if recent is None:
            recent = repo.recent_uses(customer.id)
        average = sum(recent) / len(recent) if recent else None
        if use == 0 and customer.status == "active" and customer.households > 0:
            flag = "zero"
        elif average is not None and use > HIGH_MINIMUM and use > HIGH_FACTOR * max(average, 1):
            flag = "high"
    return Assessment(use, flag, average)


def _reading(customer: Customer, meter: Meter, on: date, value: int, *, source: str, rollover: bool = False,
             final: bool = False, previous=_UNREAD, recent: list[int] | None = None) -> Reading:
    """A reading checked against the previous one, with its use and any flag (not stored yet)."""
    if previous is _UNREAD:
        previous = repo.last_reading(meter.id)
    before = previous.value if previous else meter.start_reading
    found = _assess(customer, meter, on, value, rollover=rollover, final=final, previous=previous, recent=recent)
    return Reading(customer_id=customer.id, meter_id=meter.id, read_on=on, value=value, use=found.use,
                   rollover=rollover and value < before, flag=found.flag, source=source,
                   entered_by=audit.current_actor()[1])


def _record(customer: Customer, meter: Meter, on: date, value: int, *, source: str, rollover: bool = False,
            final: bool = False, previous=_UNREAD) -> Reading:
    """Check a reading against the previous one and store it with its use and any flag."""
    return repo.add(_reading(customer, meter, on, value, source=source, rollover=rollover, final=final, previous=previous))


def assess(customer_id: int, on: date, value: int, *, rollover: bool = False) -> Assessment:
    """What a reading of the customer's meter would give, without storing it (the reader's page
    asks for confirmation of a use far above the average before saving); refuses as ``read``
    would."""
    customer = _get(customer_id)
    meter = repo.active_meter(customer.id)
    if meter is None:
        refuse(_("This customer has no meter installed."))
    return _assess(customer, meter, on, value, rollover=rollover)


@transactional
def read(customer_id: int, on: date, value: int, *, rollover: bool = False, source: str = "reader") -> Reading:
    """Record a reading of the customer's meter."""
    customer = _get(customer_id)
    meter = repo.active_meter(customer.id, lock=True)  # one writer of the meter's readings at a time
    if meter is None:
        refuse(_("This customer has no meter installed."))
    reading = _record(customer, meter, on, value, source=source, rollover=rollover, previous=repo.last_reading(meter.id, lock=True))
    tx.commit()
    return reading


@transactional
def set_held(reading_id: int, held: bool) -> Reading:
    """A clerk holds a flagged reading out of billing until it is checked, or releases it."""
    reading = db.session.get(Reading, reading_id)
    if reading is None:
        raise LookupError(reading_id)
    reading.held = held
    tx.commit()
    return reading


@dataclass
class ImportResult:
    imported: int
    errors: list[tuple[int, str]]
    already: int = 0  # lines whose reading (same meter, day and value) was recorded before


@transactional
def import_csv(data: bytes) -> ImportResult:
    """Readings from a CSV file ``account number,date (YYYY-MM-DD),reading[,rollover]``.

    Every line is checked; a file with any bad line imports nothing, and each bad line is
    reported with its number and reason. A line whose reading is the meter's last one already (the
    same day and value: the same file again, or an import run again after its worker stopped) is
    counted as recorded, not refused."""
    try:
        text = decode_korean(data)
    except ValueError:
        return ImportResult(0, [(0, _("The file is neither UTF-8 nor Korean Excel (CP949) text."))])
    lines = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not any(cell.strip() for cell in row):
            continue
        if number == 1 and row[0].strip().lower() in ("account", "account_no", "수용가번호"):
            continue  # a header line
        lines.append((number, [cell.strip() for cell in row] + [""] * (3 - len(row))))
    # What every line is checked against, read in a few queries for the whole file (a route's
    # file has thousands of lines); kept up to date as the file's own lines are recorded.
    known = repo.by_accounts(cells[0] for number, cells in lines if valid_account_number(cells[0]))
    meters = repo.active_meters((c.id for c in known.values()), lock=True)  # one writer of a meter's readings at a time
    last = repo.last_readings((m.id for m in meters.values()), lock=True)
    recent = repo.recent_uses_of(meters.keys())
    errors, done, already, new = [], 0, 0, []
    for number, (account, day, value, *rest) in lines:
        try:
            if not valid_account_number(account):
                raise ServiceError(_("%(account)s is not a valid account number.", account=account))
            customer = known.get(account)
            if customer is None:
                raise ServiceError(_("There is no customer %(account)s.", account=account))
            try:
                on = date.fromisoformat(day)
            except ValueError:
                raise ServiceError(_("%(value)s is not a date written YYYY-MM-DD.", value=day)) from None
            # ASCII digits only ("²" is a digit to isdigit, not to int); thousands of them are refused, not parsed
            if not (value.isascii() and value.isdigit()) or len(value.lstrip("0")) > 15:
                raise ServiceError(_("%(value)s is not a whole number.", value=value[:20]))
            meter = meters.get(customer.id)
            if meter is None:
                raise ServiceError(_("This customer has no meter installed."))
            previous = last.get(meter.id)
            if previous is not None and (previous.read_on, previous.value) == (on, int(value)):
                already += 1
                continue
            reading = _reading(customer, meter, on, int(value), source="csv", rollover=(rest[:1] == ["rollover"]),
                               previous=previous, recent=recent.get(customer.id, []))
            new.append(reading)
            last[meter.id] = reading
            recent[customer.id] = [reading.use, *recent.get(customer.id, [])][:3]
            done += 1
        except ServiceError as error:
            errors.append((number, error.message))
    if errors:
        tx.rollback()
        return ImportResult(0, errors)
    repo.add_all(new)
    tx.commit()
    return ImportResult(done, [], already)
