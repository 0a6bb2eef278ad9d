"""Searching the audit trail."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _

from erp.audit.models import AuditEntry
from erp.auth.access import permission_required
from erp.common.formatting import fmt_datetime
from erp.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def _parse_date(name: str):
    raw = request.args.get(name, "").strip()
    if not raw:
        return None, None
    try:
        return datetime.strptime(raw, "%Y-%m-%d"), None
    except ValueError:
        return None, _("Dates are written YYYY-MM-DD.")


def _query():
    """The search as a query, plus the messages for malformed criteria (which are ignored)."""
    query = sa.select(AuditEntry).order_by(AuditEntry.seq.desc())
    errors = []
    start, error = _parse_date("from")
    if error:
        errors.append(error)
    end, error = _parse_date("to")
    if error:
        errors.append(error)
    # Dates are typed in the office's local day; the column holds UTC: a day boundary 9 hours
    # earlier in Korea. The offset comes from the configured time zone.
    from erp.common.formatting import local_datetime

    if start:
        offset = local_datetime(start).utcoffset() or timedelta(0)
        query = query.where(AuditEntry.at >= start - offset)
    if end:
        offset = local_datetime(end).utcoffset() or timedelta(0)
        query = query.where(AuditEntry.at < end + timedelta(days=1) - offset)
    for field, column in (("actor", AuditEntry.actor), ("entity", AuditEntry.entity), ("action", AuditEntry.action)):
        value = request.args.get(field, "").strip()
        if value:
            query = query.where(column == value)
    text = request.args.get("q", "").strip()
    if text:
        like = f"%{text}%"
        query = query.where(sa.or_(AuditEntry.summary.like(like), AuditEntry.entity_id == text,
                                   AuditEntry.before.like(like), AuditEntry.after.like(like)))
    return query, errors


@bp.route("/")
@permission_required("core.audit")
def search():
    query, errors = _query()
    page = request.args.get("page", 1, type=int)
    pagination = db.paginate(query, page=page, per_page=50, error_out=False)
    actions = db.session.execute(sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action)).scalars().all()
    entities = db.session.execute(sa.select(AuditEntry.entity).distinct().order_by(AuditEntry.entity)).scalars().all()
    return render_template("audit/search.html", pagination=pagination, errors=errors, actions=actions,
                           entities=entities, args=request.args)


@bp.route("/<int:seq>")
@permission_required("core.audit")
def detail(seq: int):
    entry = db.session.get(AuditEntry, seq) or abort(404)
    before = json.loads(entry.before) if entry.before else {}
    after = json.loads(entry.after) if entry.after else {}
    keys = sorted(set(before) | set(after))
    return render_template("audit/detail.html", entry=entry, keys=keys, before=before, after=after)


@bp.route("/export.xlsx")
@permission_required("core.audit")
def export():
    from erp.common import excel  # openpyxl is loaded only when someone exports

    query, _errors = _query()
    rows = [
        [e.seq, fmt_datetime(e.at, seconds=True), e.actor, e.action, e.entity, e.entity_id, e.summary,
         e.before or "", e.after or "", e.request_id, e.ip]
        for e in db.session.execute(query.limit(50000)).scalars()
    ]
    columns = [
        excel.Column(_("No."), 8, "int"), excel.Column(_("Time"), 20), excel.Column(_("User"), 14),
        excel.Column(_("Action"), 12), excel.Column(_("Object"), 20), excel.Column(_("Key"), 10),
        excel.Column(_("Summary"), 40), excel.Column(_("Before"), 40), excel.Column(_("After"), 40),
        excel.Column(_("Request"), 34), excel.Column(_("Address"), 16),
    ]
    data = excel.build_workbook([excel.Sheet(_("Audit trail"), columns, rows)], org_name=current_app.config["ERP_ORG_NAME"])
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=audit.xlsx"})
