"""Tariffs: versions with effective dates, loaded for the calculation, and written by
administrators from the tables of the ordinance (audited)."""
from __future__ import annotations

import csv
import io
import time
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import gettext as _

from erp.audit import services as audit
from erp.common import tx
from erp.common.errors import refuse
from erp.common.tx import transactional
from erp.i18n import N_
from plugins.rates.models import Block, MeterCharge, ReductionRule, Tariff
from plugins.rates.repositories import tariffs as repo
from plugins.rates.services.calculation import (DIAMETERS, USE_TYPES, BlockRate, QuoteRequest, ReductionTerms,
                                                TariffTerms, quote)


def terms(tariff: Tariff) -> TariffTerms:
    """A stored tariff version as the calculation's plain terms."""
    blocks: dict[tuple[str, str], list[BlockRate]] = {}
    for block in sorted(tariff.blocks, key=lambda b: (b.service, b.use_type, b.upper is None, b.upper or 0)):
        blocks.setdefault((block.service, block.use_type), []).append(BlockRate(block.upper, Decimal(block.unit_price)))
    return TariffTerms(
        effective_from=tariff.effective_from,
        blocks={key: tuple(value) for key, value in blocks.items()},
        meter_charges={m.diameter: m.amount for m in tariff.meter_charges},
        water_use_rate=Decimal(tariff.water_use_rate), rounding=tariff.rounding,
        mixed_household_volume=tariff.mixed_household_volume,
        reductions={r.code: ReductionTerms(r.code, r.name, r.kind, Decimal(r.value), r.applies_to) for r in tariff.reductions},
        late_rate=Decimal(tariff.late_rate),
    )


VERSIONS_TTL = 60.0  # seconds another worker may quote before it sees a newly recorded version


def _cache() -> dict:
    """This application's cache of tariff terms: a stored version never changes (a change is a
    new version), so its terms are kept by id; the list of versions is re-read after
    ``VERSIONS_TTL`` seconds, and at once in the worker that records a version."""
    return current_app.extensions.setdefault("rates_tariffs", {"terms": {}, "versions": None, "read_at": 0.0})


def _versions() -> list[tuple[int, date]]:
    cache = _cache()
    if cache["versions"] is None or time.monotonic() - cache["read_at"] > VERSIONS_TTL:
        cache["versions"] = repo.version_dates()
        cache["read_at"] = time.monotonic()
    return cache["versions"]


def terms_between(start: date, end: date) -> list[TariffTerms]:
    """The terms of the versions in force from ``start`` to ``end`` (the one in force on
    ``start`` and every one starting up to ``end``), from the cache when it holds them."""
    versions = _versions()
    first = [v for v in versions if v[1] <= start][-1:]
    wanted = first + [v for v in versions if start < v[1] <= end]
    cache = _cache()["terms"]
    for tariff_id, _day in wanted:
        if tariff_id not in cache:
            cache[tariff_id] = terms(repo.get(tariff_id))
    return [cache[tariff_id] for tariff_id, _day in wanted]


def quote_request(request: QuoteRequest):
    """Compute a bill with the tariff versions in force over the request's period."""
    return quote(request, terms_between(request.period_start, request.move_out or request.period_end))



def parse_table(text: str, columns: int, field: str) -> list[list[str]]:
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text or "")), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if len(cells) != columns:
            refuse(_("Line %(n)d: expected %(count)d values separated by commas.", n=number, count=columns), field)
        rows.append(cells)
    return rows


def _decimal(text: str, where: str, field: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        refuse(_("%(where)s: %(value)s is not a number.", where=where, value=text), field)
    if not value.is_finite() or value < 0 or value >= Decimal("1e10"):
        refuse(_("%(where)s: %(value)s is not an allowed amount.", where=where, value=text), field)
    return value


def _build(*, effective_from: date, name: str, source: str, rounding: str, water_use_rate: str,
           mixed_household_volume: int, blocks_text: str, meters_text: str, reductions_text: str) -> Tariff:
    """A tariff version from its tables, checked, not stored (see ``create_version``)."""
    if rounding not in ("line", "total"):
        refuse(_("Choose how amounts are rounded."), "rounding")
    tariff = Tariff(effective_from=effective_from, name=(name or "").strip()[:120] or effective_from.isoformat(),
                    source=(source or "").strip()[:300], rounding=rounding, created_by=audit.current_actor()[1],
                    water_use_rate=_decimal(water_use_rate, _("Water-use charge"), "water_use_rate"),
                    mixed_household_volume=mixed_household_volume)
    seen: dict[tuple[str, str], list] = {}
    for number, (service, use_type, upper, price) in enumerate(parse_table(blocks_text, 4, "blocks_text"), start=1):
        where = _("Line %(n)d", n=number)
        if service not in ("water", "sewer") or use_type not in USE_TYPES:
            refuse(_("%(where)s: service is water or sewer; use type one of %(types)s.", where=where, types=", ".join(USE_TYPES)), "blocks_text")
        limit = None if upper == "" else int(_decimal(upper, where, "blocks_text"))
        seen.setdefault((service, use_type), []).append(limit)
        tariff.blocks.append(Block(service=service, use_type=use_type, upper=limit, unit_price=_decimal(price, where, "blocks_text")))
    for key, limits in seen.items():
        finite = [l for l in limits if l is not None]
        if limits.count(None) != 1 or finite != sorted(set(finite)) or (finite and limits[-1] is not None):
            refuse(_("%(service)s / %(use)s: limits must rise and the last block must be open (empty limit).",
                      service=key[0], use=key[1]), "blocks_text")
    for number, (diameter, amount) in enumerate(parse_table(meters_text, 2, "meters_text"), start=1):
        where = _("Line %(n)d", n=number)
        size = int(_decimal(diameter, where, "meters_text"))
        if size not in DIAMETERS and size not in (75, 125, 300, 350, 400):
            refuse(_("%(where)s: %(size)d mm is not a meter diameter.", where=where, size=size), "meters_text")
        tariff.meter_charges.append(MeterCharge(diameter=size, amount=int(_decimal(amount, where, "meters_text"))))
    for number, (code, label, kind, value, applies) in enumerate(parse_table(reductions_text, 5, "reductions_text"), start=1):
        where = _("Line %(n)d", n=number)
        if kind not in ("volume", "percent", "leak") or applies not in ("water", "sewer", "both"):
            refuse(_("%(where)s: kind is volume, percent or leak; applies to water, sewer or both.", where=where), "reductions_text")
        tariff.reductions.append(ReductionRule(code=code[:20], name=label[:100], kind=kind, applies_to=applies,
                                               value=_decimal(value, where, "reductions_text")))
    if not tariff.blocks or not tariff.meter_charges:
        refuse(_("A tariff needs its blocks and its meter charges."), "blocks_text")
    return tariff


@dataclass
class ArrearsSettings:
    """A tariff version's arrears settings as a clerk types them (rates in per cent): the one-time
    late charge, the monthly addition (per cent a month, for up to ``monthly_months`` months on a
    bill owing at least ``monthly_threshold`` won), the disconnection notice (after
    ``disconnect_months`` months overdue or ``disconnect_amount`` won owed; 0 = not by that;
    never for the reduction codes ``protected_reductions``; with ``reminder_required`` only after a
    reminder's due date has passed), a reminder's new due date and an instalment's grace days."""

    late_percent: Decimal = Decimal("3")
    monthly_percent: Decimal = Decimal("0")
    monthly_months: int = 60
    monthly_threshold: int = 0
    disconnect_months: int = 3
    disconnect_amount: int = 0
    protected_reductions: str | None = None  # None: WELFARE when the version has that reduction
    reminder_days: int = 10
    instalment_grace_days: int = 0
    reminder_required: bool = False


def arrears_settings(tariff: Tariff) -> ArrearsSettings:
    """The version's arrears settings (to start the next version from)."""
    def percent(fraction) -> Decimal:
        return Decimal(_plain(Decimal(fraction) * 100))
    return ArrearsSettings(late_percent=percent(tariff.late_rate), monthly_percent=percent(tariff.late_monthly_rate),
                           monthly_months=tariff.late_monthly_months, monthly_threshold=tariff.late_monthly_threshold,
                           disconnect_months=tariff.disconnect_months, disconnect_amount=tariff.disconnect_amount,
                           protected_reductions=tariff.protected_reductions, reminder_days=tariff.reminder_days,
                           instalment_grace_days=tariff.instalment_grace_days, reminder_required=tariff.reminder_required)


def _rate(percent, field: str) -> Decimal:
    """A rate typed in per cent as the fraction stored (four decimals: 0.01 % steps)."""
    try:
        value = Decimal(str(percent))
    except InvalidOperation:
        refuse(_("Enter the rate in per cent, e.g. 3 or 1.2."), field)
    if not value.is_finite() or not 0 <= value < 100:
        refuse(_("The rate is a percentage from 0 to under 100."), field)
    fraction = value / 100
    if fraction != fraction.quantize(Decimal("0.0001")):
        refuse(_("The rate takes at most two decimals (e.g. 1.25 %)."), field)
    return fraction.quantize(Decimal("0.0001"))


def _whole(value, low: int, high: int, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        refuse(_("Enter a whole number from %(low)s to %(high)s.", low=f"{low:,}", high=f"{high:,}"), field)
    return value


def _apply_arrears(tariff: Tariff, settings: ArrearsSettings) -> None:
    """Check the arrears settings and set them on the version (errors named by the form's fields)."""
    tariff.late_rate = _rate(settings.late_percent, "late_percent")
    tariff.late_monthly_rate = _rate(settings.monthly_percent, "monthly_percent")
    tariff.late_monthly_months = _whole(settings.monthly_months, 0, 120, "monthly_months")
    if tariff.late_monthly_rate > 0 and tariff.late_monthly_months == 0:
        refuse(_("A monthly addition needs the number of months it runs for (1 to 120)."), "monthly_months")
    tariff.late_monthly_threshold = _whole(settings.monthly_threshold, 0, 10**12, "monthly_threshold")
    tariff.disconnect_months = _whole(settings.disconnect_months, 0, 120, "disconnect_months")
    tariff.disconnect_amount = _whole(settings.disconnect_amount, 0, 10**12, "disconnect_amount")
    known = {rule.code for rule in tariff.reductions}
    if settings.protected_reductions is None:
        codes = ["WELFARE"] if "WELFARE" in known else []
    else:
        codes = [code.strip() for code in settings.protected_reductions.split(",") if code.strip()]
    unknown = [code for code in codes if code not in known]
    if unknown:
        refuse(_("%(codes)s: not a reduction of this tariff (its codes: %(known)s).", codes=", ".join(unknown),
                 known=", ".join(sorted(known)) or "-"), "protected_reductions")
    tariff.protected_reductions = ",".join(codes)
    if len(tariff.protected_reductions) > 100:
        refuse(_("List at most 100 characters of reduction codes."), "protected_reductions")
    tariff.reminder_days = _whole(settings.reminder_days, 1, 90, "reminder_days")
    tariff.instalment_grace_days = _whole(settings.instalment_grace_days, 0, 90, "instalment_grace_days")
    tariff.reminder_required = bool(settings.reminder_required)


@transactional
def create_version(*, effective_from: date, name: str, source: str, rounding: str, water_use_rate: str,
                   mixed_household_volume: int, blocks_text: str, meters_text: str, reductions_text: str,
                   arrears: ArrearsSettings | None = None) -> Tariff:
    """A new tariff version from its tables:

    - blocks: ``service,use type,upper ㎥ (empty for the last block),price``
    - meter charges: ``diameter,amount``
    - reductions: ``code,name,kind (volume|percent|leak),value,applies to (water|sewer|both)``

    and its arrears settings (``ArrearsSettings``; by default those of the ordinance model:
    3 % once, no monthly addition, disconnection notice after 3 months)."""
    if repo.by_date(effective_from) is not None:
        refuse(_("A tariff already takes effect on %(date)s.", date=effective_from.isoformat()), "effective_from")
    tariff = _build(effective_from=effective_from, name=name, source=source, rounding=rounding, water_use_rate=water_use_rate,
                    mixed_household_volume=mixed_household_volume, blocks_text=blocks_text, meters_text=meters_text,
                    reductions_text=reductions_text)
    arrears = arrears or ArrearsSettings()
    _apply_arrears(tariff, arrears)
    repo.add(tariff)
    audit.record("create", "rates_tariff", tariff.id, N_("tariff from %(date)s"), values={"date": str(effective_from)},
                 after={"blocks": blocks_text, "meters": meters_text, "reductions": reductions_text,
                        "arrears": {key: str(value) for key, value in asdict(arrears).items()}})
    tx.commit()
    _cache()["versions"] = None
    return tariff


def draft_terms(*, rounding: str, water_use_rate: str, mixed_household_volume: int, blocks_text: str, meters_text: str,
                reductions_text: str) -> TariffTerms:
    """The terms of a draft tariff typed for a simulation: checked like a new version, never
    stored, and in force from any date (a simulation applies it to a whole past year)."""
    tariff = _build(effective_from=date(1900, 1, 1), name="draft", source="", rounding=rounding, water_use_rate=water_use_rate,
                    mixed_household_volume=mixed_household_volume, blocks_text=blocks_text, meters_text=meters_text,
                    reductions_text=reductions_text)
    if tariff.late_rate is None:  # the column's default, which only an insert would apply
        tariff.late_rate = Tariff.__table__.c.late_rate.default.arg
    return terms(tariff)


def as_text(tariff: Tariff) -> dict[str, str]:
    """The version's tables in the form ``create_version`` reads (to start the next version from)."""
    blocks = "\n".join(f"{b.service},{b.use_type},{'' if b.upper is None else b.upper},{_plain(b.unit_price)}"
                       for b in sorted(tariff.blocks, key=lambda b: (b.service, b.use_type, b.upper is None, b.upper or 0)))
    meters = "\n".join(f"{m.diameter},{m.amount}" for m in tariff.meter_charges)
    reductions = "\n".join(f"{r.code},{r.name},{r.kind},{_plain(r.value)},{r.applies_to}" for r in tariff.reductions)
    return {"blocks_text": blocks, "meters_text": meters, "reductions_text": reductions}


def _plain(value) -> str:
    value = Decimal(value).normalize()
    return f"{value:f}"
