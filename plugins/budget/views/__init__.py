"""Pages of the budget plugin, one module per feature (matching ``services``)."""
from plugins.budget.views import execution, midterm, reports, structure, transfers, versions, yearend  # noqa: F401
from plugins.budget.views.blueprint import bp

__all__ = ["bp"]
