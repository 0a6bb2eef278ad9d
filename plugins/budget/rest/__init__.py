"""The JSON API of the budget plugin: its port (every operation of ``BudgetPort``) at
``POST /api/budget/port/<operation>``, derived from the Protocol by ``erp.ports.service``."""
from erp.ports.service import port_blueprint
from plugins.budget import api
from plugins.budget.port import BudgetPort

port_bp = port_blueprint("budget", BudgetPort, api)

__all__ = ["port_bp"]
