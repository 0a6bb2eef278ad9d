"""How a plugin obtains another plugin's public interface.

``ports.get("accounting")`` returns an object with the interface of ``plugins.accounting.api``.
Callers never know how it is reached: today the only adapter is in-process (the api module
itself); an adapter that reaches the plugin's ``rest/`` API over HTTP registers itself under the
scheme of ``ERP_PORTS`` (``accounting=http://accounting:8000``) and callers stay unchanged.
Only ``data.py`` objects cross the boundary, never ORM objects.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable

from flask import current_app


class PortError(LookupError):
    """The requested plugin is not loaded here, or its port target cannot be served."""


# scheme -> factory(manifest, target) -> port object
_ADAPTERS: dict[str, Callable[[Any, str], Any]] = {}


def register_adapter(scheme: str, factory: Callable[[Any, str], Any]) -> None:
    """Make ``ERP_PORTS`` targets starting with ``scheme:`` resolve through ``factory``."""
    _ADAPTERS[scheme] = factory


def _in_process(manifest, target: str):
    return importlib.import_module(manifest.api)


register_adapter("inprocess", _in_process)


def check_routes(routes: dict[str, str]) -> None:
    """Stop start-up when ``ERP_PORTS`` routes a plugin to a target no adapter serves."""
    for name, target in routes.items():
        scheme = target.split(":", 1)[0]
        if scheme not in _ADAPTERS:
            raise PortError(f"ERP_PORTS routes {name!r} to {target!r}, but no adapter serves {scheme!r} targets")


def get(name: str):
    """Return the public interface of plugin ``name``.

    Raises :class:`PortError` when the plugin is neither loaded in this process nor routed
    elsewhere by ``ERP_PORTS``.
    """
    ext = current_app.extensions["erp"]
    cache = ext.setdefault("ports", {})
    if name in cache:
        return cache[name]
    target = current_app.config.get("ERP_PORTS", {}).get(name, "inprocess")
    scheme = target.split(":", 1)[0]
    manifest = ext["manifests"].get(name)
    if manifest is None:
        raise PortError(
            f"Plugin {name!r} is not installed; ports are available for: "
            f"{', '.join(sorted(ext['manifests'])) or 'none'}"
        )
    if scheme == "inprocess" and name not in ext["plugins"]:
        raise PortError(f"Plugin {name!r} is not loaded in this process (see ERP_PLUGINS) and ERP_PORTS does not route it")
    factory = _ADAPTERS.get(scheme)
    if factory is None:
        raise PortError(f"No port adapter for {target!r} (plugin {name!r}); known: {', '.join(sorted(_ADAPTERS))}")
    cache[name] = factory(manifest, target)
    return cache[name]
