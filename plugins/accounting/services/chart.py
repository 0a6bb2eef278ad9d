"""The chart of accounts: loading the standard chart, and the rules of a valid account."""
from __future__ import annotations

import csv
import re
from pathlib import Path

from flask_babel import gettext as _

from erp.common import tx
from erp.common.errors import ServiceError
from erp.common.tx import transactional
from plugins.accounting.models import CLASSES, SIDES, Account
from plugins.accounting.repositories import accounts as account_repo

STANDARD_CHART = Path(__file__).resolve().parent.parent / "seed" / "accounts.csv"
_CLASS_ORDER = {name: str(i) for i, name in enumerate(CLASSES, start=1)}
_CODE = re.compile(r"^[A-Za-z0-9\-]{1,20}$")


_DIGITS = re.compile(r"\d+")
SORT_KEY_LENGTH = 60  # the column's width


def sort_key(code: str, account_class: str, parent_key: str | None = None) -> str:
    """The account's place in code order, parents before children: the parent's key, then the
    code with its numbers zero-padded so that 752 < 5100 and 611 < 611-01 < 612 (as officials
    read codes, not as strings compare). Class first at the root (assets … expenses). The
    separator '!' sorts before every code character, so an account's subtree follows it."""
    segment = _DIGITS.sub(lambda digits: digits.group().zfill(5), code)
    return f"{parent_key}!{segment}" if parent_key else f"{_CLASS_ORDER[account_class]}:{segment}"


@transactional
def load_standard_chart(path: Path = STANDARD_CHART) -> int:
    """Add the accounts of the standard chart that are missing (existing ones are left as the
    chief accountant edited them); returns how many were added."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    existing = {a.code: a for a in account_repo.all_ordered()}
    added = 0
    for row in rows:
        code = row["code"].strip()
        if code in existing:
            continue
        if row["class"] not in CLASSES or row["normal_side"] not in SIDES:
            raise ServiceError(f"accounts.csv: bad class or side on {code}")
        parent = existing.get(row["parent_code"].strip()) if row["parent_code"].strip() else None
        account = Account(code=code, name=row["name_ko"].strip(), name_en=row["name_en"].strip(),
                          account_class=row["class"], normal_side=row["normal_side"],
                          sort_key=sort_key(code, row["class"], parent.sort_key if parent else None))
        account.parent = parent
        existing[code] = account_repo.add(account)
        added += 1
    parents = {a.parent_id for a in existing.values() if a.parent_id}
    for account in existing.values():
        account.postable = account.id not in parents
    tx.commit()
    return added


def chart() -> list[Account]:
    return account_repo.all_ordered()


def postable_accounts() -> list[Account]:
    return account_repo.postable_choices()


@transactional
def set_active(code: str, active: bool) -> Account:
    """Take an account out of use (history stays) or back into use."""
    account = account_repo.by_code(code)
    if account is None:
        raise ServiceError(_("There is no account %(code)s.", code=code), {"": [_("There is no account %(code)s.", code=code)]})
    account.active = active
    tx.commit()
    return account


def setup() -> str:
    """The plugin's reference data: the standard chart of accounts."""
    return f"{load_standard_chart()} account(s) added to the chart"


@transactional
def add_account(code: str, name: str, name_en: str, parent_code: str) -> Account:
    """Add a sub-account under ``parent_code``; it takes the parent's class and normal side. A
    parent that already has postings cannot get sub-accounts (its balance would be stranded)."""
    code, name = (code or "").strip(), (name or "").strip()
    if not _CODE.match(code):
        raise ServiceError(_("Account codes are 1–20 letters, digits or '-'."), {"code": [_("Account codes are 1–20 letters, digits or '-'.")]})
    if not name:
        raise ServiceError(_("Name the account."), {"name": [_("Name the account.")]})
    if account_repo.by_code(code) is not None:
        raise ServiceError(_("An account with this code exists."), {"code": [_("An account with this code exists.")]})
    parent = account_repo.by_code((parent_code or "").strip())
    if parent is None:
        raise ServiceError(_("There is no account %(code)s.", code=parent_code), {"parent_code": [_("There is no account %(code)s.", code=parent_code)]})
    if parent.postable and account_repo.has_postings(parent.id):
        raise ServiceError(_("%(code)s has postings; add the new account beside it, not under it.", code=parent.code),
                           {"parent_code": [_("%(code)s has postings; add the new account beside it, not under it.", code=parent.code)]})
    key = sort_key(code, parent.account_class, parent.sort_key)
    if len(key) > SORT_KEY_LENGTH:
        raise ServiceError(_("The chart is nested too deep under %(code)s for another level.", code=parent.code),
                           {"parent_code": [_("The chart is nested too deep under %(code)s for another level.", code=parent.code)]})
    account = Account(code=code, name=name[:100], name_en=(name_en or "").strip()[:150], account_class=parent.account_class,
                      normal_side=parent.normal_side, parent=parent, postable=True, sort_key=key)
    account_repo.add(account)
    parent.postable = False
    tx.commit()
    return account
