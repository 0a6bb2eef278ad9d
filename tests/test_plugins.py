"""The plugin mechanism: discovery, selection and order, loading errors, and ports."""
import pytest
import sqlalchemy as sa

from erp import create_app, ports
from erp.plugins import Manifest, PluginError, discover, select
from tests_support import manifest_named


def names(manifests):
    return [m.name for m in manifests]


def test_the_four_business_plugins_are_registered_and_ordered_by_their_dependencies():
    installed = discover()
    assert sorted(names(installed)) == ["accounting", "budget", "complaints", "rates"]
    order = names(select(installed, None))
    assert order.index("accounting") < order.index("budget")
    assert order.index("accounting") < order.index("rates")


def test_missing_dependency_stops_start_up_with_a_clear_message():
    with pytest.raises(PluginError, match="'budget' depends on accounting, which is not loaded"):
        select(discover(), ["budget"])


def test_dependency_cycle_stops_start_up_naming_the_cycle():
    a = manifest_named("a", depends=("b",))
    b = manifest_named("b", depends=("c",))
    c = manifest_named("c", depends=("a",))
    with pytest.raises(PluginError, match=r"cycle: a -> b -> c -> a"):
        select([a, b, c], None)


def test_duplicate_plugin_name_stops_start_up():
    with pytest.raises(PluginError, match="Two plugins are named 'a'"):
        select([manifest_named("a"), manifest_named("a")], None)


def test_unknown_plugin_in_erp_plugins_is_refused():
    with pytest.raises(PluginError, match="unknown plugin"):
        select(discover(), ["accounting", "payroll"])


def test_create_app_refuses_a_missing_dependency(database_url):
    with pytest.raises(PluginError, match="depends on accounting"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url, "ERP_PLUGINS": ["rates"]})


def test_erp_plugins_selects_what_loads(app_factory):
    app = app_factory(ERP_PLUGINS=["accounting", "complaints"])
    assert sorted(app.extensions["erp"]["plugins"]) == ["accounting", "complaints"]
    assert "budget.view" not in app.extensions["erp"]["permissions"]
    assert "accounting.view" in app.extensions["erp"]["permissions"]


@pytest.fixture
def sample_app(app_factory):
    from sample_plugin import manifest as sample

    app = app_factory(ERP_PLUGIN_MANIFESTS=discover() + [sample])
    from erp.extensions import db

    with app.app_context():
        db.create_all(bind_key="sample")  # the test plugin ships no migration
        from erp.cli import ensure_roles

        ensure_roles()
    return app


def test_a_plugin_brings_blueprint_permission_menu_cli_and_bind(sample_app):
    from conftest import login

    from erp.extensions import db

    with sample_app.app_context():
        # Monolith mode: the plugin's bind shares the main engine (one transaction per request).
        assert db.engines["sample"] is db.engine
        assert ports.get("sample").add_thing("pump") == 1

    from erp.auth import services
    from erp.auth.models import Role

    with sample_app.app_context():
        role_id = db.session.execute(sa.select(Role.id).where(Role.code == "auditor")).scalar_one()
        services.create_user("viewer", "Viewer", "Waterworks-2026", role_ids=[role_id])
    client = sample_app.test_client()
    login(client, "viewer")
    assert client.get("/sample/").get_data(as_text=True) == "things: 1"
    home = client.get("/").get_data(as_text=True)
    assert "Sample list" in home and 'href="/sample/"' in home
    assert client.get("/sample/undeclared").status_code == 403  # no declared rule: refused

    result = sample_app.test_cli_runner().invoke(args=["sample", "count"])
    assert result.output.strip() == "1 things"


def test_ports_give_the_plugins_public_interface_in_process(app):
    with app.app_context():
        import plugins.accounting.api as accounting_api

        port = ports.get("accounting")
        assert port.post_entry is accounting_api.post_entry
        assert port.trial_balance is accounting_api.trial_balance
        # Only the Protocol's operations: request objects come from data.py, not the port.
        assert not hasattr(port, "PostingRequest") and not hasattr(port, "journal")
        assert ports.get("accounting") is port  # one per app


def test_ports_refuse_an_unknown_plugin(app):
    with app.app_context(), pytest.raises(ports.PortError, match="not installed"):
        ports.get("payroll")


def test_ports_refuse_a_plugin_not_loaded_here(app_factory):
    app = app_factory(ERP_PLUGINS=["complaints"])
    with app.app_context(), pytest.raises(ports.PortError, match="not loaded in this process"):
        ports.get("accounting")


def test_erp_ports_to_an_adapter_that_does_not_exist_stops_start_up(app_factory):
    with pytest.raises(ports.PortError, match="no adapter serves 'ftp'"):
        app_factory(ERP_PORTS={"accounting": "ftp://accounting:8000"})


def test_a_dependency_served_elsewhere_need_not_be_loaded(app_factory):
    app = app_factory(ERP_PLUGINS=["rates"], ERP_PORTS={"accounting": "http://127.0.0.1:9"},
                      ERP_SERVICE_KEY="k" * 32)
    assert sorted(app.extensions["erp"]["plugins"]) == ["rates"]
    with app.app_context():
        assert repr(ports.get("accounting")) == "<HTTP port of accounting at http://127.0.0.1:9>"
        assert {"post_entry", "trial_balance"} <= set(vars(ports.get("accounting")))
    with pytest.raises(PluginError, match="depends on accounting, which is not loaded"):
        app_factory(ERP_PLUGINS=["rates"])


def test_http_ports_without_a_service_key_stop_start_up(app_factory):
    with pytest.raises(ports.PortError, match="ERP_SERVICE_KEY is not set"):
        app_factory(ERP_PORTS={"accounting": "http://accounting:8000"}, ERP_SERVICE_KEY="")
    with pytest.raises(ports.PortError, match="shorter than 32"):
        app_factory(ERP_PORTS={"accounting": "http://accounting:8000"}, ERP_SERVICE_KEY="short")


def test_manifest_defaults():
    m = Manifest(name="x", version="1", summary="s")
    assert (m.bind_key, m.package, m.api) == ("x", "plugins.x", "plugins.x.api")


def test_roles_are_declared_by_the_core_and_the_manifests_and_every_permission_names_declared_roles(app):
    ext = app.extensions["erp"]
    owners = {code: owner for code, (owner, _role) in ext["roles"].items()}
    assert owners == {"sysadmin": "core", "auditor": "core", "accountant": "accounting", "chief_accountant": "accounting",
                      "budget_officer": "budget", "budget_requester": "budget", "budget_approver": "budget",
                      "rates_clerk": "rates", "meter_reader": "rates", "complaints_officer": "complaints",
                      "complaints_coordinator": "complaints"}
    for code, (_owner, permission) in ext["permissions"].items():
        assert set(permission.roles) <= set(owners), f"{code} names a role nobody declares: {permission.roles}"


def test_a_role_declared_twice_stops_start_up(app_factory):
    from erp.plugins import StandardRole

    twin = manifest_named("twin")
    twin.roles = (StandardRole("auditor", "Auditor again"),)
    with pytest.raises(PluginError, match="Role 'auditor' of 'twin' is already declared by 'core'"):
        app_factory(ERP_PLUGIN_MANIFESTS=discover() + [twin])


def test_each_plugin_declares_every_port_it_uses():
    """``ports.get("x")`` in a plugin's code names a plugin its manifest lists in depends or optional."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "plugins"
    for manifest in discover():
        declared = set(manifest.depends) | set(manifest.optional)
        used = set()
        for path in (root / manifest.name).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and ast.unparse(node.func) == "ports.get" and node.args
                        and isinstance(node.args[0], ast.Constant)):
                    used.add(node.args[0].value)
        assert used - {manifest.name} <= declared, f"{manifest.name} uses {sorted(used)} but declares {sorted(declared)}"

