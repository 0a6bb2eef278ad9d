"""Fixed assets: registering, the monthly depreciation run, disposal."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from erp.audit import services as audit
from erp.common import docnumbers, tx
from erp.common.errors import refuse
from erp.common.tx import transactional
from erp.extensions import db
from erp.i18n import N_
from plugins.accounting.models import Depreciation, DepreciationRun, FixedAsset, JournalEntry, JournalLine
from plugins.accounting.repositories import accounts as account_repo
from plugins.accounting.repositories import assets as asset_repo
from plugins.accounting.services import journal
from plugins.accounting.services.depreciation import METHODS, AssetTerms, accumulated_to, monthly_amount

# category -> (label, asset account, accumulated depreciation account)
CATEGORIES = {
    "building": (N_("Buildings"), "1224", "1225"),
    "structure": (N_("Structures (mains, reservoirs)"), "1226", "1227"),
    "machinery": (N_("Machinery (pumps, treatment plant)"), "1228", "1229"),
    "vehicle": (N_("Vehicles"), "1230", "1231"),
    "tools": (N_("Tools and fixtures"), "1232", "1233"),
    "meters": (N_("Service pipes, valves and meters"), "1234", "1235"),
}
DEPRECIATION_EXPENSE = "5216"
GAIN_ON_DISPOSAL, LOSS_ON_DISPOSAL = "674", "772"
CASH = "1111"



def terms(asset: FixedAsset) -> AssetTerms:
    return AssetTerms(asset.acquired_on, asset.cost, asset.residual_value, asset.useful_life_years, asset.method)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class AssetInput:
    name: str
    category: str
    acquired_on: date
    cost: int
    useful_life_years: int
    method: str = "straight_line"
    residual_value: int = 0
    department_code: str = ""
    paid_from: str = ""  # an account to credit for the acquisition ("1111", "2111"), or "" when already booked


@transactional
def register(data: AssetInput) -> FixedAsset:
    """Register an asset; with ``paid_from`` its acquisition is posted too."""
    if data.category not in CATEGORIES:
        refuse(_("Choose a category."), "category")
    if data.method not in METHODS:
        refuse(_("Choose straight-line or declining balance."), "method")
    for value, field in ((data.cost, "cost"), (data.residual_value, "residual_value")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            refuse(_("Amounts are whole won, not negative."), field)
    if data.cost <= 0:
        refuse(_("The acquisition cost must be more than zero."), "cost")
    if data.residual_value >= data.cost:
        refuse(_("The residual value must be less than the cost."), "residual_value")
    if not isinstance(data.useful_life_years, int) or not 1 <= data.useful_life_years <= 100:
        refuse(_("The useful life is 1 to 100 years."), "useful_life_years")
    if not (data.name or "").strip():
        refuse(_("Name the asset."), "name")
    asset = FixedAsset(number=docnumbers.next_number("FA", data.acquired_on.year), name=data.name.strip()[:120],
                       category=data.category, acquired_on=data.acquired_on, cost=data.cost,
                       residual_value=data.residual_value, useful_life_years=data.useful_life_years,
                       method=data.method, department_code=(data.department_code or "")[:20])
    asset_repo.add(asset)
    if data.paid_from:
        label, asset_account, _acc = CATEGORIES[data.category]
        lines = [journal.PostingLine(asset_account, debit=data.cost, memo=asset.name),
                 journal.PostingLine(data.paid_from, credit=data.cost, memo=asset.name)]
        checked = journal.check_posting(data.acquired_on, lines)
        entry = JournalEntry(entry_date=data.acquired_on, memo=f"{asset.number} {asset.name} 취득"[:300], status="draft",
                             source=f"accounting:asset:{asset.number}", created_by=audit.current_actor()[1])
        journal.build_lines(entry, checked)
        journal.post_system_entry(entry)
        asset.acquisition_entry_id = entry.id
    tx.commit()
    return asset


@dataclass
class RunResult:
    year: int
    month: int
    created: bool
    total: int
    assets: int
    entry_number: str


@transactional
def run_month(year: int, month: int) -> RunResult:
    """Post one depreciation entry for the month (debit depreciation, credit each category's
    accumulated depreciation). Running a month again posts nothing new."""
    if not 1 <= month <= 12 or not 1900 < year < 2200:
        refuse(_("There is no such month."))
    existing = asset_repo.run(year, month)
    if existing is not None:
        return _run_result(existing, created=False)
    journal.check_date_open(_month_end(year, month))
    month_end = _month_end(year, month)
    amounts: list[tuple[FixedAsset, int]] = []
    for asset in asset_repo.in_use_on(month_end):
        amount = monthly_amount(terms(asset), year, month)
        if amount > 0:
            amounts.append((asset, amount))
    run = DepreciationRun(year=year, month=month, run_by=audit.current_actor()[1],
                          total=sum(a for _, a in amounts), assets=len(amounts))
    try:
        asset_repo.add(run)  # the primary key makes a concurrent second run wait here, then fail
    except IntegrityError:
        tx.rollback()
        return _run_result(asset_repo.run(year, month), created=False)
    if amounts:
        by_account: dict[str, int] = {}
        for asset, amount in amounts:
            account = CATEGORIES[asset.category][2]
            by_account[account] = by_account.get(account, 0) + amount
        lines = [JournalLine(account=account_repo.by_code(DEPRECIATION_EXPENSE), debit=run.total, credit=0,
                             memo=f"{year}-{month:02d} 감가상각비")]
        lines += [JournalLine(account=account_repo.by_code(code), debit=0, credit=amount, memo="감가상각누계액")
                  for code, amount in sorted(by_account.items())]
        entry = journal.post_system_lines(month_end, f"{year}년 {month}월 감가상각", lines,
                                          source=f"accounting:depreciation:{year}-{month:02d}")
        run.entry_id = entry.id
        for asset, amount in amounts:
            db.session.add(Depreciation(asset_id=asset.id, year=year, month=month, amount=amount, entry_id=entry.id))
    tx.commit()
    return _run_result(run, created=True)


def _run_result(run: DepreciationRun, created: bool) -> RunResult:
    number = ""
    if run.entry_id:
        number = db.session.get(JournalEntry, run.entry_id).number
    return RunResult(run.year, run.month, created, run.total, run.assets, number)


@transactional
def dispose(asset_id: int, on: date, proceeds: int) -> FixedAsset:
    """Take an asset out of the books: remove its cost and accumulated depreciation, book the
    proceeds, and post the gain or loss."""
    asset = asset_repo.get(asset_id, lock=True)
    if asset is None:
        raise LookupError(asset_id)
    if asset.status == "disposed":
        refuse(_("%(number)s was disposed of already.", number=asset.number))
    if isinstance(proceeds, bool) or not isinstance(proceeds, int) or proceeds < 0:
        refuse(_("Amounts are whole won, not negative."), "proceeds")
    if on < asset.acquired_on:
        refuse(_("An asset cannot be disposed of before it was acquired."), "disposed_on")
    accumulated = asset_repo.recorded_total(asset.id)
    book_value = asset.cost - accumulated
    _label, asset_account, accumulated_account = CATEGORIES[asset.category]
    lines = []
    if proceeds:
        lines.append(journal.PostingLine(CASH, debit=proceeds, memo=_("Proceeds")))
    if accumulated:
        lines.append(journal.PostingLine(accumulated_account, debit=accumulated, memo=_("Accumulated depreciation")))
    lines.append(journal.PostingLine(asset_account, credit=asset.cost, memo=asset.name))
    difference = proceeds - book_value
    if difference > 0:
        lines.append(journal.PostingLine(GAIN_ON_DISPOSAL, credit=difference, memo=_("Gain on disposal")))
    elif difference < 0:
        lines.append(journal.PostingLine(LOSS_ON_DISPOSAL, debit=-difference, memo=_("Loss on disposal")))
    checked = journal.check_posting(on, lines)
    entry = JournalEntry(entry_date=on, memo=f"{asset.number} {asset.name} 처분"[:300], status="draft",
                         source=f"accounting:asset:{asset.number}", created_by=audit.current_actor()[1])
    journal.build_lines(entry, checked)
    journal.post_system_entry(entry)
    asset.status, asset.disposed_on, asset.disposal_proceeds, asset.disposal_entry_id = "disposed", on, proceeds, entry.id
    tx.commit()
    return asset


@dataclass
class RegisterRow:
    asset: FixedAsset
    accumulated: int
    book_value: int


def register_rows() -> list[RegisterRow]:
    """The asset register: cost, depreciation recorded so far, book value."""
    recorded = asset_repo.recorded_totals()
    rows = []
    for asset in asset_repo.all_assets():
        accumulated = recorded.get(asset.id, 0)
        rows.append(RegisterRow(asset, accumulated, 0 if asset.status == "disposed" else asset.cost - accumulated))
    return rows


def expected_accumulated(asset: FixedAsset, year: int, month: int) -> int:
    return accumulated_to(terms(asset), year, month)
