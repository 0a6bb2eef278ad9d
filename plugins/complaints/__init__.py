"""Citizens' complaints: filing, statutory deadlines, handling and statistics"""
from flask_babel import lazy_gettext as _l

from erp.plugins import Manifest, MenuItem, Permission

manifest = Manifest(
    name="complaints",
    version="0.2.0",
    label=_l("Complaints"),
    summary=_l("Citizens' complaints: filing, statutory deadlines, handling and statistics"),
    depends=(),
    provides=("complaints",),
    permissions=(
        Permission("complaints.view", _l("View complaints and statistics"), roles=("complaints_officer", "auditor")),
        Permission("complaints.handle", _l("Handle complaints (assign, reply, complete)"), roles=("complaints_officer",)),
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
    models="plugins.complaints.models",
    blueprints=("plugins.complaints.views:bp",),
    cli="plugins.complaints.cli:group",
    tasks="plugins.complaints.tasks:jobs",
    setup="plugins.complaints.services.complaints:seed_types",
    demo="plugins.complaints.demo:load",
)
