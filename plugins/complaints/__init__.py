"""Citizens' complaints: filing, statutory deadlines, handling and statistics"""
from flask_babel import lazy_gettext as _l

from erp.i18n import N_
from erp.plugins import HomePanel, Manifest, MenuItem, Permission, StandardRole

manifest = Manifest(
    name="complaints",
    version="0.2.0",
    label=_l("Complaints"),
    summary=_l("Citizens' complaints: filing, statutory deadlines, handling and statistics"),
    depends=(),
    optional=("rates",),  # billing actions of objections, leaks and move-outs
    provides=("complaints",),
    roles=(
        StandardRole("complaints_officer", N_("Complaints officer"), N_("Handles citizens' complaints"),
                     demo_user=("civil", "윤민원", "WS-SUP")),
        StandardRole("complaints_coordinator", N_("Complaints coordinator"),
                     N_("Receives, distributes and handles the complaints of every department"),
                     demo_user=("civilhead", "정총괄", "WS-MGT")),
    ),
    permissions=(
        Permission("complaints.view", _l("View complaints and statistics"),
                   roles=("complaints_officer", "complaints_coordinator", "auditor")),
        Permission("complaints.handle", _l("Handle complaints (assign, reply, complete)"),
                   roles=("complaints_officer", "complaints_coordinator")),
        # Without it an official acts only on the complaints of their own department (reading
        # every department's stays with complaints.view).
        Permission("complaints.all_departments", _l("Handle the complaints of every department"),
                   roles=("complaints_coordinator",)),
        Permission("complaints.settings", _l("Edit complaint types and deadlines"), roles=("sysadmin",)),
    ),
    menu=(
        MenuItem(_l("Complaint queue"), "complaints.queue", "complaints.view"),
        MenuItem(_l("Complaint statistics"), "complaints.statistics", "complaints.view"),
        MenuItem(_l("Complaint types"), "complaints.types", "complaints.view"),
    ),
    public_menu=(
        MenuItem(_l("File a complaint"), "complaints.new", ""),
        MenuItem(_l("Follow a complaint"), "complaints.status", ""),
    ),
    home=(HomePanel("complaints.handle", "plugins.complaints.views.home:queue"),),
    models="plugins.complaints.models",
    blueprints=("plugins.complaints.views:bp", "plugins.complaints.rest:port_bp", "plugins.complaints.rest.open311:bp"),
    port="plugins.complaints.port:ComplaintsPort",
    cli="plugins.complaints.cli:group",
    tasks="plugins.complaints.tasks:jobs",
    metrics="plugins.complaints.metrics:figures",
    # A citizen follows a complaint: the administrator files one for checking and puts its receipt
    # number and telephone in place of RECEIPT-NO and PHONE (a failed look-up counts against the
    # address's rate limit, so the check must name a real one).
    checks=({"name": "complaints-lookup", "service": "complaints", "steps": [
        {"method": "GET", "path": "/complaints/status", "status": 200},
        {"method": "POST", "path": "/complaints/status", "form": {"receipt_no": "RECEIPT-NO", "phone": "PHONE"},
         "status": 302},
        {"method": "GET", "path": "/complaints/status/RECEIPT-NO", "status": 200, "text": "RECEIPT-NO", "max_ms": 2000}]},),
    setup="plugins.complaints.services.complaints:seed_types",
    demo="plugins.complaints.demo:load",
)
