"""The JSON API of the accounting plugin: its port (every operation of ``AccountingPort``) at
``POST /api/accounting/port/<operation>``, derived from the Protocol by ``erp.ports.service``."""
from erp.ports.service import port_blueprint
from plugins.accounting import api
from plugins.accounting.port import AccountingPort

port_bp = port_blueprint("accounting", AccountingPort, api)

__all__ = ["port_bp"]
