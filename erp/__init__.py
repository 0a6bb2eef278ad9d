"""Waterworks ERP: the application factory.

``create_app`` reads the configuration, loads the selected plugins in dependency order, and
wires the extensions, the core blueprints, the access guard, error pages and commands.
"""
from __future__ import annotations

import os

from flask import Flask
from werkzeug.routing import IntegerConverter

from erp import config as config_module
from erp import plugins as plugin_system
from erp.common.paths import private_dir, private_file, sqlite_file

__all__ = ["create_app"]


class IdConverter(IntegerConverter):
    """``<id:name>``: a row id in URLs — a positive integer that fits the database's INT, so an
    absurd number is a 404, never a database overflow."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=2**31 - 1)


def create_app(config: dict | None = None) -> Flask:
    """Build the application. ``config`` overrides settings read from the environment."""
    settings = config_module.from_environment()
    settings.update(config or {})
    app = Flask(
        "erp",
        template_folder=str(config_module.ROOT / "templates"),
        static_folder=str(config_module.ROOT / "static"),
        instance_path=str(config_module.INSTANCE_DIR),
    )
    app.config.update(settings)
    app.url_map.converters["id"] = IdConverter

    from erp.ops import logs, metrics

    logs.configure(app)
    manifests = _select_plugins(app)
    _configure_binds(app, manifests)
    register_extensions(app)
    metrics.init_app(app)  # before the access guard's hook, so refused requests are counted too
    register_core(app)
    register_plugins(app, manifests)
    register_errorhandlers(app)
    register_commands(app)
    return app


def _select_plugins(app: Flask) -> list:
    installed = app.config.get("ERP_PLUGIN_MANIFESTS")
    if installed is None:
        installed = plugin_system.discover()
    routed = [name for name, target in app.config.get("ERP_PORTS", {}).items() if not target.startswith("inprocess")]
    chosen = plugin_system.select(installed, app.config.get("ERP_PLUGINS"), routed)
    app.extensions["erp"] = {
        "manifests": {m.name: m for m in installed},
        "plugins": {},
        "permissions": {},
        "roles": {},
        "menus": [],
    }
    return chosen


def _configure_binds(app: Flask, manifests: list) -> None:
    """Each plugin's tables live under its own bind. ``DATABASE_URL_<PLUGIN>`` moves one plugin
    to its own database (split mode); otherwise it shares the main database and engine."""
    binds = dict(app.config.get("SQLALCHEMY_BINDS") or {})
    for manifest in manifests:
        env_name = f"DATABASE_URL_{manifest.bind_key.upper()}"
        binds.setdefault(manifest.bind_key, os.environ.get(env_name) or app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SQLALCHEMY_BINDS"] = binds
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("mysql"):
        options.setdefault("pool_pre_ping", True)
        options.setdefault("pool_recycle", 1800)
        # Bulk writes (a bill run's million rows) load a file the application writes itself:
        # LOAD DATA LOCAL INFILE. The connection offers the capability to the server, but the
        # driver's gate stays shut (erp.common.sql) except around bulk_insert's own statement.
        options.setdefault("connect_args", {}).setdefault("local_infile", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    # The SQLite files and the storage directory hold citizens' data: owner-only from the start.
    for url in {app.config["SQLALCHEMY_DATABASE_URI"], *map(str, binds.values())}:
        path = sqlite_file(url)
        if path is not None:
            private_file(path)
    private_dir(app.config["ERP_STORAGE_DIR"])


def register_extensions(app: Flask) -> None:
    from erp.audit import services as audit_services
    from erp import jobs, migrating
    from erp.auth import sessions
    from erp.common import formatting, sql, tx  # noqa: F401  (sql: the LOAD DATA gate's listener)
    from erp.extensions import babel, csrf, db, login_manager, migrate
    from erp.web import body_limits, headers, i18n, limits

    db.init_app(app)
    sessions.init_app(app)
    body_limits.init_app(app)  # before the CSRF check and the rate limits read a body
    limits.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.ROOT / "migrations"))
    # `flask db upgrade`, `current`, `heads`, `check` cover every plugin's history too.
    app.cli.add_command(migrating.db_group, name="db")
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(config_module.ROOT / "erp" / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    audit_services.init_app(app)
    tx.init_app(app)
    jobs.init_app(app)
    formatting.register(app)
    headers.init_app(app)

    trusted = int(os.environ.get("ERP_TRUSTED_PROXIES", "0") or 0)
    if trusted:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted, x_host=trusted)


def register_core(app: Flask) -> None:
    from erp.audit.tasks import jobs as audit_jobs
    from erp.audit.views import bp as audit_bp
    from erp.auth import session_timeout
    from erp.auth.access import guard
    from erp.auth.tasks import jobs as auth_jobs
    from erp.auth.views import bp as auth_bp
    from erp.common.views import bp as common_bp
    from erp.ops.tasks import jobs as ops_jobs
    from erp.openapi import bp as openapi_bp
    from erp.ops.views import bp as ops_bp, dashboard_bp
    from erp.web import navigation
    from erp.web.views import bp as web_bp

    for blueprint in (web_bp, auth_bp, audit_bp, common_bp, ops_bp, dashboard_bp, openapi_bp):
        app.register_blueprint(blueprint)
    app.extensions["erp_jobs"].add(ops_jobs)  # the core's own periodic jobs
    app.extensions["erp_jobs"].add(auth_jobs)
    app.extensions["erp_jobs"].add(audit_jobs)
    session_timeout.init_app(app)
    app.before_request(guard)
    navigation.init_app(app)


def register_plugins(app: Flask, manifests: list) -> None:
    from erp.audit import services as audit_services
    from erp.auth.access import check_declared_permissions
    from erp.auth.roles import CORE_MENU, CORE_PERMISSIONS, CORE_ROLES
    from erp import ports
    from erp.web import remote

    ext = app.extensions["erp"]
    # Roles come from every installed plugin, loaded here or not: in split mode the services share
    # the core database, and a permission of one service may be granted to another's role.
    for owner, roles in [("core", CORE_ROLES)] + [(m.name, m.roles) for m in ext["manifests"].values()]:
        for role in roles:
            if role.code in ext["roles"]:
                raise plugin_system.PluginError(f"Role {role.code!r} of {owner!r} is already declared by {ext['roles'][role.code][0]!r}")
            ext["roles"][role.code] = (owner, role)
    for permission in CORE_PERMISSIONS:
        ext["permissions"][permission.code] = ("core", permission)
    ext["plugins"] = plugin_system.load(app, manifests)
    audit_services.register_chains(app, manifests)
    for manifest in manifests:
        for permission in manifest.permissions:
            if permission.code in ext["permissions"]:
                raise plugin_system.PluginError(
                    f"Permission {permission.code!r} of plugin {manifest.name!r} is already declared"
                )
            ext["permissions"][permission.code] = (manifest.name, permission)
    # Plugins served by another service (split mode): their manifests are installed here too, so
    # the navigation, the citizens' links and the role page show them and url_for builds their paths.
    ext["remote_plugins"] = remote.served_elsewhere(app, ext["manifests"], ext["plugins"])
    for manifest in ext["remote_plugins"]:
        for permission in manifest.permissions:
            ext["permissions"].setdefault(permission.code, (manifest.name, permission))
    remote.register(app, ext["remote_plugins"])
    shown = {m.name: m for m in [*manifests, *ext["remote_plugins"]]}
    ext["menus"] = [(manifest, manifest.menu) for manifest in plugin_system.in_dependency_order(shown)]
    ext["core_menu"] = CORE_MENU
    check_declared_permissions(app, set(ext["permissions"]))
    ports.check_routes(app.config.get("ERP_PORTS", {}), app.config)


def register_errorhandlers(app: Flask) -> None:
    from erp.web.errors import init_app

    init_app(app)


def register_commands(app: Flask) -> None:
    from erp.cli import erp_group
    from erp.ops.cli import ops_group

    app.cli.add_command(erp_group)
    app.cli.add_command(ops_group)
