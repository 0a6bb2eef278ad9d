"""The rates plugin's figures for /metrics (``Manifest.metrics``): progress of unfinished bill runs."""
from __future__ import annotations

from erp.ops.figures import Figure
from plugins.rates.services import billing


def figures() -> list[Figure]:
    runs = billing.running_runs()
    result = [Figure("erp_rates_bill_runs_unfinished", "Bill runs started and not finished", len(runs))]
    for run in runs:
        labels = {"run": str(run.id), "period": run.period, "route": run.route_code or "*"}
        result.append(Figure("erp_rates_bill_run_billed", "Customers billed so far by an unfinished bill run", run.billed, labels))
        result.append(Figure("erp_rates_bill_run_expected", "Customers in scope of an unfinished bill run", run.expected, labels))
    return result
