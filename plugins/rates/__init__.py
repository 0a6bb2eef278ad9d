"""Customers, meters, readings, tariffs, bill runs and printed bills"""
from flask_babel import lazy_gettext as _l

from erp.i18n import N_
from erp.plugins import HomePanel, Manifest, MenuItem, Permission, StandardRole

manifest = Manifest(
    name="rates",
    version="0.2.0",
    label=_l("Water rates"),
    summary=_l("Customers, meters, readings, tariffs, bill runs and printed bills"),
    depends=("accounting",),
    provides=("billing",),
    roles=(
        StandardRole("rates_clerk", N_("Rates clerk"), N_("Customers, meters, tariffs and bill runs"),
                     demo_user=("rates", "한요금", "WS-RATE")),
        StandardRole("meter_reader", N_("Meter reader"), N_("Enters meter readings on a route"),
                     demo_user=("reader", "오검침", "WS-RATE")),
    ),
    permissions=(
        Permission("rates.view", _l("View customers, readings and bills"), roles=("rates_clerk", "complaints_officer", "auditor")),
        Permission("rates.manage", _l("Manage customers and meters"), roles=("rates_clerk",)),
        Permission("rates.read", _l("Enter meter readings"), roles=("meter_reader", "rates_clerk")),
        Permission("rates.tariff", _l("Edit tariffs"), roles=("sysadmin",)),
        Permission("rates.billing", _l("Run billing and issue adjusting bills"), roles=("rates_clerk",)),
        Permission("rates.payments", _l("Import, record, match and reverse payments"), roles=("rates_clerk",)),
        Permission("rates.arrears", _l("Run arrears and late charges, print reminders, make instalment plans, "
                                       "record disconnections"), roles=("rates_clerk",)),
        Permission("rates.writeoff", _l("Draft write-offs of lapsed water charges"), roles=("rates_clerk",)),
        Permission("rates.writeoff_approve", _l("Approve write-offs of lapsed water charges"), roles=("chief_accountant",)),
        Permission("rates.refund", _l("List and pay out refunds of customers' credits"), roles=("rates_clerk",)),
    ),
    menu=(
        MenuItem(_l("Customers"), "rates.customers", "rates.view"),
        MenuItem(_l("Meter reading"), "rates.routes", "rates.read"),
        MenuItem(_l("Reading routes"), "rates.route_assignments", "rates.manage"),
        MenuItem(_l("Upload readings"), "rates.readings_upload", "rates.read"),
        MenuItem(_l("Meter readings"), "rates.readings", "rates.view"),
        MenuItem(_l("Smart meters"), "rates.ami_devices", "rates.manage"),
        MenuItem(_l("Bill runs"), "rates.bill_runs", "rates.view"),
        MenuItem(_l("Payments"), "rates.payments", "rates.view"),
        MenuItem(_l("Arrears"), "rates.arrears", "rates.view"),
        MenuItem(_l("Citizens' applications"), "rates.applications", "rates.view"),
        MenuItem(_l("Write-offs"), "rates.write_offs", ("rates.view", "rates.writeoff_approve")),
        MenuItem(_l("Tariffs"), "rates.tariff_list", ("rates.view", "rates.tariff")),
        MenuItem(_l("Tariff basis"), "rates.tariff_basis", ("rates.view", "rates.tariff")),
        MenuItem(_l("Tariff simulation"), "rates.tariff_simulation", ("rates.view", "rates.tariff")),
        MenuItem(_l("Water bill calculator"), "rates.calculator", "rates.view"),
    ),
    public_menu=(MenuItem(_l("Water bill calculator"), "rates.calculator", ""),
                 MenuItem(_l("Water bill inquiry"), "rates.inquiry_form", "")),
    home=(
        HomePanel("rates.billing", "plugins.rates.views.home:billing"),
        HomePanel("rates.billing", "plugins.rates.views.home:receivables"),
        HomePanel("rates.read", "plugins.rates.views.home:routes"),
    ),
    models="plugins.rates.models",
    blueprints=("plugins.rates.views:bp", "plugins.rates.rest:bp", "plugins.rates.rest:port_bp"),
    port="plugins.rates.port:RatesPort",
    cli="plugins.rates.cli:group",
    tasks="plugins.rates.tasks:jobs",
    metrics="plugins.rates.metrics:figures",
    # The citizens' calculator computes a household's bill: its total appears only with a result.
    checks=({"name": "rates-calculator", "service": "rates", "steps": [
        {"method": "GET", "path": "/rates/calculator?use_type=household&diameter=13&consumption=21&households=1"
                                  "&period_start=2026-11-01&period_end=2026-11-30",
         "status": 200, "text": 'id="quote-total"', "max_ms": 2000}]},),
    demo="plugins.rates.demo:load",
)
