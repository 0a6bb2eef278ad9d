"""Project-based budget: compilation, supplementary budgets, transfers, execution"""
from flask_babel import lazy_gettext as _l

from erp.i18n import N_
from erp.plugins import HomePanel, Manifest, MenuItem, Permission, StandardRole

manifest = Manifest(
    name="budget",
    version="0.2.0",
    label=_l("Budget"),
    summary=_l("Project-based budget: compilation, supplementary budgets, transfers, execution"),
    depends=("accounting",),
    provides=("budget", "budget-settlement"),
    roles=(
        StandardRole("budget_officer", N_("Budget officer"), N_("Compiles and executes the budget"),
                     demo_user=("budget", "이예산", "WS-MGT")),
        StandardRole("budget_requester", N_("Department budget clerk"),
                     N_("Enters the budget requests of their own department"),
                     demo_user=("budgetdept", "최요구", "WS-SUP")),
        StandardRole("budget_approver", N_("Budget approver"), N_("Approves budgets, transfers and carry-overs"),
                     demo_user=("budgetlead", "박승인", "WS-MGT")),
    ),
    permissions=(
        Permission("budget.view", _l("View budgets and execution"),
                   roles=("budget_officer", "budget_requester", "budget_approver", "accountant", "chief_accountant", "auditor")),
        Permission("budget.request", _l("Enter budget requests"), roles=("budget_officer", "budget_requester")),
        # Without it an official enters and withdraws the requests of their own department's lines
        # only; the budget office compiles every department's.
        Permission("budget.all_departments", _l("Enter the budget requests of every department"), roles=("budget_officer",)),
        Permission("budget.review", _l("Review and adjust requests, prepare supplementary budgets"), roles=("budget_officer",)),
        Permission("budget.approve", _l("Approve budgets, transfers and carry-overs"), roles=("budget_approver",)),
        Permission("budget.execute", _l("Commit, resolve and pay expenditure"), roles=("budget_officer", "accountant")),
    ),
    menu=(
        MenuItem(_l("Budget against actual"), "budget.index", "budget.view"),
        MenuItem(_l("Compilation and supplementary budgets"), "budget.versions", "budget.view"),
        MenuItem(_l("Execution"), "budget.execution_list", "budget.view"),
        MenuItem(_l("Transfers"), "budget.transfer_list", "budget.view"),
        MenuItem(_l("Revenue against actual"), "budget.revenue", "budget.view"),
        MenuItem(_l("Carry-over and lapse"), "budget.year_end", "budget.view"),
        MenuItem(_l("Mid-term financial plan"), "budget.midterm_plan", "budget.view"),
        MenuItem(_l("Budget structure"), "budget.structure_page", "budget.view"),
    ),
    home=(
        HomePanel(("budget.review", "budget.approve"), "plugins.budget.views.home:waiting"),
        HomePanel(("budget.review", "budget.approve", "budget.execute"), "plugins.budget.views.home:execution"),
    ),
    models="plugins.budget.models",
    blueprints=("plugins.budget.views:bp", "plugins.budget.rest:port_bp"),
    port="plugins.budget.port:BudgetPort",
    cli="plugins.budget.cli:group",
    tasks="plugins.budget.tasks:jobs",
    setup="plugins.budget.services.common:setup",
    demo="plugins.budget.demo:load",
)
