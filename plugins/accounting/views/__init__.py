"""Pages of the accounting plugin."""
from plugins.accounting.views import assets  # noqa: F401 - registers the fixed-asset pages on bp
from plugins.accounting.views.pages import bp

__all__ = ["bp"]
