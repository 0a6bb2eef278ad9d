"""Pages of plugins that another service serves (split mode).

A service loads only its own plugin, yet every page it renders links to all of them: the
navigation, the citizens' links in the header, the home page. The manifests are installed in
every service, so the URL rules of a plugin routed elsewhere by ``ERP_PORTS`` are read from its
blueprints (registered on a scratch application, never on this one) and added here with a view
that serves nothing: ``url_for`` builds the path, and the gateway sends a request for it to the
service that runs the plugin. A request that reaches this service anyway (no gateway in front)
is a 404 naming the service that serves it.
"""
from __future__ import annotations

from flask import Flask, abort, current_app, request

from erp import plugins as plugin_system
from erp.auth.access import public

EXTENSION = "remote"


def served_elsewhere(app: Flask, installed: dict, loaded: dict) -> list:
    """The installed plugins that are not loaded here but routed by ERP_PORTS to another service."""
    routes = app.config.get("ERP_PORTS", {})
    return [manifest for name, manifest in installed.items()
            if name not in loaded and name in routes and not routes[name].startswith("inprocess")]


@public
def _elsewhere(**_values):
    plugin = current_app.extensions["erp"][EXTENSION][request.endpoint]
    # The gateway should have sent it to that plugin's service: worth an operator's look.
    current_app.logger.warning("%s is served by the %s service (ERP_PORTS), not by this one", request.path, plugin)
    abort(404)


def register(app: Flask, manifests: list) -> None:
    """Add the URL rules of the ``manifests``' blueprints to ``app`` for building links only."""
    names = app.extensions["erp"].setdefault(EXTENSION, {})
    for manifest in manifests:
        scratch = Flask(f"erp-links-{manifest.name}")
        scratch.url_map.converters.update(app.url_map.converters)
        for target in manifest.blueprints:
            scratch.register_blueprint(plugin_system.resolve(target))
        for rule in scratch.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            names[rule.endpoint] = manifest.name
            app.add_url_rule(rule.rule, endpoint=rule.endpoint, view_func=_elsewhere,
                             methods=sorted(rule.methods - {"HEAD", "OPTIONS"}), defaults=rule.defaults,
                             strict_slashes=rule.strict_slashes)
