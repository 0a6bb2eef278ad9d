"""The JSON API of the rates plugin."""
from plugins.rates.rest.quote import bp

__all__ = ["bp"]
