"""Pages of the accounting plugin, one module per feature (matching ``services``)."""
from plugins.accounting.views import accounts, assets, entries, periods, reports  # noqa: F401 - register routes on bp
from plugins.accounting.views.blueprint import bp

__all__ = ["bp"]
