"""``POST /api/rates/quote``: what a bill would be, for anyone (citizens' calculators, partners).

JSON in: ``use_type``, ``diameter`` (mm), ``consumption`` (㎥), ``period_start``, ``period_end``
(YYYY-MM-DD), optional ``households``, ``mixed``, ``reductions`` (``[{"code": …,
"previous_average": …}]``), ``water_use_rate``, ``move_out``, ``sewer``. JSON out: every line and
the total in won. Bad input: 400 with the reason.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Blueprint, jsonify, request

from erp.auth.access import public
from erp.web.limits import limit
from erp.extensions import csrf
from erp.openapi import Answer, documented
from plugins.rates.rest import schemas
from plugins.rates.services.calculation import QuoteError, QuoteRequest, Reduction
from plugins.rates.services.tariffs import quote_request

bp = Blueprint("rates_api", __name__, url_prefix="/api/rates")
csrf.exempt(bp)  # a JSON API for other systems: no browser session, no form token


class BadRequest(ValueError):
    pass


def _int(payload: dict, name: str, default=None, required: bool = True) -> int:
    value = payload.get(name, default)
    if value is None and not required:
        return None
    # JSON true is an int in Python: refuse it explicitly.
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"'{name}' must be a whole number")
    return value


def _date(payload: dict, name: str, required: bool = True) -> date | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"'{name}' must be a date written YYYY-MM-DD") from None


def _number(value, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise BadRequest(f"'{name}' must be a number")
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise BadRequest(f"'{name}' must be a number") from None
    if not number.is_finite():
        raise BadRequest(f"'{name}' must be a number")
    return number


def parse(payload) -> QuoteRequest:
    if not isinstance(payload, dict):
        raise BadRequest("the body must be a JSON object")
    for name in ("use_type", "diameter", "consumption", "period_start", "period_end"):
        if name not in payload:
            raise BadRequest(f"'{name}' is missing")
    if not isinstance(payload["use_type"], str):
        raise BadRequest("'use_type' must be a string")
    reductions = payload.get("reductions") or []
    if not isinstance(reductions, list) or len(reductions) > 5:
        raise BadRequest("'reductions' must be a list of at most 5 items")
    parsed = []
    for item in reductions:
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            raise BadRequest("each reduction needs a 'code'")
        average = item.get("previous_average")
        parsed.append(Reduction(item["code"], None if average is None else _number(average, "previous_average")))
    for flag in ("mixed", "sewer"):
        if flag in payload and not isinstance(payload[flag], bool):
            raise BadRequest(f"'{flag}' must be true or false")
    rate = payload.get("water_use_rate")
    return QuoteRequest(
        use_type=payload["use_type"], diameter=_int(payload, "diameter"), consumption=_int(payload, "consumption"),
        period_start=_date(payload, "period_start"), period_end=_date(payload, "period_end"),
        households=_int(payload, "households", 1), mixed=payload.get("mixed", False), reductions=tuple(parsed),
        water_use_rate=None if rate is None else _number(rate, "water_use_rate"),
        move_out=_date(payload, "move_out", required=False), sewer=payload.get("sewer", True))


def as_json(result) -> dict:
    return {"lines": [{"code": l.code, "label": l.label, "amount": l.amount, "detail": l.detail} for l in result.lines],
            "total": result.total, "days": result.days,
            "parts": [{"from": a.isoformat(), "to": b.isoformat(), "consumption": str(v.quantize(Decimal("0.01")))}
                      for a, b, v in result.parts]}


@bp.route("/quote", methods=["POST"])
@public
@limit("ERP_RATELIMIT_QUOTE")
@documented("What a bill would be", request=schemas.QuoteRequest, tag="rates",
            responses={200: Answer("Every line and the total, in won.", schemas.Quote),
                       400: "The body does not describe a bill; the message says why."})
def quote():
    payload = request.get_json(silent=True)
    try:
        result = quote_request(parse(payload))
    except (BadRequest, QuoteError) as error:
        return jsonify(error="bad request", message=str(error), status=400), 400
    return jsonify(as_json(result))
