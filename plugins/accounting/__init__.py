"""Double-entry books, fixed assets, closing and financial statements"""
from flask_babel import lazy_gettext as _l

from erp.plugins import Manifest, Permission

manifest = Manifest(
    name="accounting",
    version="0.1.0",
    label=_l("Accounting"),
    summary=_l("Double-entry books, fixed assets, closing and financial statements"),
    depends=(),
    provides=("ledger", "financial-statements"),
    permissions=(
        Permission("accounting.view", _l("View the books and financial statements"), roles=("accountant", "chief_accountant", "budget_officer", "auditor")),
        Permission("accounting.entry", _l("Draft journal entries"), roles=("accountant", "chief_accountant")),
        Permission("accounting.approve", _l("Approve (post) and reverse journal entries"), roles=("chief_accountant",)),
        Permission("accounting.close", _l("Lock periods and close the year"), roles=("chief_accountant",)),
        Permission("accounting.assets", _l("Manage fixed assets and run depreciation"), roles=("accountant", "chief_accountant")),
    ),
    menu=(),
)
