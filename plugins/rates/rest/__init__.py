"""The JSON API of the rates plugin."""
from plugins.rates.rest import readings  # noqa: F401 - registers the readings endpoint on bp
from plugins.rates.rest.quote import bp

__all__ = ["bp"]
