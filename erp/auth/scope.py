"""Object-level access: whose records an official may act on.

The access guard (:mod:`erp.auth.access`) decides who reaches a page; a service that changes one
department's record (a complaint, a budget request) asks here whether the official of the
request may act for that department: they may when it is their own department, or when they hold
the plugin's all-departments permission. Work without a logged-in official — commands, queued
jobs, the demo data, calls of other services (the port checks their token) — is the system's and
is not limited here.
"""
from __future__ import annotations

from flask import has_request_context

from erp.common.errors import refuse


def acting_official():
    """The logged-in official of the current request, or None (the system, or a citizen's public
    page, whose services never act for a department)."""
    if not has_request_context():
        return None
    from flask_login import current_user  # flask-login needs a request

    return current_user._get_current_object() if current_user and current_user.is_authenticated else None


def department_of(user) -> str:
    return user.department.code if user is not None and user.department is not None else ""


def covers(user, department_code: str, everywhere: str) -> bool:
    """Whether ``user`` may act for ``department_code``: their own department, or any with the
    permission ``everywhere``. A user of no department acts for none but with ``everywhere``."""
    if user.can(everywhere):
        return True
    own = department_of(user)
    return bool(own) and own == (department_code or "")


def may_act_for(department_code: str, everywhere: str) -> bool:
    """Whether the official of this request (or the system) may act for ``department_code``."""
    user = acting_official()
    return user is None or covers(user, department_code, everywhere)


def require_department(department_code: str, everywhere: str, message: str, field: str = "") -> None:
    """Refuse (a ``ServiceError`` with ``message``) unless :func:`may_act_for` allows it."""
    if not may_act_for(department_code, everywhere):
        refuse(message, field)
