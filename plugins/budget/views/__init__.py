"""Pages of the budget plugin."""
from plugins.budget.views.pages import bp

__all__ = ["bp"]
