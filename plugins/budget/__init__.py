"""Project-based budget: compilation, supplementary budgets, transfers, execution"""
from flask_babel import lazy_gettext as _l

from erp.plugins import Manifest, Permission

manifest = Manifest(
    name="budget",
    version="0.1.0",
    label=_l("Budget"),
    summary=_l("Project-based budget: compilation, supplementary budgets, transfers, execution"),
    depends=("accounting",),
    provides=("budget", "budget-settlement"),
    permissions=(
        Permission("budget.view", _l("View budgets and execution"), roles=("budget_officer", "budget_approver", "accountant", "chief_accountant", "auditor")),
        Permission("budget.request", _l("Enter budget requests"), roles=("budget_officer",)),
        Permission("budget.review", _l("Review and adjust requests, prepare supplementary budgets"), roles=("budget_officer",)),
        Permission("budget.approve", _l("Approve budgets, transfers and carry-overs"), roles=("budget_approver",)),
        Permission("budget.execute", _l("Commit, resolve and pay expenditure"), roles=("budget_officer", "accountant")),
    ),
    menu=(),
)
