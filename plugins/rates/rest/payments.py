"""``POST /api/rates/payments``: payment lines pushed by a bank gateway, authenticated per gateway.

``Authorization: Bearer <token>`` (from ``flask rates payment-gateway NAME``; a token of its own
kind: a smart meter's token is refused here). Body ``{"payments": [{"channel": "VA",
"txn_id": "…", "received_on": "2026-11-20", "transferred_on": "", "bank_code": "011",
"branch_code": "0001", "giro_no": "", "reference": "<e-payment number | virtual account | bill
number>", "amount": 21330, "payer": "…"}, …]}`` — the fields of a file's data record. The batch
is imported whole or not at all, like a file: 200 with the counts (new, already known, matched,
unmatched; a batch pushed again is all "known"), 400 with every bad item; 401 without a token,
403 with an unknown or disabled one.
"""
from __future__ import annotations

from flask import jsonify, request

from erp.audit import services as audit
from erp.common.errors import ServiceError
from erp.auth.access import public
from erp.web.body_limits import max_body
from erp.web.limits import limit
from erp.openapi import Answer, documented
from plugins.rates.rest import schemas
from plugins.rates.rest.quote import bp
from plugins.rates.services import payment_layouts as layouts
from plugins.rates.services import payments

MAX_BATCH = 10_000
FIELDS = ("channel", "txn_id", "received_on", "transferred_on", "bank_code", "branch_code", "giro_no", "reference", "amount")


@bp.route("/payments", methods=["POST"])
@public
@limit("ERP_RATELIMIT_PAYMENTS")
@max_body("ERP_MAX_BATCH_MB")
@documented("Payment lines pushed by a bank gateway", request=schemas.PaymentBatch, security=(schemas.BANK_GATEWAY,),
            tag="rates", responses={200: Answer("What the batch did (a batch pushed again is all known).",
                                                schemas.PaymentsImported),
                                    400: "A bad batch or item: nothing imported (errors per item).",
                                    409: "The same lines were being imported at that moment: nothing imported; push again.",
                                    401: "No gateway token.", 403: "An unknown or disabled gateway token."})
def push_payments():
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        return jsonify(error="unauthorized", message="send the gateway token as 'Authorization: Bearer <token>'", status=401), 401
    gateway = payments.authenticate_gateway(header[7:].strip())
    if gateway is None:
        return jsonify(error="forbidden", message="unknown or disabled gateway token", status=403), 403
    payload = request.get_json(silent=True)
    items = payload.get("payments") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items or len(items) > MAX_BATCH or not all(isinstance(i, dict) for i in items):
        return jsonify(error="bad request", message=f"'payments' must be a list of 1 to {MAX_BATCH} objects", status=400), 400
    lines, errors = [], []
    for index, item in enumerate(items):
        try:
            values = {name: item.get(name, "") for name in FIELDS}
            if any(not isinstance(v, str) for k, v in values.items() if k != "amount") or not isinstance(item.get("payer", ""), str):
                raise layouts.LineError("every field is text except 'amount' (a whole number)")
            if isinstance(values["amount"], bool) or not isinstance(values["amount"], int):
                raise layouts.LineError("'amount' must be a whole number of won")
            lines.append(layouts.line_from_fields(index, payer=item.get("payer", ""), **values))
        except layouts.LineError as error:
            errors.append(f"item {index}: {error}")
    if errors:
        return jsonify(error="bad request", message="nothing imported", errors=errors, status=400), 400
    try:
        with audit.acting_as(None, f"gateway:{gateway.name}"):
            result = payments.import_lines(lines, f"gateway:{gateway.name}"[:60])
    except ServiceError as error:  # the same batch being pushed at this moment: push it again
        return jsonify(error="conflict", message=error.message, status=409), 409
    if result.errors:
        return jsonify(error="bad request", message="nothing imported", errors=result.errors, status=400), 400
    return jsonify(result.as_dict())
