"""Access rules of views: every view declares one, and a guard enforces it before the view runs.

A view carries ``@public``, ``@login_only`` or ``@permission_required("code")`` — or
``@service_call`` for the port endpoints other services call, which check the service token
themselves (:mod:`erp.ports.service`). The guard
(installed by the factory) refuses any view without a declaration, so a forgotten decorator
fails closed, and the test suite lists such views.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

ATTR = "_erp_access"


@dataclass(frozen=True)
class Access:
    kind: str  # "public" | "login" | "permission" | "service" | "scrape"
    permission: str | tuple[str, ...] = ""  # one code, or several of which any one admits

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.permission,) if isinstance(self.permission, str) else self.permission


def _mark(access: Access):
    def decorator(view):
        setattr(view, ATTR, access)
        return view

    return decorator


def public(view):
    """Reachable without logging in (citizens' pages, health checks, the login form)."""
    return _mark(Access("public"))(view)


def login_only(view):
    """Reachable by any logged-in official."""
    return _mark(Access("login"))(view)


def service_call(view):
    """Reachable by other services of the installation only: the view checks their signed
    service token itself (no session, no login)."""
    return _mark(Access("service"))(view)


def scrape_only(view):
    """Reachable by the monitoring system only: a bearer token (ERP_METRICS_TOKEN) or an address
    of ERP_METRICS_ALLOW (loopback by default); anyone else gets 403."""
    return _mark(Access("scrape"))(view)


def permission_required(*codes: str):
    """Reachable by officials holding permission ``code`` — or, given several, any one of them
    (the tariff list: the clerks who read it and the administrator who records tariffs); others
    get 403."""
    return _mark(Access("permission", codes[0] if len(codes) == 1 else tuple(codes)))


def access_of(view) -> Access | None:
    return getattr(view, ATTR, None)


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def guard():
    """``before_request`` hook: enforce the view's declared access rule."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no route matched: the 404 handler answers
    if endpoint == "static" or endpoint.endswith(".static"):
        return None
    view = current_app.view_functions.get(endpoint)
    access = access_of(view)
    if access is None:
        current_app.logger.error("view %s declares no access rule; refused", endpoint)
        abort(403)
    if access.kind in ("public", "service"):
        return None
    if access.kind == "scrape":
        from erp.ops.metrics import scrape_allowed

        return None if scrape_allowed() else abort(403)
    if not current_user.is_authenticated:
        if wants_json():
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
    if access.kind == "permission" and not current_user.can(access.permission):
        abort(403)
    return None


def check_declared_permissions(app, known: set[str]) -> None:
    """Stop start-up when a view requires a permission no manifest declares (a typo)."""
    for endpoint, view in app.view_functions.items():
        access = access_of(view)
        for code in (access.codes if access and access.kind == "permission" else ()):
            if code not in known:
                raise RuntimeError(f"View {endpoint} requires undeclared permission {code!r}")

