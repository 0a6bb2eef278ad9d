"""Pages of the rates plugin."""
from plugins.rates.views import (ami, arrears, billing, citizen, customers, payments, reading,  # noqa: F401 - register
                                writeoff)  # their pages on bp
from plugins.rates.views.pages import bp

__all__ = ["bp"]
