"""Queries over the budget structure, versions, transfers, execution and the outbox."""
from __future__ import annotations

import re

import sqlalchemy as sa

from erp.extensions import db
from plugins.budget.models import (Amount, Basis, CarryOver, Commitment, Growth, Line, Outbox, Project, Transfer,
                                   Version, YearEnd)


def add(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


# Statutory order of the budget book (시행령 §19②): the revenue part (수익적) before the capital part
# (자본적), income (수입) before expenditure (지출) within each.
PART_ORDER = {"revenue": 0, "capital": 1}
SIDE_ORDER = {"income": 0, "expenditure": 1}
_DIGITS = re.compile(r"\d+")


def _natural(code: str) -> str:
    return _DIGITS.sub(lambda digits: digits.group().zfill(6), code or "")


def _project_paths(projects_of_year: list[Project]) -> dict[int, tuple[str, ...]]:
    """Each project's codes from its programme down: sorting by them puts a programme before its
    unit projects and each unit project before its detail projects."""
    by_id = {p.id: p for p in projects_of_year}
    paths: dict[int, tuple[str, ...]] = {}

    def path(project: Project) -> tuple[str, ...]:
        if project.id not in paths:
            parent = by_id.get(project.parent_id) if project.parent_id else None
            paths[project.id] = (path(parent) if parent is not None else ()) + (_natural(project.code),)
        return paths[project.id]

    for project in projects_of_year:
        path(project)
    return paths


def projects(year: int) -> list[Project]:
    """The year's projects in structure order: programme, its unit projects, their detail projects."""
    found = list(db.session.execute(sa.select(Project).where(Project.year == year)).scalars())
    paths = _project_paths(found)
    return sorted(found, key=lambda p: paths[p.id])


def project_by_code(year: int, code: str) -> Project | None:
    return db.session.execute(sa.select(Project).where(Project.year == year, Project.code == code)).scalar_one_or_none()


def lines(year: int, *, side: str | None = None, department: str | None = None) -> list[Line]:
    """The year's budget lines in the budget book's order: revenue part before capital part,
    income before expenditure, then by project (programme → unit → detail) and item code."""
    query = sa.select(Line).where(Line.year == year)
    if side:
        query = query.where(Line.side == side)
    if department:
        query = query.join(Project, Project.id == Line.project_id).where(Project.department_code == department)
    found = list(db.session.execute(query).scalars())
    paths = _project_paths(projects(year)) if any(line.project_id for line in found) else {}
    return sorted(found, key=lambda line: (PART_ORDER.get(line.part, 9), SIDE_ORDER.get(line.side, 9),
                                           paths.get(line.project_id, ()), _natural(line.item_code),
                                           _natural(line.sub_code), line.code))


def line(line_id: int) -> Line | None:
    return db.session.get(Line, line_id)


def line_by_code(year: int, code: str) -> Line | None:
    return db.session.execute(sa.select(Line).where(Line.year == year, Line.code == code)).scalar_one_or_none()


def versions(year: int) -> list[Version]:
    return list(db.session.execute(sa.select(Version).where(Version.year == year).order_by(Version.number)).scalars())


def version(version_id: int) -> Version | None:
    return db.session.get(Version, version_id)


def latest_approved(year: int, before_number: int | None = None) -> Version | None:
    query = sa.select(Version).where(Version.year == year, Version.status == "approved")
    if before_number is not None:
        query = query.where(Version.number < before_number)
    return db.session.execute(query.order_by(Version.number.desc()).limit(1)).scalar_one_or_none()


def amounts(version_id: int) -> dict[int, Amount]:
    return {a.line_id: a for a in db.session.execute(sa.select(Amount).where(Amount.version_id == version_id)).scalars()}


def amount(version_id: int, line_id: int) -> Amount | None:
    return db.session.get(Amount, (version_id, line_id))


def bases(version_id: int, line_id: int | None = None) -> list[Basis]:
    query = sa.select(Basis).where(Basis.version_id == version_id).order_by(Basis.line_id, Basis.id)
    if line_id is not None:
        query = query.where(Basis.line_id == line_id)
    return list(db.session.execute(query).scalars())


def basis(basis_id: int) -> Basis | None:
    return db.session.get(Basis, basis_id)


def delete(obj) -> None:
    db.session.delete(obj)
    db.session.flush()


def transfers(year: int) -> list[Transfer]:
    return list(db.session.execute(sa.select(Transfer).where(Transfer.year == year).order_by(Transfer.id.desc())).scalars())


def transfer(transfer_id: int, *, lock: bool = False) -> Transfer | None:
    query = sa.select(Transfer).where(Transfer.id == transfer_id)
    return db.session.execute(query.with_for_update() if lock else query).scalar_one_or_none()


def net_transfers(line_id: int) -> int:
    """Approved transfers into the line minus those out of it."""
    incoming = sa.select(sa.func.coalesce(sa.func.sum(Transfer.amount), 0)).where(
        Transfer.to_line_id == line_id, Transfer.status == "approved")
    outgoing = sa.select(sa.func.coalesce(sa.func.sum(Transfer.amount), 0)).where(
        Transfer.from_line_id == line_id, Transfer.status == "approved")
    return int(db.session.execute(incoming).scalar_one()) - int(db.session.execute(outgoing).scalar_one())


def reserve_amount(line_id: int, amount: int) -> bool:
    """Add ``amount`` to the line's commitments if it stays within the current budget and the
    line's year is not closed: one conditional UPDATE, which holds the line's row lock on MariaDB
    until the transaction ends."""
    table = Line.__table__
    closed = sa.select(YearEnd.year).where(YearEnd.year == table.c.year).exists()
    result = db.session.execute(
        table.update()
        .where(table.c.id == line_id, table.c.committed + amount <= table.c.current_amount, ~closed)
        .values(committed=table.c.committed + amount)
    )
    return result.rowcount == 1


def release_amount(line_id: int, amount: int) -> None:
    table = Line.__table__
    db.session.execute(table.update().where(table.c.id == line_id).values(committed=table.c.committed - amount))


def add_paid(line_id: int, amount: int) -> None:
    table = Line.__table__
    db.session.execute(table.update().where(table.c.id == line_id).values(paid=table.c.paid + amount))


def _commitments_query(year: int, line_id: int | None, status: str | None):
    query = (sa.select(Commitment).join(Line, Line.id == Commitment.line_id).where(Line.year == year)
             .order_by(Commitment.id.desc()))
    if line_id:
        query = query.where(Commitment.line_id == line_id)
    if status:
        query = query.where(Commitment.status == status)
    return query


def commitments(year: int, *, line_id: int | None = None, status: str | None = None, page: int = 1, per_page: int = 50):
    return db.paginate(_commitments_query(year, line_id, status), page=page, per_page=per_page, error_out=False)


def all_commitments(year: int, *, status: str | None = None, limit: int = 50_000) -> list[Commitment]:
    """Every commitment of the year (with a status), newest first, for an export."""
    return list(db.session.scalars(_commitments_query(year, None, status).limit(limit)))


def commitments_awaiting(year: int | None = None) -> list[Commitment]:
    """Commitments or resolutions waiting for approval and not returned, oldest first."""
    query = sa.select(Commitment).where(
        Commitment.return_reason == "",
        sa.or_(sa.and_(Commitment.status == "committed", Commitment.approved_by == ""),
               sa.and_(Commitment.status == "resolved", Commitment.resolution_approved_by == ""))
    ).order_by(Commitment.id)
    if year is not None:
        query = query.join(Line, Line.id == Commitment.line_id).where(Line.year == year)
    return list(db.session.scalars(query))


def commitment(commitment_id: int, *, lock: bool = False) -> Commitment | None:
    query = sa.select(Commitment).where(Commitment.id == commitment_id)
    return db.session.execute(query.with_for_update() if lock else query).scalar_one_or_none()


def unpaid_commitments(year: int) -> list[Commitment]:
    query = (sa.select(Commitment).join(Line, Line.id == Commitment.line_id)
             .where(Line.year == year, Commitment.status.in_(("committed", "resolved"))))
    return list(db.session.execute(query).scalars())


def outbox_by_key(key: str) -> Outbox | None:
    return db.session.execute(sa.select(Outbox).where(Outbox.key == key)).scalar_one_or_none()


def carryovers(year: int) -> list[CarryOver]:
    return list(db.session.execute(sa.select(CarryOver).where(CarryOver.year == year).order_by(CarryOver.id)).scalars())


def year_end(year: int) -> YearEnd | None:
    return db.session.get(YearEnd, year)


def year_closed_now(year: int) -> bool:
    """Whether the year is closed as last committed, not as this transaction first saw it (a
    locking read on MariaDB): why a commitment was just refused."""
    return db.session.execute(sa.select(YearEnd.year).where(YearEnd.year == year)
                              .with_for_update(read=True)).first() is not None


def current_line(line: Line) -> Line:
    """The line re-read as last committed (a locking read on MariaDB), for a refusal's figures."""
    db.session.refresh(line, with_for_update={"read": True})
    return line


def growth(base_year: int) -> list[Growth]:
    return list(db.session.execute(sa.select(Growth).where(Growth.base_year == base_year).order_by(Growth.scope)).scalars())
