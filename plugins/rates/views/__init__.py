"""Pages of the rates plugin."""
from plugins.rates.views.pages import bp

__all__ = ["bp"]
