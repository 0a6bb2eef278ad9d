"""Plugins: the manifest type, discovery through entry points, dependency order and loading.

A plugin is a package under ``plugins/`` whose ``__init__`` defines ``manifest`` (a
:class:`Manifest`) and is registered in ``setup.cfg`` under the entry-point group
``erp.plugins``. The core never imports a plugin by name: it only loads what the entry points
(or a test's explicit list) name.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Callable, Iterable

ENTRY_POINT_GROUP = "erp.plugins"


class PluginError(RuntimeError):
    """A plugin set that cannot start: missing or cyclic dependency, duplicate name."""


@dataclass(frozen=True)
class Permission:
    """A permission a plugin declares; ``roles`` are the standard roles granted it by default."""

    code: str
    label: str
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class StandardRole:
    """A role the core or a plugin declares (DESIGN.md §3). What it may do is the permissions
    that name it in their ``roles``. ``name`` and ``description`` are stored in English and shown
    translated; ``demo_user`` is (user name, name, department code) of the demo data's user."""

    code: str
    name: str
    description: str = ""
    demo_user: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class MenuItem:
    """A navigation entry, shown to users who hold ``permission`` (or any one of several)."""

    label: str
    endpoint: str
    permission: str | tuple[str, ...]
    icon: str = ""


@dataclass(frozen=True)
class HomePanel:
    """A panel of the home page, shown to users who hold ``permission`` (or any one of several):
    ``target`` ("package.module:function") returns an :class:`erp.web.home.Panel` for the
    logged-in user, or None when it has nothing to show. Only the panels a user may see are built."""

    permission: str | tuple[str, ...]
    target: str


@dataclass
class Manifest:
    """What a plugin declares about itself (compare Odoo's ``__manifest__.py``)."""

    name: str
    version: str
    summary: str
    label: str = ""
    # Every other plugin's port this plugin uses: ``depends`` must be loaded here or routed by
    # ERP_PORTS (and is loaded first); ``optional`` is used when reachable, and the plugin works
    # without it (e.g. accounting's settlement report adds the budget section when budget is there).
    depends: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    roles: tuple[StandardRole, ...] = ()
    permissions: tuple[Permission, ...] = ()
    menu: tuple[MenuItem, ...] = ()
    # What the home page shows each role: what is waiting for it and how things stand.
    home: tuple[HomePanel, ...] = ()
    # Pages for citizens (no login), linked from the header of every page.
    public_menu: tuple[MenuItem, ...] = ()
    # "package.module:attribute" strings, imported when the plugin loads, so that declaring a
    # manifest never drags in Flask views or models.
    blueprints: tuple[str, ...] = ()
    cli: str | None = None
    # "package.module:attribute" naming an ``erp.jobs.JobSet``: the plugin's queued and periodic jobs.
    tasks: str | None = None
    # Idempotent reference data the plugin cannot work without (a chart of accounts …), run by
    # `flask erp setup` after every upgrade.
    setup: str | None = None
    # "package.module:function" returning a list of ``erp.ops.figures.Figure``: the plugin's own
    # figures for /metrics (bill-run progress, overdue complaints …), read when scraped.
    metrics: str | None = None
    # Ready-made service checks the checks page offers (erp.ops.checks): dicts with ``name``,
    # ``service`` and ``steps`` (the steps' data, see erp.ops.checks), e.g. a citizen's page.
    checks: tuple[dict, ...] = ()
    demo: str | None = None
    api: str | None = None
    # "package.module:Protocol" of the plugin's public interface: the operations its port serves
    # in process and over HTTP (erp.ports); None keeps the bare api module in process only.
    port: str | None = None
    models: str | None = None
    package: str = ""
    bind_key: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if not self.bind_key:
            self.bind_key = self.name
        if not self.package:
            self.package = f"plugins.{self.name}"
        if not self.api:
            self.api = f"{self.package}.api"


def resolve(target: str):
    """Import ``"pkg.module:attr"`` (or a plain module path) and return the object."""
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr) if attr else module


def discover() -> list[Manifest]:
    """Every manifest registered under the ``erp.plugins`` entry-point group."""
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        manifest = ep.load()
        if not isinstance(manifest, Manifest):
            raise PluginError(f"Entry point {ep.name!r} ({ep.value}) does not point at a Manifest")
        found.append(manifest)
    return found


def select(manifests: Iterable[Manifest], wanted: list[str] | None, routed: Iterable[str] = ()) -> list[Manifest]:
    """Pick the plugins named in ``ERP_PLUGINS`` (all when None) and order them by ``depends``.
    A dependency is met by a plugin loaded here or by one ``routed`` elsewhere (ERP_PORTS).

    Raises :class:`PluginError` on a duplicate name, an unknown plugin in ``wanted``, a
    dependency neither loaded nor routed, or a dependency cycle.
    """
    by_name: dict[str, Manifest] = {}
    for manifest in manifests:
        if manifest.name in by_name:
            raise PluginError(f"Two plugins are named {manifest.name!r}; plugin names must be unique")
        by_name[manifest.name] = manifest
    if wanted is None:
        chosen = dict(by_name)
    else:
        unknown = [name for name in wanted if name not in by_name]
        if unknown:
            raise PluginError(
                f"ERP_PLUGINS names unknown plugin(s): {', '.join(unknown)} "
                f"(installed: {', '.join(sorted(by_name)) or 'none'})"
            )
        chosen = {name: by_name[name] for name in wanted}
    routed = set(routed)
    for manifest in chosen.values():
        missing = [dep for dep in manifest.depends if dep not in chosen and dep not in routed]
        if missing:
            raise PluginError(
                f"Plugin {manifest.name!r} depends on {', '.join(missing)}, which "
                f"{'is' if len(missing) == 1 else 'are'} not loaded; add it to ERP_PLUGINS or route it in ERP_PORTS"
            )
    return _topological(chosen)


def in_dependency_order(chosen: dict[str, Manifest]) -> list[Manifest]:
    """``chosen`` ordered so that each plugin follows the ones it depends on (the same order in
    every service of a split deployment)."""
    return _topological(chosen)


def _topological(chosen: dict[str, Manifest]) -> list[Manifest]:
    order: list[Manifest] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = path[path.index(name):] + [name]
            raise PluginError(f"Plugin dependency cycle: {' -> '.join(cycle)}")
        state[name] = "visiting"
        for dep in chosen[name].depends:
            if dep in chosen:  # a routed dependency is reached over its port, loaded elsewhere
                visit(dep, path + [name])
        state[name] = "done"
        order.append(chosen[name])

    for name in sorted(chosen):
        visit(name, [])
    return order


@dataclass
class LoadedPlugin:
    manifest: Manifest
    demo: Callable | None = None
    setup: Callable | None = None


def load(app, manifests: list[Manifest]) -> dict[str, LoadedPlugin]:
    """Register each plugin's models, blueprints, CLI group and jobs on ``app``, in dependency order."""
    loaded: dict[str, LoadedPlugin] = {}
    for manifest in manifests:
        if manifest.models:
            importlib.import_module(manifest.models)
        for target in manifest.blueprints:
            app.register_blueprint(resolve(target))
        if manifest.cli:
            app.cli.add_command(resolve(manifest.cli))
        if manifest.tasks:
            app.extensions["erp_jobs"].add(resolve(manifest.tasks))
        if manifest.metrics:
            app.extensions.setdefault("erp_figures", []).append(resolve(manifest.metrics))
        demo = resolve(manifest.demo) if manifest.demo else None
        setup = resolve(manifest.setup) if manifest.setup else None
        loaded[manifest.name] = LoadedPlugin(manifest=manifest, demo=demo, setup=setup)
    return loaded
