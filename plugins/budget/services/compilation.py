"""Compiling the budget: versions (본예산, then 추가경정예산 1st, 2nd …), the departments' requests
with their calculation bases, the budget office's adjustments, approval, and the comparison of a
version with the one before it."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import gettext as _

from erp.auth import scope
from erp.common import approvals, tx
from erp.common.clock import utcnow
from erp.common.tx import transactional
from plugins.budget.models import Amount, Basis, Line, Version
from plugins.budget.repositories import budget as repo
from plugins.budget.services.common import RESERVE_ITEM, actor, refuse, reserve_limit_percent, whole_won


@transactional
def open_version(year: int) -> Version:
    """Open the original budget of ``year``, or the next supplementary budget once the latest
    version is approved. A new supplementary budget starts from the figures in force."""
    versions = repo.versions(year)
    if versions and versions[-1].status != "approved":
        refuse(_("Version %(name)s is still being compiled.", name=version_name(versions[-1])))
    version = repo.add(Version(year=year, number=len(versions)))
    previous = repo.latest_approved(year)
    if previous is not None:
        old = repo.amounts(previous.id)
        for line_id, amount in old.items():
            repo.add(Amount(version_id=version.id, line_id=line_id, requested=amount.amount))
        for basis in repo.bases(previous.id):
            repo.add(Basis(version_id=version.id, line_id=basis.line_id, description=basis.description,
                           unit_price=basis.unit_price, quantity=basis.quantity, months=basis.months, amount=basis.amount))
    tx.commit()
    return version


def document_name() -> str:
    return _("budget request")


@transactional
def return_version(version_id: int, reason: str) -> Version:
    """반려: the approver sends a version being compiled back to the departments with the reason;
    they correct their requests and resubmit it."""
    version = _compiling(version_id)
    if version.is_returned:
        refuse(_("This budget request was returned already."))
    approvals.return_document(version, reason, name=document_name(), entity="budget_version", entity_id=version.id)
    tx.commit()
    return version


@transactional
def resubmit_version(version_id: int) -> Version:
    """Send a returned (and corrected) version back for approval."""
    version = _compiling(version_id)
    approvals.resubmit(version, name=document_name(), entity="budget_version", entity_id=version.id)
    tx.commit()
    return version


def version_name(version: Version) -> str:
    return _("Original budget") if version.number == 0 else _("Supplementary budget no. %(n)d", n=version.number)


def _compiling(version_id: int) -> Version:
    version = repo.version(version_id)
    if version is None:
        raise LookupError(version_id)
    if version.status != "compiling":
        refuse(_("%(name)s is approved: it cannot change any more.", name=version_name(version)))
    return version


def _amount_row(version: Version, line: Line) -> Amount:
    return repo.amount(version.id, line.id) or repo.add(Amount(version_id=version.id, line_id=line.id, requested=0))


def basis_amount(unit_price: Decimal, quantity: Decimal, months: int) -> int:
    """unit price × quantity × months, truncated to whole won."""
    return int((unit_price * quantity * months).to_integral_value(rounding=ROUND_FLOOR))


MAX_PRICE, MAX_QUANTITY = Decimal("1e12"), Decimal("1e10")  # the columns' NUMERIC(14,2) and (12,2)


def _decimal(text, field: str) -> Decimal:
    try:
        value = Decimal(str(text).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        refuse(_("Enter a number."), field)
    if not value.is_finite() or value < 0:
        refuse(_("Enter a number that is not negative."), field)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


ALL_DEPARTMENTS = "budget.all_departments"


def line_department(line: Line) -> str:
    """The department a line's requests belong to: its detail project's (none for a line outside
    the project structure, such as revenue: the budget office's alone)."""
    return line.project.department_code if line.project is not None else ""


def may_request(line: Line) -> bool:
    """Whether the official of this request may enter or withdraw requests of ``line``."""
    return scope.may_act_for(line_department(line), ALL_DEPARTMENTS)


def _require_own_line(line: Line) -> None:
    scope.require_department(line_department(line), ALL_DEPARTMENTS,
                             _("Line %(line)s belongs to another department (%(dept)s): only that department "
                               "enters or withdraws its requests.", line=line.code,
                               dept=line_department(line) or _("the budget office")), "line_id")


@transactional
def add_basis(version_id: int, line_id: int, description: str, unit_price, quantity, months: int) -> Basis:
    """A department's calculation-basis row; the line's request becomes the sum of its rows.
    Refused for a line of another department without the all-departments permission."""
    version = _compiling(version_id)
    line = repo.line(line_id)
    if line is None or line.year != version.year:
        refuse(_("There is no such budget line in this year."), "line_id")
    _require_own_line(line)
    if not (description or "").strip():
        refuse(_("Describe what the amount is for."), "description")
    price, qty = _decimal(unit_price, "unit_price"), _decimal(quantity, "quantity")
    if price >= MAX_PRICE or qty >= MAX_QUANTITY:
        refuse(_("The amount is too large."), "unit_price" if price >= MAX_PRICE else "quantity")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 12:
        refuse(_("Months are 1 to 12."), "months")
    amount = basis_amount(price, qty, months)
    if amount > 10**15:
        refuse(_("The amount is too large."), "unit_price")
    basis = repo.add(Basis(version_id=version.id, line_id=line.id, description=description.strip()[:200],
                           unit_price=price, quantity=qty, months=months, amount=amount, created_by=actor()))
    _refresh_request(version, line)
    tx.commit()
    return basis


@transactional
def delete_basis(basis_id: int) -> None:
    basis = repo.basis(basis_id)
    if basis is None:
        raise LookupError(basis_id)
    version = _compiling(basis.version_id)
    line = repo.line(basis.line_id)
    _require_own_line(line)
    repo.delete(basis)
    _refresh_request(version, line)
    tx.commit()


def _refresh_request(version: Version, line: Line) -> None:
    row = _amount_row(version, line)
    row.requested = sum(b.amount for b in repo.bases(version.id, line.id))


@transactional
def adjust(version_id: int, line_id: int, amount: int | None, note: str = "") -> Amount:
    """The budget office's figure for a line (None returns to the department's request); both
    figures are kept."""
    version = _compiling(version_id)
    line = repo.line(line_id)
    if line is None or line.year != version.year:
        refuse(_("There is no such budget line in this year."), "line_id")
    if amount is not None:
        whole_won(amount, "adjusted", _("Amounts are whole won, not negative."))
    row = _amount_row(version, line)
    row.adjusted = amount
    row.note = (note or "").strip()[:300]
    tx.commit()
    return row


@transactional
def approve(version_id: int) -> Version:
    """Approve a version: its figures become the lines' budgets. Refused to an official who entered
    any of its requests, while it is returned, while a line would fall below what is already
    committed, or when the contingency reserve exceeds its limit."""
    version = _compiling(version_id)
    approvals.check_approver(document_name(), {b.created_by for b in repo.bases(version.id) if b.created_by})
    approvals.check_not_returned(version, document_name())
    amounts = repo.amounts(version.id)
    lines = repo.lines(version.year)
    expenditure = sum(amounts[l.id].amount for l in lines if l.side == "expenditure" and l.id in amounts)
    reserve = sum(amounts[l.id].amount for l in lines if l.item_code == RESERVE_ITEM and l.id in amounts)
    limit = int(expenditure * reserve_limit_percent() / 100)
    if reserve > limit:
        refuse(_("The contingency reserve (%(reserve)s) exceeds %(percent)s%% of the expenditure (%(limit)s).",
                 reserve=f"{reserve:,}", percent=f"{reserve_limit_percent():g}", limit=f"{limit:,}"))
    version.status, version.approved_at, version.approved_by = "approved", utcnow(), actor()
    for line in lines:
        recalculate(line, amounts.get(line.id).amount if line.id in amounts else 0)
        if line.current_amount < line.committed:
            refuse(_("%(line)s: the new budget %(amount)s is below what is committed (%(committed)s).",
                     line=line.code, amount=f"{line.current_amount:,}", committed=f"{line.committed:,}"))
    tx.commit()
    return version


def recalculate(line: Line, approved: int | None = None) -> None:
    """A line's current budget: the approved figure, plus transfers in, minus transfers out, plus
    carry-over into it."""
    if approved is None:
        latest = repo.latest_approved(line.year)
        row = repo.amount(latest.id, line.id) if latest else None
        approved = row.amount if row else 0
    line.current_amount = approved + repo.net_transfers(line.id) + line.carried_in


@dataclass
class ComparisonRow:
    line: Line
    before: int
    change: int
    after: int
    requested: int
    adjusted: int | None


def comparison(version_id: int) -> list[ComparisonRow]:
    """Each line before (the previous approved version), the change, and after (this version)."""
    version = repo.version(version_id)
    if version is None:
        raise LookupError(version_id)
    previous = repo.latest_approved(version.year, before_number=version.number)
    old = repo.amounts(previous.id) if previous else {}
    new = repo.amounts(version.id)
    rows = []
    for line in repo.lines(version.year):
        before = old[line.id].amount if line.id in old else 0
        after = new[line.id].amount if line.id in new else 0
        row = new.get(line.id)
        rows.append(ComparisonRow(line, before, after - before, after, row.requested if row else 0,
                                  row.adjusted if row else None))
    return rows
