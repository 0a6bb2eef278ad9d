"""The home page's panels: what is waiting for the user and how things stand.

Each plugin declares its panels in its manifest (``home=(HomePanel(permission, "pkg.mod:func"),)``)
and the core declares its own below; the home page builds only the panels whose permission the
user holds, in the order of the plugins' dependencies. A panel is presentation data (this module's
dataclasses, standard types only), so a chart is drawn by ``static/js/home.js`` from the JSON the
page carries, never by inline script.

Split mode: a plugin served by another service has its manifest here but not its database; its
panels are not fetched across (a home page must not wait on every service) but replaced by one
panel linking to that plugin's pages the user may open, on the service that serves them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from flask_login import current_user

from erp import plugins as plugin_system
from erp.common.clock import utcnow
from erp.common.formatting import number
from erp.extensions import db


@dataclass
class Figure:
    """One headline figure: a count or amount (shown with thousands separators) or a text."""

    label: str
    value: int | float | str
    url: str = ""
    tone: str = ""  # "warn" (needs attention), "ok", or "" (neutral)
    unit: str = ""


@dataclass
class Row:
    """One line of a panel's list: what it is, a short value, where to open it."""

    label: str
    value: str = ""
    url: str = ""
    tone: str = ""


@dataclass
class Series:
    label: str
    values: list
    kind: str = ""  # another kind than the chart's ("line" over bars)


@dataclass
class Chart:
    """A chart drawn by Chart.js: ``kind`` "bar" or "line", one label per point, one or more
    series; ``unit`` "%" puts the axis from 0 to 100, "won" formats the ticks as amounts."""

    kind: str
    labels: list[str]
    series: list[Series]
    unit: str = ""
    horizontal: bool = False
    stacked: bool = False

    def data(self) -> dict:
        return {"kind": self.kind, "labels": [str(label) for label in self.labels], "unit": self.unit,
                "horizontal": self.horizontal, "stacked": self.stacked,
                "series": [{"label": str(s.label), "values": list(s.values), "kind": s.kind} for s in self.series]}


@dataclass
class Panel:
    title: str
    figures: list[Figure] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    chart: Chart | None = None
    links: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""
    empty: str = ""  # shown when the panel has no rows (e.g. "Nothing is waiting.")
    name: str = ""  # a stable id for tests and styles


def build() -> list[Panel]:
    """The panels the logged-in user may see: the core's first, then each plugin's."""
    ext = current_app.extensions["erp"]
    panels: list[Panel] = []
    for declared in CORE_PANELS:
        panels.extend(_run(declared))
    remote = {manifest.name for manifest in ext.get("remote_plugins", [])}
    for manifest, _menu in ext["menus"]:
        if manifest.name in remote:
            panels.extend(_elsewhere(manifest))
            continue
        for declared in manifest.home:
            panels.extend(_run(declared))
    return panels


def _run(declared: plugin_system.HomePanel) -> list[Panel]:
    if not current_user.can(declared.permission):
        return []
    panel = plugin_system.resolve(declared.target)()
    return [panel] if panel is not None else []


def _elsewhere(manifest) -> list[Panel]:
    """A plugin served by another service: a panel of links to its pages this user may open."""
    if not any(current_user.can(declared.permission) for declared in manifest.home):
        return []
    links = [(str(item.label), url_for(item.endpoint)) for item in manifest.menu if current_user.can(item.permission)]
    if not links:
        return []
    return [Panel(str(manifest.label or manifest.name), links=links[:4], name=f"remote-{manifest.name}",
                  note=_("Served by its own service: open its pages for what is waiting."))]


# --- the core's own panels (the administrator's) ---

def locked_users() -> Panel:
    from erp.auth.models import User

    now = utcnow()
    users = db.session.execute(sa.select(User).where(User.locked_until.is_not(None), User.locked_until > now)
                               .order_by(User.locked_until.desc()).limit(10)).scalars().all()
    rows = [Row(f"{user.name} ({user.username})", _("until %(time)s", time=_local(user.locked_until)),
                url_for("auth.user_edit", user_id=user.id), "warn") for user in users]
    return Panel(_("Locked users"), figures=[Figure(_("Locked now"), len(users), url_for("auth.users"),
                                                     "warn" if users else "ok")],
                 rows=rows, empty=_("No user is locked out."), name="locked-users")


AUDIT_JOB = "audit.verify"


def audit_check() -> Panel:
    """The audit trail's hash chains as last verified — by the nightly job audit.verify or by
    ``flask erp audit-verify``, which keep the outcome the audit page shows as well."""
    from erp.audit import anchors
    from erp.audit import services as audit

    kept = [(name, anchors.last_verification(name)) for name in audit.chains()]
    if not kept or any(verification is None for _name, verification in kept):
        figure = Figure(_("Last check"), _("not run yet"), tone="warn")
        note = _("The check runs every night (job %(kind)s).", kind=AUDIT_JOB)
    else:
        broken = [(name, verification) for name, verification in kept if not verification["ok"]]
        figure = Figure(_("Last check"), _("intact") if not broken else _("broken"), url_for("audit.search"),
                        "ok" if not broken else "warn")
        if broken:
            result = "; ".join(_("The %(chain)s audit trail is broken at %(reason)s", chain=name,
                                 reason=verification["reason"]) for name, verification in broken)
        else:
            result = _("%(chains)s chains intact, %(records)s records verified", chains=number(len(kept)),
                       records=number(sum(verification["checked"] for _name, verification in kept)))
        # the oldest of the chains' verifications: how stale the panel's answer may be
        when = min(verification["at"] for _name, verification in kept)
        note = _("%(when)s: %(result)s", when=_local(when), result=result)
    return Panel(_("Audit trail"), figures=[figure], note=note, links=[(_("Search the audit trail"), url_for("audit.search"))],
                 name="audit-check")


def operations() -> Panel:
    from erp.ops import dashboard, figures

    warnings = [Row(dashboard.warning_text(p), tone="warn") for p in dashboard.cached_predictions() if p.warning]
    backlog = sum(state.pending for state in figures.outboxes())
    counts = figures.job_counts()
    from erp.jobs.models import Job

    failed = db.session.execute(sa.select(sa.func.count(Job.id)).where(
        Job.status == "failed", Job.finished_at > utcnow() - _day())).scalar_one()
    return Panel(_("Operations"), figures=[
        Figure(_("Warnings"), len(warnings), url_for("ops_dashboard.dashboard"), "warn" if warnings else "ok"),
        Figure(_("Postings not delivered"), backlog, tone="warn" if backlog else "ok"),
        Figure(_("Jobs waiting"), counts["pending"]),
        Figure(_("Jobs failed in 24 hours"), int(failed), tone="warn" if failed else "ok"),
    ], rows=warnings, empty=_("No metric is heading for its threshold."), name="operations")


def _day():
    from datetime import timedelta

    return timedelta(days=1)


def _local(value) -> str:
    from erp.common.formatting import fmt_datetime

    return fmt_datetime(value)


CORE_PANELS = (
    plugin_system.HomePanel("core.users", "erp.web.home:locked_users"),
    plugin_system.HomePanel("core.audit", "erp.web.home:audit_check"),
    plugin_system.HomePanel("core.ops", "erp.web.home:operations"),
)
