"""The standard roles (DESIGN.md §3) and the permissions the core itself declares."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from erp.i18n import N_
from erp.plugins import MenuItem, Permission, StandardRole

# The core's own roles; each plugin declares the roles of its work in its manifest (DESIGN.md §3).
CORE_ROLES: tuple[StandardRole, ...] = (
    StandardRole("sysadmin", N_("System administrator"), N_("Users, roles, departments, code tables and settings"),
                 demo_user=("admin", "김관리", "WS-MGT")),
    StandardRole("auditor", N_("Auditor"), N_("Reads everything, changes nothing"), demo_user=("auditor", "강감사", "AUDIT")),
)

CORE_PERMISSIONS: tuple[Permission, ...] = (
    Permission("core.users", _l("Manage users"), roles=("sysadmin",)),
    Permission("core.roles", _l("Manage roles and permissions"), roles=("sysadmin",)),
    Permission("core.departments", _l("Manage departments"), roles=("sysadmin",)),
    Permission("core.codes", _l("Manage code tables"), roles=("sysadmin",)),
    Permission("core.audit", _l("View the audit trail"), roles=("sysadmin", "auditor")),
    Permission("core.ops", _l("View the operations dashboard"), roles=("sysadmin",)),
)

CORE_MENU: tuple[MenuItem, ...] = (
    MenuItem(_l("Users"), "auth.users", "core.users"),
    MenuItem(_l("Roles"), "auth.roles", "core.roles"),
    MenuItem(_l("Departments"), "auth.departments", "core.departments"),
    MenuItem(_l("Code tables"), "common.code_groups", "core.codes"),
    MenuItem(_l("Audit trail"), "audit.search", "core.audit"),
    MenuItem(_l("Operations"), "ops_dashboard.dashboard", "core.ops"),
    MenuItem(_l("Service checks"), "ops_dashboard.checks_page", "core.ops"),
    MenuItem(_l("Service level report"), "ops_dashboard.sla_page", "core.ops"),
)


def role_label(role) -> str:
    """A role's name in the user's language: standard roles are translated, custom ones as typed."""
    from flask_babel import gettext

    return gettext(role.name) if role.builtin else role.name


def role_description(role) -> str:
    from flask_babel import gettext

    return gettext(role.description) if role.builtin and role.description else role.description
