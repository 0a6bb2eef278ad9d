"""Smart meters (AMI): devices with their own tokens send readings in batches.

A device reports only the meters it is bound to (meters by serial, or every meter on a route).
A batch is all or nothing: one refused reading refuses the batch and records none of it. Every
batch carries an idempotency key; the answer to an applied batch is kept, so a retry (the
head-end never saw the answer) gets the same answer and records nothing twice. Tokens can be
revoked and rotated; only their hashes are stored.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from erp.common import tx
from erp.common.clock import utcnow
from erp.common.errors import ServiceError, refuse
from erp.common.tx import transactional
from erp.extensions import db
from plugins.rates.models import AmiBatch, AmiDevice, AmiScope
from plugins.rates.repositories import customers as repo
from plugins.rates.services import customers

MAX_BATCH = 5000
_KEY = re.compile(r"^[\x21-\x7e]{1,100}$")  # printable ASCII, no spaces
_ROUTE = re.compile(r"^\d{4}$")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def devices() -> list[AmiDevice]:
    return list(db.session.execute(sa.select(AmiDevice).order_by(AmiDevice.name)).scalars())


def device(device_id: int) -> AmiDevice:
    found = db.session.get(AmiDevice, device_id)
    if found is None:
        raise LookupError(device_id)
    return found


def _split(values) -> list[str]:
    if isinstance(values, str):
        values = re.split(r"[\s,]+", values)
    return sorted({v.strip() for v in values or () if v and v.strip()})


def _set_scope(dev: AmiDevice, meters, routes) -> None:
    meters, routes = _split(meters), _split(routes)
    for route in routes:
        if not _ROUTE.match(route):
            refuse(_("%(value)s is not a route (4 digits).", value=route), "routes")
    for serial in meters:
        if repo.meter_by_serial(serial) is None:
            refuse(_("There is no meter %(serial)s.", serial=serial), "meters")
    dev.scope.clear()
    db.session.flush()
    dev.scope.extend([AmiScope(kind="meter", value=s) for s in meters] + [AmiScope(kind="route", value=r) for r in routes])


@transactional
def register_device(name: str, meters=(), routes=()) -> tuple[AmiDevice, str]:
    """Register a device bound to ``meters`` (serials) and ``routes``; returns it with its token,
    shown only this once."""
    name = (name or "").strip()
    if not name:
        refuse(_("Name the device."), "name")
    if db.session.execute(sa.select(AmiDevice.id).where(AmiDevice.name == name[:100])).first():
        refuse(_("A device of this name is registered already."), "name")
    token = secrets.token_urlsafe(32)
    dev = AmiDevice(name=name[:100], token_hash=_hash(token))
    db.session.add(dev)
    _set_scope(dev, meters, routes)
    tx.commit()
    return dev, token


@transactional
def set_scope(device_id: int, meters=(), routes=()) -> AmiDevice:
    """Bind the device to these meters (serials) and routes, replacing what it had."""
    dev = device(device_id)
    _set_scope(dev, meters, routes)
    tx.commit()
    return dev


@transactional
def rotate(device_id: int) -> tuple[AmiDevice, str]:
    """Give the device a new token (the old one stops working at once); a revoked device comes
    back into use. Returns the token, shown only this once."""
    dev = device(device_id)
    token = secrets.token_urlsafe(32)
    dev.token_hash, dev.rotated_at, dev.active, dev.revoked_at = _hash(token), utcnow(), True, None
    tx.commit()
    return dev, token


@transactional
def revoke(device_id: int) -> AmiDevice:
    """Stop the device's token from being accepted."""
    dev = device(device_id)
    if not dev.active:
        refuse(_("This device's token is revoked already."))
    dev.active, dev.revoked_at = False, utcnow()
    tx.commit()
    return dev


def by_name(name: str) -> AmiDevice:
    found = db.session.execute(sa.select(AmiDevice).where(AmiDevice.name == name)).scalar_one_or_none()
    if found is None:
        raise LookupError(name)
    return found


def authenticate(token: str) -> AmiDevice | None:
    """The active device holding ``token``, or None."""
    if not token:
        return None
    wanted = _hash(token)
    dev = db.session.execute(sa.select(AmiDevice).where(AmiDevice.token_hash == wanted)).scalar_one_or_none()
    if dev is None or not dev.active or not hmac.compare_digest(dev.token_hash, wanted):
        return None
    return dev


def scope_of(dev: AmiDevice) -> tuple[set[str], set[str]]:
    """The meter serials and the routes the device is bound to."""
    return {s.value for s in dev.scope if s.kind == "meter"}, {s.value for s in dev.scope if s.kind == "route"}


def may_report(scope: tuple[set[str], set[str]], meter) -> bool:
    """Whether a device of this scope may report the meter, by its serial or its customer's route."""
    meters, routes = scope
    return meter.serial in meters or meter.customer.route_code in routes


@dataclass
class ItemResult:
    index: int
    accepted: bool
    reason: str = ""
    use: int | None = None


@dataclass
class BatchAnswer:
    status: int  # 200 applied; 422 refused (nothing recorded); 409 the key was used for another batch
    body: dict


def valid_key(key: str) -> bool:
    return bool(_KEY.match(key or ""))


def _fingerprint(items: list[dict]) -> str:
    return hashlib.sha256(json.dumps(items, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()).hexdigest()


def _stored(dev: AmiDevice, key: str, fingerprint: str) -> BatchAnswer | None:
    batch = db.session.execute(sa.select(AmiBatch).where(AmiBatch.device_id == dev.id, AmiBatch.idempotency_key == key)) \
        .scalar_one_or_none()
    if batch is None:
        return None
    if batch.body_hash != fingerprint:
        return BatchAnswer(409, {"error": "conflict", "status": 409,
                                 "message": _("This idempotency key was used for a different batch.")})
    return BatchAnswer(200, {**json.loads(batch.answer), "replayed": True})


def _item(scope: tuple[set[str], set[str]], meters: dict, index: int, item: dict) -> ItemResult:
    serial, day, value = item.get("meter"), item.get("read_on"), item.get("value")
    if not isinstance(serial, str) or not isinstance(day, str) or isinstance(value, bool) or not isinstance(value, int):
        raise ServiceError(_("Each reading needs 'meter' (text), 'read_on' (YYYY-MM-DD) and 'value' (whole number)."))
    meter = meters.get(serial)
    if meter is None or meter.removed_on is not None:
        raise ServiceError(_("No meter %(serial)s is in service.", serial=serial))
    if not may_report(scope, meter):
        raise ServiceError(_("This device may not report meter %(serial)s.", serial=serial))
    try:
        on = date.fromisoformat(day)
    except ValueError:
        raise ServiceError(_("'read_on' must be written YYYY-MM-DD.")) from None
    reading = customers.read(meter.customer_id, on, value, rollover=item.get("rollover") is True, source="ami")
    return ItemResult(index, True, use=reading.use)


@transactional
def _apply(dev: AmiDevice, items: list[dict], key: str, fingerprint: str) -> BatchAnswer:
    results, refused, scope = [], 0, scope_of(dev)
    # The batch's meters locked first, all together and in the order a reader's file locks them
    # (by customer): taken item by item, in the device's order, they could deadlock with a file.
    serials = {item.get("meter") for item in items if isinstance(item, dict) and isinstance(item.get("meter"), str)}
    meters = {meter.serial: meter for meter in repo.meters_by_serial(serials)}
    repo.active_meters({meter.customer_id for meter in meters.values()}, lock=True)
    for index, item in enumerate(items):
        try:
            results.append(_item(scope, meters, index, item))
        except ServiceError as error:
            refused += 1
            results.append(ItemResult(index, False, error.message))
    if refused:
        tx.rollback()
        # Nothing is recorded: the readings that were valid are reported as not recorded.
        body = {"accepted": 0, "refused": refused, "recorded": False,
                "results": [asdict(ItemResult(r.index, False, r.reason)) for r in results]}
        return BatchAnswer(422, body)
    body = {"accepted": len(results), "refused": 0, "recorded": True, "results": [asdict(r) for r in results]}
    db.session.add(AmiBatch(device_id=dev.id, idempotency_key=key, body_hash=fingerprint,
                            answer=json.dumps(body, ensure_ascii=False)))
    tx.commit()
    return BatchAnswer(200, body)


def receive(dev: AmiDevice, items: list[dict], key: str) -> BatchAnswer:
    """Record a batch under its idempotency key: all its readings, or none with each refusal's
    reason. A key seen before answers what it answered then (and records nothing)."""
    fingerprint = _fingerprint(items)
    stored = _stored(dev, key, fingerprint)
    if stored is not None:
        return stored
    try:
        return _apply(dev, items, key, fingerprint)
    except sa.exc.IntegrityError:
        # The same batch arrived twice at once: the other request applied it first.
        db.session.rollback()
        stored = _stored(dev, key, fingerprint)
        if stored is None:
            raise
        return stored
