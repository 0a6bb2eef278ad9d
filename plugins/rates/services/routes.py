"""Meter-reading routes (검침 구역): a supervisor assigns each route to a reader; the round's
progress is what has been read since the first day of the reading month."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from erp.audit import services as audit
from erp.common import tx
from erp.common.clock import local_today
from erp.common.errors import refuse
from erp.common.tx import transactional
from erp.extensions import db
from plugins.rates.models import RouteAssignment
from plugins.rates.repositories import customers as customers_repo
from plugins.rates.repositories import routes as repo


def round_start(today: date | None = None) -> date:
    """The first day of the reading month: a meter read since then counts as read this round."""
    return (today or local_today()).replace(day=1)


def readers() -> list:
    """The users who may enter readings (the choices for a route)."""
    from erp.auth import services as auth

    return [u for u in auth.search_users("", 1, 500).items if u.active and u.can("rates.read")]


@transactional
def assign(route_code: str, reader_id: int | None) -> RouteAssignment | None:
    """Give the route to a reader (replacing the one it had), or take it back with ``None``."""
    from erp.auth import services as auth

    if route_code not in customers_repo.routes():
        refuse(_("There is no route %(route)s.", route=route_code), "route_code")
    current = repo.assignment(route_code)
    if not reader_id:
        if current is not None:
            db.session.delete(current)
        tx.commit()
        return None
    try:
        reader = auth.get_user(reader_id)
    except LookupError:
        refuse(_("Choose a meter reader."), "reader_id")
    if not reader.active or not reader.can("rates.read"):
        refuse(_("%(name)s may not enter meter readings.", name=reader.name), "reader_id")
    if current is None:
        current = RouteAssignment(route_code=route_code)
        db.session.add(current)
    current.reader_id, current.reader_name = reader.id, reader.name
    current.assigned_by = audit.current_actor()[1]
    tx.commit()
    return current


def overview(reader_id: int | None = None) -> list[dict]:
    """Every route (or the reader's) with its reader and progress this round."""
    assigned = repo.assignments()
    done = repo.progress(round_start())
    rows = []
    for code in customers_repo.routes():
        item = assigned.get(code)
        if reader_id is not None and (item is None or item.reader_id != reader_id):
            continue
        read, total = done.get(code, (0, 0))
        rows.append({"code": code, "reader": item, "read": read, "total": total, "unread": total - read})
    return rows
