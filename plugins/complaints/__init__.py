"""Citizens' complaints: filing, statutory deadlines, handling and statistics"""
from flask_babel import lazy_gettext as _l

from erp.plugins import Manifest, Permission

manifest = Manifest(
    name="complaints",
    version="0.1.0",
    label=_l("Complaints"),
    summary=_l("Citizens' complaints: filing, statutory deadlines, handling and statistics"),
    depends=(),
    provides=("complaints",),
    permissions=(
        Permission("complaints.view", _l("View complaints and statistics"), roles=("complaints_officer", "auditor")),
        Permission("complaints.handle", _l("Handle complaints (assign, reply, complete)"), roles=("complaints_officer",)),
        Permission("complaints.settings", _l("Edit complaint types and deadlines"), roles=("sysadmin",)),
    ),
    menu=(),
)
