"""Searching the audit trail."""
from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _

from erp.audit import anchors
from erp.audit import services as audit
from erp.auth.access import permission_required
from erp.common.formatting import fmt_datetime
from erp.extensions import db
from erp.i18n import N_
from erp.web.downloads import file_response
from erp.web.paging import page_arg

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def _criteria() -> tuple[audit.Criteria, list[str]]:
    """The search typed on the page; malformed dates are reported and left out."""
    errors, days = [], {}
    for name in ("from", "to"):
        raw = request.args.get(name, "").strip()
        days[name] = None
        if raw:
            try:
                day = date.fromisoformat(raw)
                if not 1900 <= day.year <= 2100:
                    raise ValueError(raw)
                days[name] = day
            except ValueError:
                errors.append(_("Dates are written YYYY-MM-DD."))
    chain = request.args.get("chain", "").strip()
    if chain and chain not in audit.chains():
        errors.append(_("There is no audit chain %(name)s.", name=chain))
    criteria = audit.Criteria(start=days["from"], end=days["to"], actor=request.args.get("actor", "").strip(),
                              entity=request.args.get("entity", "").strip(), action=request.args.get("action", "").strip(),
                              text=request.args.get("q", "").strip(), chain=chain)
    return criteria, sorted(set(errors))


@bp.route("/")
@permission_required("core.audit")
def search():
    criteria, errors = _criteria()
    pagination = audit.search(criteria, page=page_arg(), per_page=50)
    status = [(name, anchors.last_verification(name), anchors.last_anchor(name)) for name in audit.chains()]
    return render_template("audit/search.html", pagination=pagination, errors=errors, status=status,
                           actions=audit.distinct_values("action"), entities=audit.distinct_values("entity"),
                           chains=list(audit.chains()), args=request.args)


@bp.route("/<chain>/<int(max=9223372036854775807):seq>")
@permission_required("core.audit")
def detail(chain: str, seq: int):
    entry = audit.get_entry(chain, seq) or abort(404)
    before = json.loads(entry.before) if entry.before else {}
    after = json.loads(entry.after) if entry.after else {}
    keys = sorted(set(before) | set(after))
    return render_template("audit/detail.html", entry=entry, keys=keys, before=before, after=after)


@bp.route("/export.xlsx")
@permission_required("core.audit")
def export():
    from erp.common import excel  # openpyxl is loaded only when someone exports

    criteria, _errors = _criteria()
    rows = [
        [e.chain, e.seq, fmt_datetime(e.at, seconds=True), e.actor, audit.action_label(e.action), e.entity, e.entity_id,
         audit.summary_text(e), e.before or "", e.after or "", e.request_id, e.ip]
        for e in audit.search(criteria, page=1, per_page=50000).items
    ]
    columns = [
        excel.Column(_("Chain"), 12), excel.Column(_("No."), 8, "int"), excel.Column(_("Time"), 20), excel.Column(_("User"), 14),
        excel.Column(_("Action"), 12), excel.Column(_("Object"), 20), excel.Column(_("Key"), 10),
        excel.Column(_("Summary"), 40), excel.Column(_("Before"), 40), excel.Column(_("After"), 40),
        excel.Column(_("Request"), 34), excel.Column(_("Address"), 16),
    ]
    data = excel.build_workbook([excel.Sheet(_("Audit trail"), columns, rows)], org_name=current_app.config["ERP_ORG_NAME"])
    audit.record("export", "core_audit_log", "", N_("audit trail exported: %(count)s records"),
                 after={k: v for k, v in request.args.items()}, chain="core", values={"count": len(rows)})
    db.session.commit()
    return file_response(data, "xlsx", "audit")
