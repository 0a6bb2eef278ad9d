"""The JSON API of the complaints plugin: its port (every operation of ``ComplaintsPort``) at
``POST /api/complaints/port/<operation>``, derived from the Protocol by ``erp.ports.service``."""
from erp.ports.service import port_blueprint
from plugins.complaints import api
from plugins.complaints.port import ComplaintsPort

port_bp = port_blueprint("complaints", ComplaintsPort, api)

__all__ = ["port_bp"]
