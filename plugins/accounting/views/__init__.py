"""Pages of the accounting plugin."""
from plugins.accounting.views.pages import bp

__all__ = ["bp"]
