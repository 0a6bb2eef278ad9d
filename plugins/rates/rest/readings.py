"""``POST /api/rates/readings``: smart-meter readings in batches, authenticated per device.

``Authorization: Bearer <token>`` (from ``flask rates ami-device NAME``); body
``{"readings": [{"meter": "HB2020-00001", "read_on": "2026-11-20", "value": 1234}, …]}`` and an
``Idempotency-Key`` header naming the batch (1–100 printable ASCII characters).
No token: 401; an unknown or revoked token: 403; a malformed body or no key: 400. A batch is all
or nothing: 200 with every reading's use when all were recorded, 422 with every refusal's reason
when none was. The same key again answers what it answered the first time (``"replayed": true``);
the key of another batch: 409.
"""
from __future__ import annotations

from flask import jsonify, request

from erp.audit import services as audit
from erp.auth.access import public
from erp.web.body_limits import max_body
from erp.web.limits import limit
from erp.openapi import Answer, documented
from plugins.rates.rest import schemas
from plugins.rates.rest.quote import bp
from plugins.rates.services import ami


@bp.route("/readings", methods=["POST"])
@public
@limit("ERP_RATELIMIT_AMI")
@max_body("ERP_MAX_BATCH_MB")
@documented("Smart-meter readings, in batches", request=schemas.ReadingBatch, security=(schemas.AMI_DEVICE,), tag="rates",
            responses={200: Answer("Every reading recorded (or the first answer again for a retried batch).",
                                   schemas.ReadingsReceived),
                       400: "The body is not a batch of readings, or no Idempotency-Key header.",
                       401: "No device token.", 403: "An unknown or disabled device token.",
                       409: "The Idempotency-Key was used for another batch.",
                       422: Answer("A reading was refused: nothing recorded, every reason given.",
                                   schemas.ReadingsReceived)})
def readings():
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        return jsonify(error="unauthorized", message="send the device token as 'Authorization: Bearer <token>'", status=401), 401
    device = ami.authenticate(header[7:].strip())
    if device is None:
        return jsonify(error="forbidden", message="unknown or disabled device token", status=403), 403
    payload = request.get_json(silent=True)
    items = payload.get("readings") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items or len(items) > ami.MAX_BATCH or not all(isinstance(i, dict) for i in items):
        return jsonify(error="bad request", message=f"'readings' must be a list of 1 to {ami.MAX_BATCH} objects", status=400), 400
    key = request.headers.get("Idempotency-Key", "").strip()
    if not ami.valid_key(key):
        return jsonify(error="bad request", status=400,
                       message="send an 'Idempotency-Key' header naming the batch (1 to 100 printable ASCII characters)"), 400
    with audit.acting_as(None, f"ami:{device.name}"):
        answer = ami.receive(device, items, key)
    return jsonify(answer.body), answer.status
