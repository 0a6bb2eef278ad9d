"""Year end: carry-overs into next year's lines (명시이월 approved in advance; 사고이월 for what is
committed but unpaid), and the amounts that lapse."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from erp.common import tx
from erp.common.tx import transactional
from erp.extensions import db
from plugins.budget.models import CarryOver, Line, Project, YearEnd
from plugins.budget.repositories import budget as repo
from plugins.budget.services.common import actor, refuse, whole_won
from plugins.budget.services.compilation import recalculate


@transactional
def request_explicit(line_id: int, amount: int, reason: str) -> CarryOver:
    """명시이월: ask in advance to carry part of a line's budget into next year."""
    line = repo.line(line_id)
    if line is None or line.side != "expenditure":
        refuse(_("Choose an expenditure line."), "line_id")
    whole_won(amount, "amount", _("Amounts are whole won, not negative."))
    if amount == 0 or amount > line.available:
        refuse(_("Only %(available)s won of %(line)s is free to carry over.", available=f"{line.available:,}", line=line.code), "amount")
    if not (reason or "").strip():
        refuse(_("Give the reason for the carry-over."), "reason")
    if repo.year_end(line.year):
        refuse(_("The budget year %(year)d is closed.", year=line.year))
    carry = repo.add(CarryOver(year=line.year, line_id=line.id, kind="explicit", amount=amount, reason=reason.strip()[:300]))
    tx.commit()
    return carry


@transactional
def approve_explicit(carry_id: int) -> CarryOver:
    carry = db.session.get(CarryOver, carry_id)
    if carry is None:
        raise LookupError(carry_id)
    if carry.status != "requested":
        refuse(_("This carry-over was decided already."))
    carry.status = "approved"
    tx.commit()
    return carry


def _twin_project(project: Project | None, year: int) -> Project | None:
    """The same project in ``year`` (created with its parents when missing)."""
    if project is None:
        return None
    twin = repo.project_by_code(year, project.code)
    if twin is None:
        twin = repo.add(Project(year=year, level=project.level, code=project.code, name=project.name,
                                parent=_twin_project(project.parent, year), department_code=project.department_code))
    return twin


def _twin_line(line: Line) -> Line:
    twin = repo.line_by_code(line.year + 1, line.code)
    if twin is None:
        twin = repo.add(Line(year=line.year + 1, code=line.code, part=line.part, side=line.side,
                             project=_twin_project(line.project, line.year + 1), item_code=line.item_code,
                             sub_code=line.sub_code, name=line.name, account_code=line.account_code, carried_from_id=line.id))
    return twin


@transactional
def process(year: int) -> YearEnd:
    """Carry the approved 명시이월 and every unpaid commitment (사고이월) into next year's lines,
    and close the budget year. Running it again is refused: it has happened."""
    if repo.year_end(year) is not None:
        refuse(_("The year end of %(year)d was processed already.", year=year))
    for carry in repo.carryovers(year):
        if carry.kind == "explicit" and carry.status == "approved":
            target = _twin_line(carry.line)
            target.carried_in += carry.amount
            carry.status, carry.target_line_id = "carried", target.id
            db.session.flush()
            recalculate(target)
    by_line: dict[int, list] = {}
    for commitment in repo.unpaid_commitments(year):
        by_line.setdefault(commitment.line_id, []).append(commitment)
    for line_id, commitments in by_line.items():
        line = repo.line(line_id)
        amount = sum(c.amount for c in commitments)
        target = _twin_line(line)
        repo.add(CarryOver(year=year, line_id=line.id, kind="accident", amount=amount, status="carried",
                           target_line_id=target.id, reason=_("Committed, unpaid at year end")))
        target.carried_in += amount
        db.session.flush()
        recalculate(target)
        for commitment in commitments:  # the commitments continue on next year's line
            commitment.line_id = target.id
        line.committed -= amount
        target.committed += amount
    end = repo.add(YearEnd(year=year, processed_by=actor()))
    tx.commit()
    return end


@dataclass
class LapseRow:
    line: Line
    budget: int
    paid: int
    explicit: int
    accident: int

    @property
    def lapsed(self) -> int:
        return self.budget - self.paid - self.explicit - self.accident


def lapse_report(year: int) -> list[LapseRow]:
    """Per expenditure line: budget, paid, carried over (both kinds) and what lapsed (불용액)."""
    carried: dict[tuple[int, str], int] = {}
    for carry in repo.carryovers(year):
        if carry.status in ("approved", "carried"):
            carried[(carry.line_id, carry.kind)] = carried.get((carry.line_id, carry.kind), 0) + carry.amount
    processed = repo.year_end(year) is not None
    rows = []
    for line in repo.lines(year, side="expenditure"):
        accident = carried.get((line.id, "accident"), 0) if processed else line.committed - line.paid
        rows.append(LapseRow(line, line.current_amount, line.paid, carried.get((line.id, "explicit"), 0), accident))
    return rows
