"""The water bill, computed: one pure module, no database, every rule in one place.

A bill for one meter and one period adds up these lines:

- **water charge** (상수도 사용료): the use charged progressively — each ㎥ at the price of the
  block it falls in. Block limits are multiplied by the number of households on the meter
  (공동주택, 가구분할) and by the billing months the period spans (a bimonthly bill: 2), and
  scaled by the share of the billing period a part covers.
- **meter charge** (구경별 기본요금) by the meter's diameter, once per billing month, scaled the same way.
- **sewerage fee** (하수도 사용료): the same use through the sewerage blocks.
- **water-use charge** (물이용부담금): use × the rate per ㎥ (the tariff's, or the customer's own).
- **reductions** (감면), as negative lines: ``volume`` (a number of ㎥ off before the blocks, e.g.
  for basic-livelihood recipients), ``percent`` (a share off the charges), ``leak`` (a share — 50 %
  — of the use above the previous three periods' average). Reductions are never applied to a
  move-out settlement.

A period that a tariff change cuts is split by days: each part takes the days' share of the use
and of the block limits and is charged at its own tariff. A mixed home/business meter (겸업)
charges a fixed volume per household (15 ㎥) as household use and the rest as general use.
A move-out settlement (이사정산) charges the use up to the move date with the block limits and
the meter charge scaled to the days used.

Amounts are computed in ``Decimal`` and rounded once, by the tariff's rule: amounts below 10 won
are dropped (지방회계법 §55) on every line (``line``) or on the total (``total``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

USE_TYPES = {"household": "가정용", "general": "일반용", "bath": "욕탕용", "industrial": "산업용"}
DIAMETERS = (13, 15, 20, 25, 32, 40, 50, 80, 100, 150, 200, 250)


class QuoteError(ValueError):
    """The request cannot be computed; the message says why (shown to the caller as is)."""


@dataclass(frozen=True)
class BlockRate:
    upper: int | None  # ㎥ up to which this price applies; None: everything above
    price: Decimal


@dataclass(frozen=True)
class ReductionTerms:
    code: str
    name: str
    kind: str  # volume | percent | leak
    value: Decimal  # ㎥, or per cent
    applies_to: str = "both"  # water | sewer | both


@dataclass(frozen=True)
class TariffTerms:
    effective_from: date
    blocks: dict[tuple[str, str], tuple[BlockRate, ...]]  # (service, use type) -> blocks
    meter_charges: dict[int, int]
    water_use_rate: Decimal = Decimal("170")
    rounding: str = "line"
    mixed_household_volume: int = 15
    reductions: dict[str, ReductionTerms] = field(default_factory=dict)
    late_rate: Decimal = Decimal("0.03")  # 가산금 after the due date (printed on the bill)


@dataclass(frozen=True)
class Reduction:
    code: str
    previous_average: Decimal | None = None  # for a leak reduction: the previous 3 periods' average use


@dataclass(frozen=True)
class QuoteRequest:
    use_type: str
    diameter: int
    consumption: int  # ㎥ in the period
    period_start: date
    period_end: date  # inclusive
    households: int = 1
    mixed: bool = False
    reductions: tuple[Reduction, ...] = ()
    water_use_rate: Decimal | None = None  # the customer's own rate, when set
    move_out: date | None = None
    sewer: bool = True


@dataclass
class BillLine:
    code: str
    label: str
    amount: int
    detail: str = ""


@dataclass
class Quote:
    lines: list[BillLine]
    total: int
    days: int
    parts: list[tuple[date, date, Decimal]]  # (from, to, use) per tariff in force


def truncate_10(amount: Decimal) -> int:
    """Drop the amount below 10 won (지방회계법 §55): 12,345.9 → 12,340."""
    return int((amount / 10).to_integral_value(rounding=ROUND_FLOOR)) * 10


def late_charge(base: int, rate: Decimal) -> int:
    """A late charge (가산금): ``rate`` (a fraction, four decimals) of the overdue ``base``, below 10 won dropped."""
    return truncate_10(Decimal(base) * Decimal(rate))


def late_charge_sql(base, rate: Decimal):
    """``late_charge`` as a SQL expression over the integer column expression ``base``, for the
    set-based arrears run: the same rule in whole numbers (rate in ten-thousandths, floor division)."""
    per_10000 = int(Decimal(rate) * 10000)
    return (base * per_10000) // 100_000 * 10


def block_charge(volume: Decimal, blocks: tuple[BlockRate, ...], scale: Decimal) -> tuple[Decimal, str]:
    """Charge ``volume`` progressively through ``blocks`` whose limits are multiplied by ``scale``."""
    charge, lower, parts = Decimal(0), Decimal(0), []
    for block in blocks:
        upper = None if block.upper is None else Decimal(block.upper) * scale
        if volume <= lower:
            break
        top = volume if upper is None else min(volume, upper)
        used = top - lower
        if used > 0:
            charge += used * block.price
            parts.append(f"{_num(used)}㎥×{_num(block.price)}")
        if upper is None:
            break
        lower = upper
    return charge, " + ".join(parts)


def billing_months(start: date, end: date) -> int:
    """How many billing months the period ``start``–``end`` (inclusive) spans: 1 for a month (28 to
    31 days, from any day), 2 for a bimonthly period (59 to 62 days) — its days ÷ 30.44, rounded."""
    days = (end - start).days + 1
    return max(1, int((Decimal(days) / Decimal("30.44")).to_integral_value(rounding=ROUND_HALF_UP)))


def _num(value: Decimal) -> str:
    value = value.quantize(Decimal("0.01")).normalize()
    return f"{value:,f}" if value != value.to_integral_value() else f"{int(value):,}"


def _segments(request: QuoteRequest, tariffs: list[TariffTerms]) -> list[tuple[date, date, TariffTerms]]:
    """The days used, cut where a tariff version starts."""
    end = request.move_out or request.period_end
    ordered = sorted(tariffs, key=lambda t: t.effective_from)
    segments, day = [], request.period_start
    while day <= end:
        in_force = [t for t in ordered if t.effective_from <= day]
        if not in_force:
            raise QuoteError(f"No tariff is in force on {day.isoformat()}.")
        current = in_force[-1]
        later = [t.effective_from for t in ordered if t.effective_from > day]
        seg_end = min(end, later[0] - timedelta(days=1)) if later else end
        segments.append((day, seg_end, current))
        day = seg_end + timedelta(days=1)
    return segments


MAX_USE = 10_000_000  # ㎥ in one period: far above any meter, far below what the arithmetic cannot carry
MAX_RATE = Decimal(100_000)  # won per ㎥
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def validate(request: QuoteRequest, tariffs: list[TariffTerms]) -> None:
    """Refuse (QuoteError) a request the calculation cannot price: unknown terms, or figures out
    of any real bill's range (which would also overflow the arithmetic or the calendar)."""
    if request.use_type not in USE_TYPES:
        raise QuoteError(f"Unknown use type {request.use_type!r}; use one of {', '.join(USE_TYPES)}.")
    if request.diameter not in DIAMETERS:
        raise QuoteError(f"Unknown meter diameter {request.diameter}; use one of {', '.join(map(str, DIAMETERS))} mm.")
    if request.consumption < 0:
        raise QuoteError("Use (consumption) cannot be negative.")
    if request.consumption > MAX_USE:
        raise QuoteError(f"Use (consumption) is at most {MAX_USE:,} ㎥ in a period.")
    if not (FIRST_DAY <= request.period_start <= LAST_DAY and FIRST_DAY <= request.period_end <= LAST_DAY):
        raise QuoteError(f"The period must fall between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}.")
    if not 1 <= request.households <= 1000:
        raise QuoteError("Households on the meter must be 1 to 1000.")
    if request.period_end < request.period_start:
        raise QuoteError("The period ends before it starts.")
    if (request.period_end - request.period_start).days > 92:
        raise QuoteError("A billing period is at most two months.")
    if request.move_out and not request.period_start <= request.move_out <= request.period_end:
        raise QuoteError("The move-out date must fall inside the period.")
    if request.mixed and request.use_type != "general":
        raise QuoteError("A mixed home/business meter is billed under the general use type.")
    if request.water_use_rate is not None and not 0 <= request.water_use_rate <= MAX_RATE:
        raise QuoteError(f"The water-use charge rate must be 0 to {MAX_RATE:,} won per ㎥.")
    for reduction in request.reductions:
        if reduction.previous_average is not None and not 0 <= reduction.previous_average <= MAX_USE:
            raise QuoteError(f"The previous average use must be 0 to {MAX_USE:,} ㎥.")


def quote(request: QuoteRequest, tariffs: list[TariffTerms]) -> Quote:
    """Compute the bill of ``request`` under the tariff versions in ``tariffs``."""
    validate(request, tariffs)
    cycle_days = (request.period_end - request.period_start).days + 1
    months = billing_months(request.period_start, request.period_end)
    segments = _segments(request, tariffs)
    used_days = sum((b - a).days + 1 for a, b, _t in segments)
    consumption = Decimal(request.consumption)
    settlement = request.move_out is not None
    raw: dict[str, list] = {}  # code -> [label, amount, details]

    def add(code: str, label: str, amount: Decimal, detail: str = "") -> None:
        entry = raw.setdefault(code, [label, Decimal(0), []])
        entry[1] += amount
        if detail:
            entry[2].append(detail)

    reduced_volume = Decimal(0)
    percent_rules: list[ReductionTerms] = []
    for reduction in ([] if settlement else request.reductions):
        rule = _rule(reduction.code, segments[0][2])
        if rule.kind == "volume":
            reduced_volume += rule.value
        elif rule.kind == "leak":
            if reduction.previous_average is None:
                raise QuoteError("A leak reduction needs the previous three periods' average use.")
            reduced_volume += max(Decimal(0), consumption - reduction.previous_average) * rule.value / 100
        elif rule.kind == "percent":
            percent_rules.append(rule)
    reduced_volume = min(reduced_volume, consumption)

    for start, end, terms in segments:
        days = (end - start).days + 1
        # The billing months this part covers: a bimonthly bill charges the meter twice and doubles
        # every block limit, as two monthly bills of half the use would.
        scale = Decimal(days) / Decimal(cycle_days) * months
        share = Decimal(days) / Decimal(used_days)  # the share of the use that falls in it
        volume = consumption * share
        off = reduced_volume * share
        note = f"{start:%m/%d}–{end:%m/%d}" if len(segments) > 1 or settlement else ""
        meter = terms.meter_charges.get(request.diameter)
        if meter is None:
            raise QuoteError(f"The tariff of {terms.effective_from.isoformat()} has no meter charge for {request.diameter} mm.")
        add("meter", "기본요금", Decimal(meter) * scale, note)
        for service, code, label in (("water", "water", "상수도 사용료"), ("sewer", "sewer", "하수도 사용료")):
            if service == "sewer" and not request.sewer:
                continue
            full, detail = _service_charge(service, volume, request, terms, scale)
            add(code, label, full, " ".join(filter(None, [note, detail])))
            if off > 0 and _applies(request.reductions, segments[0][2], service, ("volume", "leak")):
                less, _d = _service_charge(service, volume - off, request, terms, scale)
                add(f"{code}_reduction", f"{label} 감면", -(full - less), f"{_num(off)}㎥")
            for rule in percent_rules:
                if rule.applies_to in (service, "both"):
                    add(f"{code}_reduction", f"{label} 감면", -(full * rule.value / 100), f"{rule.name} {_num(rule.value)}%")
        rate = request.water_use_rate if request.water_use_rate is not None else terms.water_use_rate
        add("water_use", "물이용부담금", volume * rate, f"{_num(volume)}㎥×{_num(rate)}")

    rounding = segments[-1][2].rounding
    lines = []
    for code, (label, amount, details) in raw.items():
        # Day shares like 10/30 are not exact in decimal: settle each line to the hundredth of a
        # won before the rounding rule, so 3,299.999… is 3,300, not 3,290.
        amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if rounding == "line":
            value = -truncate_10(-amount) if amount < 0 else truncate_10(amount)
        else:
            value = int(amount.to_integral_value(rounding=ROUND_FLOOR)) if amount >= 0 else -int((-amount).to_integral_value(rounding=ROUND_FLOOR))
        lines.append(BillLine(code, label, value, "; ".join(details)))
    total = sum(line.amount for line in lines)
    if rounding == "total":
        total = truncate_10(Decimal(total))
    return Quote(lines, total, cycle_days, [(a, b, consumption * Decimal((b - a).days + 1) / Decimal(used_days))
                                            for a, b, _t in segments])


def _rule(code: str, terms: TariffTerms) -> ReductionTerms:
    rule = terms.reductions.get(code)
    if rule is None:
        raise QuoteError(f"Unknown reduction {code!r}; the tariff knows {', '.join(terms.reductions) or 'none'}.")
    return rule


def _applies(reductions, terms: TariffTerms, service: str, kinds: tuple[str, ...]) -> bool:
    return any(terms.reductions[r.code].kind in kinds and terms.reductions[r.code].applies_to in (service, "both")
               for r in reductions if r.code in terms.reductions)


def _service_charge(service: str, volume: Decimal, request: QuoteRequest, terms: TariffTerms, scale: Decimal):
    """Water or sewerage charge of ``volume`` for the request's use type (split for a mixed meter)."""
    if volume <= 0:
        return Decimal(0), ""
    if request.mixed:
        home_cap = Decimal(terms.mixed_household_volume * request.households) * scale
        home = min(volume, home_cap)
        home_charge, home_detail = block_charge(home, _blocks(terms, service, "household"), Decimal(request.households) * scale)
        rest_charge, rest_detail = block_charge(volume - home, _blocks(terms, service, "general"), scale)
        return home_charge + rest_charge, f"가정용 {home_detail}" + (f" / 일반용 {rest_detail}" if rest_detail else "")
    return block_charge(volume, _blocks(terms, service, request.use_type), Decimal(request.households) * scale)


def _blocks(terms: TariffTerms, service: str, use_type: str) -> tuple[BlockRate, ...]:
    blocks = terms.blocks.get((service, use_type))
    if not blocks:
        raise QuoteError(f"The tariff of {terms.effective_from.isoformat()} has no {service} rates for {use_type}.")
    return blocks
