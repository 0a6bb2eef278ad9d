"""The JSON API of the rates plugin: the public quote, smart-meter readings, and its port (every
operation of ``RatesPort`` at ``POST /api/rates/port/<operation>``, derived from the Protocol by
``erp.ports.service``)."""
from erp.ports.service import port_blueprint
from plugins.rates import api
from plugins.rates.port import RatesPort
from plugins.rates.rest import payments, readings  # noqa: F401 - register their endpoints on bp
from plugins.rates.rest.quote import bp

port_bp = port_blueprint("rates", RatesPort, api)

__all__ = ["bp", "port_bp"]
