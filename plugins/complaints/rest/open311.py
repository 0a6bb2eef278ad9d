"""Open311 GeoReport v2 in JSON at ``/api/complaints/open311/v2`` (under the plugin's API path, so the split
deployment's gateway sends it to the complaints service): ``GET services.json``,
``GET services/<code>.json``, ``POST requests.json`` (with the ``api_key`` of a civic app, from
``flask complaints open311-key NAME``), ``GET requests.json`` and ``GET requests/<id>.json``.
Errors answer as the spec says: a list of ``{"code", "description"}`` with the HTTP status."""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from flask import Blueprint, jsonify, request

from erp.audit import services as audit
from erp.auth.access import public
from erp.common.clock import utcnow
from erp.common.errors import ServiceError
from erp.extensions import csrf
from erp.openapi import Answer, documented
from plugins.complaints.rest import schemas
from plugins.complaints.services import open311

bp = Blueprint("open311", __name__, url_prefix="/api/complaints/open311/v2")
csrf.exempt(bp)  # an API for other systems: authenticated by the api_key, no browser session


def _error(status: int, description: str):
    return jsonify([{"code": status, "description": description}]), status


def _json_only(fmt: str):
    return None if fmt == "json" else _error(400, "only the json format is served")


@bp.route("/services.<fmt>")
@public
@documented("Open311: the services (complaint types) requests can be filed for", tag="open311",
            responses={200: Answer("Every service.", schemas.Services), 400: schemas.refusal("A format other than json.")})
def services(fmt: str):
    return _json_only(fmt) or jsonify(open311.services())


@bp.route("/services/<code>.<fmt>")
@public
@documented("Open311: a service's definition (its attributes)", tag="open311",
            responses={200: Answer("The definition.", schemas.ServiceDefinition), 400: schemas.refusal("A format other than json."),
                       404: schemas.refusal("No such service.")})
def service_definition(code: str, fmt: str):
    if (refused := _json_only(fmt)) is not None:
        return refused
    found = open311.definition(code[:30])
    return jsonify(found) if found else _error(404, f"no service {code[:30]}")


def _w3c(name: str) -> datetime | None:
    """A W3C date-time parameter as naive UTC (a time without offset is taken as UTC)."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{name} must be a W3C date-time such as 2026-11-01T00:00:00Z") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


@bp.route("/requests.<fmt>", methods=["GET"])
@public
@documented("Open311: service requests (status and dates), by id, service, status or date range", tag="open311",
            responses={200: Answer("The requests found.", schemas.ServiceRequests),
                       400: schemas.refusal("A bad format, status, date or too many ids.")})
def requests_list(fmt: str):
    if (refused := _json_only(fmt)) is not None:
        return refused
    ids = [i.strip()[:20] for i in request.args.get("service_request_id", "").split(",") if i.strip()]
    if len(ids) > open311.MAX_IDS:
        return _error(400, f"at most {open311.MAX_IDS} service_request_id values")
    status = request.args.get("status", "").strip() or None
    if status not in (None, "open", "closed"):
        return _error(400, "status is open or closed")
    try:
        start, end = _w3c("start_date"), _w3c("end_date")
    except ValueError as error:
        return _error(400, str(error))
    if not ids and start is None and end is None:
        start = utcnow() - timedelta(days=90)  # the spec's default window
    if start and end and (end < start or end - start > timedelta(days=90)):
        return _error(400, "start_date and end_date span at most 90 days")
    codes = [c.strip() for c in request.args.get("service_code", "").split(",") if c.strip()] or None
    return jsonify(open311.requests(ids or None, codes=codes, status=status, start=start, end=end))


@bp.route("/requests/<request_id>.<fmt>")
@public
@documented("Open311: one service request by its id (the receipt number)", tag="open311",
            responses={200: Answer("The request.", schemas.ServiceRequests), 400: schemas.refusal("A format other than json."),
                       404: schemas.refusal("No such request.")})
def request_by_id(request_id: str, fmt: str):
    if (refused := _json_only(fmt)) is not None:
        return refused
    found = open311.requests([request_id[:20]])
    return jsonify(found) if found else _error(404, f"no service request {request_id[:20]}")


def _coordinate(name: str, limit: float) -> float | None:
    text = request.values.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number") from None
    if not math.isfinite(value) or abs(value) > limit:
        raise ValueError(f"{name} must be between -{limit:g} and {limit:g}")
    return value


@bp.route("/requests.<fmt>", methods=["POST"])
@public
@documented("Open311: file a service request (form fields of the spec; a civic app's api_key)", tag="open311",
            responses={201: Answer("The request filed: its id is the receipt number.", schemas.Created),
                       400: schemas.refusal("A bad format, location or field."),
                       403: schemas.refusal("No valid api_key.")})
def create_request(fmt: str):
    if (refused := _json_only(fmt)) is not None:
        return refused
    form = request.values
    app = open311.authenticate(form.get("api_key", "").strip())
    if app is None:
        return _error(403, "a valid api_key is required to create service requests")
    try:
        lat, lon = _coordinate("lat", 90), _coordinate("long", 180)
    except ValueError as error:
        return _error(400, str(error))
    if not form.get("address_string", "").strip() and (lat is None or lon is None):
        return _error(400, "give lat and long, or address_string")
    text = {name: form.get(name, "")[:limit] for name, limit in (
        ("service_code", 30), ("description", 4000), ("first_name", 25), ("last_name", 25), ("phone", 20),
        ("email", 200), ("address_string", 300), ("account_id", 30))}
    try:
        with audit.acting_as(None, f"open311:{app.name}"):
            created = open311.create(app, service_code=text["service_code"], description=text["description"],
                                     first_name=text["first_name"], last_name=text["last_name"], phone=text["phone"],
                                     email=text["email"], address=text["address_string"], lat=lat, lon=lon,
                                     account_id=text["account_id"])
    except ServiceError as error:
        return _error(400, error.message)
    return jsonify([created]), 201
