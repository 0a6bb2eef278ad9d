"""Double-entry books, fixed assets, closing and financial statements"""
from flask_babel import lazy_gettext as _l

from erp.i18n import N_
from erp.plugins import HomePanel, Manifest, MenuItem, Permission, StandardRole

manifest = Manifest(
    name="accounting",
    version="0.2.0",
    label=_l("Accounting"),
    summary=_l("Double-entry books, fixed assets, closing and financial statements"),
    depends=(),
    optional=("budget",),  # the settlement report's budget section
    provides=("ledger", "financial-statements"),
    roles=(
        StandardRole("accountant", N_("Accountant"), N_("Drafts journal entries and keeps the books"),
                     demo_user=("acct", "최회계", "WS-MGT")),
        StandardRole("chief_accountant", N_("Chief accountant"), N_("Approves entries and closes periods"),
                     demo_user=("chiefacct", "정출납", "WS-MGT")),
    ),
    permissions=(
        Permission("accounting.view", _l("View the books and financial statements"), roles=("accountant", "chief_accountant", "budget_officer", "auditor")),
        Permission("accounting.entry", _l("Draft journal entries"), roles=("accountant", "chief_accountant")),
        Permission("accounting.approve", _l("Approve (post) and reverse journal entries"), roles=("chief_accountant",)),
        Permission("accounting.close", _l("Lock periods and close the year"), roles=("chief_accountant",)),
        Permission("accounting.assets", _l("Manage fixed assets and run depreciation"), roles=("accountant", "chief_accountant")),
    ),
    menu=(
        MenuItem(_l("Journal entries"), "accounting.entries", "accounting.view"),
        MenuItem(_l("New journal entry"), "accounting.entry_new", "accounting.entry"),
        MenuItem(_l("Trial balance"), "accounting.trial_balance", "accounting.view"),
        MenuItem(_l("Balance sheet"), "accounting.balance_sheet", "accounting.view"),
        MenuItem(_l("Income statement"), "accounting.income_statement", "accounting.view"),
        MenuItem(_l("Cash-flow statement"), "accounting.cash_flow", "accounting.view"),
        MenuItem(_l("Retained earnings"), "accounting.appropriation", "accounting.view"),
        MenuItem(_l("Settlement report"), "accounting.settlement", "accounting.view"),
        MenuItem(_l("General ledger"), "accounting.ledger", "accounting.view"),
        MenuItem(_l("Fixed assets"), "accounting.asset_register", "accounting.view"),
        MenuItem(_l("Chart of accounts"), "accounting.accounts", "accounting.view"),
        MenuItem(_l("Periods and year end"), "accounting.periods", "accounting.view"),
    ),
    home=(
        HomePanel(("accounting.approve", "accounting.entry"), "plugins.accounting.views.home:drafts"),
        HomePanel("accounting.close", "plugins.accounting.views.home:periods"),
    ),
    models="plugins.accounting.models",
    blueprints=("plugins.accounting.views:bp", "plugins.accounting.rest:port_bp"),
    port="plugins.accounting.port:AccountingPort",
    cli="plugins.accounting.cli:group",
    setup="plugins.accounting.services.chart:setup",
    demo="plugins.accounting.demo:load",
)
