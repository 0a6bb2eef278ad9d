"""Smart meters (AMI): devices with their own tokens send readings in batches."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from erp.common import tx
from erp.common.errors import ServiceError
from erp.common.tx import transactional
from erp.extensions import db
from plugins.rates.models import AmiDevice
from plugins.rates.repositories import customers as repo
from plugins.rates.services import customers

MAX_BATCH = 5000


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transactional
def register_device(name: str) -> tuple[AmiDevice, str]:
    """Register a device; returns it with its token, shown only this once."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("Name the device."), {"name": [_("Name the device.")]})
    token = secrets.token_urlsafe(32)
    device = AmiDevice(name=name[:100], token_hash=_hash(token))
    db.session.add(device)
    tx.commit()
    return device, token


def authenticate(token: str) -> AmiDevice | None:
    """The active device holding ``token``, or None."""
    if not token:
        return None
    wanted = _hash(token)
    device = db.session.execute(sa.select(AmiDevice).where(AmiDevice.token_hash == wanted)).scalar_one_or_none()
    if device is None or not device.active or not hmac.compare_digest(device.token_hash, wanted):
        return None
    return device


@dataclass
class ItemResult:
    index: int
    accepted: bool
    reason: str = ""
    use: int | None = None


def receive(device: AmiDevice, items: list[dict]) -> list[ItemResult]:
    """Record a batch; each reading is accepted or refused on its own, with the reason."""
    results = []
    for index, item in enumerate(items):
        try:
            serial, day, value = item.get("meter"), item.get("read_on"), item.get("value")
            if not isinstance(serial, str) or not isinstance(day, str) or isinstance(value, bool) or not isinstance(value, int):
                raise ServiceError("each reading needs 'meter' (text), 'read_on' (YYYY-MM-DD) and 'value' (whole number)")
            meter = repo.meter_by_serial(serial)
            if meter is None or meter.removed_on is not None:
                raise ServiceError(f"no meter {serial} in service")
            try:
                on = date.fromisoformat(day)
            except ValueError:
                raise ServiceError("'read_on' must be written YYYY-MM-DD") from None
            reading = customers.read(meter.customer_id, on, value, rollover=item.get("rollover") is True, source="ami")
            results.append(ItemResult(index, True, use=reading.use))
        except ServiceError as error:
            tx.rollback()
            results.append(ItemResult(index, False, error.message))
    return results
