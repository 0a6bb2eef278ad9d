"""The budget's structure: projects (정책사업 → 단위사업 → 세부사업) and budget lines."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from erp.common import tx
from erp.common.tx import transactional
from erp.extensions import db
from erp.ports import PortError, get as port
from plugins.budget.models import Line, Project
from plugins.budget.repositories import budget as repo
from plugins.budget.services.common import refuse

LEVELS = ("policy", "unit", "detail")
PARENT_LEVEL = {"unit": "policy", "detail": "unit"}
_ITEM = re.compile(r"^\d{3}$")
_SUB = re.compile(r"^(\d{2})?$")


def _commit(message: str, field: str) -> None:
    try:
        tx.commit()
    except IntegrityError:
        tx.rollback()
        refuse(message, field)


@transactional
def add_project(year: int, level: str, code: str, name: str, parent_code: str = "", department_code: str = "") -> Project:
    """Add a programme, unit project or detail project (a detail project belongs to a department)."""
    if level not in LEVELS:
        refuse(_("Choose the level of the project."), "level")
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        refuse(_("A project needs a code and a name."), "code")
    parent = None
    if level != "policy":
        parent = repo.project_by_code(year, (parent_code or "").strip())
        if parent is None or parent.level != PARENT_LEVEL[level]:
            refuse(_("Choose the parent project one level up."), "parent_code")
    if level == "detail":
        from erp.auth.services import department_codes

        if department_code not in department_codes():
            refuse(_("A detail project belongs to a department: choose one."), "department_code")
    project = Project(year=year, level=level, code=code[:20], name=name[:120], parent=parent,
                      department_code=department_code if level == "detail" else "")
    db.session.add(project)
    _commit(_("A project with this code exists in %(year)d.", year=year), "code")
    return project


def _check_account(side: str, account_code: str) -> None:
    """Revenue lines post to revenue accounts; expenditure lines to expense or asset accounts."""
    try:
        balances = port("accounting").account_balances(2000, 1, [account_code])
    except PortError:
        return  # accounting not loaded here: checked when a payment is posted
    if not balances:
        refuse(_("There is no account %(code)s.", code=account_code), "account_code")
    wanted = ("revenue",) if side == "income" else ("expense", "asset")
    if balances[0].account_class not in wanted:
        refuse(_("Income lines take a revenue account; expenditure lines an expense or asset account."), "account_code")


@transactional
def add_line(year: int, *, part: str, side: str, item_code: str, sub_code: str, name: str, account_code: str,
             project_code: str = "") -> Line:
    """Add a budget line: an expenditure item (편성목 3 digits, 통계목 2 digits) of a detail
    project, or an income item, tied to the accounting account its actuals post to."""
    if part not in ("revenue", "capital"):
        refuse(_("Choose the revenue or the capital part."), "part")
    if side not in ("income", "expenditure"):
        refuse(_("Choose income or expenditure."), "side")
    if not _ITEM.match(item_code or "") or not _SUB.match(sub_code or ""):
        refuse(_("The item code has 3 digits and the sub-item code 2."), "item_code")
    project = None
    if side == "expenditure":
        project = repo.project_by_code(year, (project_code or "").strip())
        if project is None or project.level != "detail":
            refuse(_("An expenditure line belongs to a detail project."), "project_code")
    _check_account(side, account_code)
    prefix = "R" if part == "revenue" else "C"
    code = "-".join(filter(None, [prefix, "I" if side == "income" else "E", project.code if project else "", item_code, sub_code]))
    line = Line(year=year, code=code, part=part, side=side, project=project, item_code=item_code, sub_code=sub_code or "",
                name=(name or "").strip()[:120] or code, account_code=account_code)
    db.session.add(line)
    _commit(_("This line exists already."), "item_code")
    return line
