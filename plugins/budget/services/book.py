"""The budget book (예산서) of a version, in statutory order (지방공기업법 시행령 §19②): the revenue
part (수익적) before the capital part (자본적), income (수입) before expenditure (지출) within each;
expenditure by programme → unit project → detail project → item (목-통계목), each heading with
its sum. Every line carries its calculation basis (산출기초) so that the basis rows add up to the
line's amount: where the budget office adjusted a line away from the department's bases, the
difference is shown as the office's adjustment. A supplementary budget (추가경정예산) shows the
amount in force before it (기정액) and the change (증감) beside the new amount."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _

from erp.i18n import N_

from plugins.budget.models import Line, Project
from plugins.budget.repositories import budget as repo
from plugins.budget.services.compilation import version_name


@dataclass
class BookRow:
    """One row of the book. ``kind``: part (수익적 수입 …), policy, unit, detail, line, basis or
    total; amounts in won (None on basis rows)."""

    kind: str
    label: str
    amount: int | None = None
    before: int | None = None
    change: int | None = None
    basis: str = ""
    basis_amount: int | None = None  # what the basis printed on this row adds to its line


@dataclass
class BudgetBook:
    year: int
    name: str
    supplementary: bool
    rows: list[BookRow] = field(default_factory=list)

    @property
    def title(self) -> str:
        return _("Budget book %(year)d — %(name)s", year=self.year, name=self.name)


def _number(value: Decimal) -> str:
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") else text.rstrip("0")


def basis_text(description: str, unit_price: Decimal, quantity: Decimal, months: int, amount: int) -> str:
    """"전기요금 99,166,666원 × 1 × 12월 = 1,190,000,000원" — the arithmetic as printed."""
    return _("%(what)s: %(price)s won × %(quantity)s × %(months)d months = %(amount)s won", what=description,
             price=_number(unit_price), quantity=_number(quantity), months=months, amount=f"{amount:,}")


def _line_label(line: Line) -> str:
    item = f"{line.item_code}-{line.sub_code}" if line.sub_code else line.item_code
    return f"{item} {line.name}"


def _project_label(project: Project) -> str:
    return f"{project.code} {project.name}"


PARTS = (("revenue", "income", N_("Revenue part: income")), ("revenue", "expenditure", N_("Revenue part: expenditure")),
         ("capital", "income", N_("Capital part: income")), ("capital", "expenditure", N_("Capital part: expenditure")))


def budget_book(version_id: int) -> BudgetBook:
    """The book of ``version_id`` (LookupError when there is none)."""
    version = repo.version(version_id)
    if version is None:
        raise LookupError(version_id)
    supplementary = version.number > 0
    previous = repo.latest_approved(version.year, before_number=version.number) if supplementary else None
    before = {line_id: a.amount for line_id, a in repo.amounts(previous.id).items()} if previous else {}
    amounts = {line_id: a.amount for line_id, a in repo.amounts(version.id).items()}
    bases: dict[int, list] = {}
    for basis in repo.bases(version.id):
        bases.setdefault(basis.line_id, []).append(basis)
    lines = repo.lines(version.year, side=None)
    projects = {p.id: p for p in repo.projects(version.year)}
    book = BudgetBook(version.year, version_name(version), supplementary)

    def figures(members: list[Line]) -> dict:
        amount = sum(amounts.get(line.id, 0) for line in members)
        if not supplementary:
            return {"amount": amount}
        old = sum(before.get(line.id, 0) for line in members)
        return {"amount": amount, "before": old, "change": amount - old}

    def chain(line: Line) -> list[Project]:
        found, project = [], projects.get(line.project_id)
        while project is not None:
            found.insert(0, project)
            project = projects.get(project.parent_id) if project.parent_id else None
        return found

    for part, side, label in PARTS:
        members = [line for line in lines if line.part == part and line.side == side]
        if not members:
            continue
        book.rows.append(BookRow("part", _(label), **figures(members)))
        shown: set[int] = set()
        for line in members:
            for project in chain(line):
                if project.id in shown:
                    continue
                shown.add(project.id)
                under = [m for m in members if project in chain(m)]
                book.rows.append(BookRow(project.level, _project_label(project), **figures(under)))
            basis_rows = _basis_rows(line, amounts.get(line.id, 0), bases.get(line.id, []))
            first = basis_rows.pop(0) if basis_rows else None
            # The first basis stands on the line's own row, the others below it.
            book.rows.append(BookRow("line", _line_label(line), **figures([line]), basis=first.basis if first else "",
                                     basis_amount=first.basis_amount if first else None))
            book.rows.extend(basis_rows)
    return book


def _basis_rows(line: Line, amount: int, rows: list) -> list[BookRow]:
    shown = [BookRow("basis", "", basis=basis_text(b.description, b.unit_price, b.quantity, b.months, b.amount),
                     basis_amount=b.amount) for b in rows]
    difference = amount - sum(b.amount for b in rows)
    if difference:
        # The office adjusted the department's request: the book shows by how much, so that the
        # basis rows add up to the line's amount.
        shown.append(BookRow("basis", "", basis=_("Adjusted by the budget office: %(amount)s won",
                                                  amount=f"{difference:+,}"), basis_amount=difference))
    return shown
