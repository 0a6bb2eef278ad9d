"""Pages of the rates plugin."""
from plugins.rates.views import customers  # noqa: F401 - registers the customer pages on bp
from plugins.rates.views.pages import bp

__all__ = ["bp"]
