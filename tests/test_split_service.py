"""One service of a split deployment, in process: the core alone (``ERP_PLUGINS=none``) and a
plugin's service show the whole navigation — the menus, citizens' links and permissions of the
plugins other services run — and build their paths; a request for such a path that reaches the
wrong service is a 404; a Core statement over a plugin's tables runs in the plugin's database."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from conftest import login
from flask import url_for
from werkzeug.routing import BuildError

from erp.config import _list

KEY = "split-service-test-key-" + "0123456789abcdef" * 2
ELSEWHERE = {name: f"http://127.0.0.1:{port}" for name, port in
             (("accounting", 9), ("budget", 9), ("complaints", 9), ("rates", 9))}


def test_erp_plugins_none_loads_the_core_alone():
    assert _list("none") == [] and _list("") is None and _list("rates, budget") == ["rates", "budget"]


def test_the_core_service_links_every_plugin_served_elsewhere(app_factory, make_user):
    app = app_factory(ERP_PLUGINS=[], ERP_PORTS=ELSEWHERE, ERP_SERVICE_KEY=KEY)
    assert app.extensions["erp"]["plugins"] == {}
    make_user("clerk", roles=["rates_clerk", "accountant"], name="한요금")
    client = app.test_client()
    # the citizens' links in the header of every page, before any login
    login_page = client.get("/login").get_data(as_text=True)
    assert 'href="/rates/calculator"' in login_page and 'href="/complaints/new"' in login_page
    login(client, "clerk")
    home = client.get("/").get_data(as_text=True)
    for path in ("/rates/customers", "/rates/bill-runs", "/accounting/entries"):
        assert f'href="{path}"' in home
    reader = app.test_client()
    make_user("reader", roles=["meter_reader"])
    login(reader, "reader")
    menus = reader.get("/").get_data(as_text=True)
    assert 'href="/rates/routes"' in menus and 'href="/accounting/' not in menus  # only what the roles open
    # the role page lists the permissions of the plugins served elsewhere, to be granted here
    with app.test_request_context():
        assert url_for("rates.bill_run", run_id=7) == "/rates/bill-runs/7"
        assert "rates.billing" in app.extensions["erp"]["permissions"]
    # a request that reaches this service for another's page (no gateway in front)
    missing = client.get("/rates/customers")
    assert missing.status_code == 404
    # the operations figures count only the outboxes of plugins loaded here (the others' tables
    # are in their own databases: the operations page answered 500 through the gateway)
    from erp.ops import figures

    with app.app_context():
        assert figures.outboxes() == []


def test_a_plugin_service_links_the_others_and_serves_its_own(app_factory, make_user):
    routes = {name: target for name, target in ELSEWHERE.items() if name != "rates"}
    app = app_factory(ERP_PLUGINS=["rates"], ERP_PORTS=routes, ERP_SERVICE_KEY=KEY)
    make_user("clerk", roles=["rates_clerk", "accountant"])
    client = app.test_client()
    login(client, "clerk")
    page = client.get("/rates/customers")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/accounting/entries"' in html and 'href="/rates/bill-runs"' in html
    assert client.get("/accounting/entries").status_code == 404


def test_without_routes_nothing_of_an_unloaded_plugin_is_shown(app_factory, make_user):
    """A plugin that is neither loaded nor routed is simply absent (no links to nowhere)."""
    app = app_factory(ERP_PLUGINS=["accounting"])
    make_user("clerk", roles=["rates_clerk", "accountant"])
    client = app.test_client()
    login(client, "clerk")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/accounting/entries"' in home and "/rates/" not in home
    with app.test_request_context(), pytest.raises(BuildError):
        url_for("rates.customers")


def test_a_core_statement_over_a_plugin_table_runs_in_the_plugins_own_database(app_factory, tmp_path, database_url):
    """Flask-SQLAlchemy sends a statement that names no mapper to the default database; the
    application's session finds the bind of the tables it reads (split mode keeps accounting's
    tables only in accounting's database)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("two databases made from the SQLite template file")
    import shutil

    from erp.extensions import db
    from plugins.accounting.models import MonthlyBalance

    own = tmp_path / "accounting.sqlite"
    shutil.copyfile(database_url.removeprefix("sqlite:///"), own)
    app = app_factory(ERP_PLUGINS=["accounting"], SQLALCHEMY_BINDS={"accounting": f"sqlite:///{own}"})
    with app.app_context():
        with db.engines["accounting"].begin() as conn:  # a row only the plugin's database holds
            conn.execute(sa.text("INSERT INTO accounting_balance (account_id, year, month, debit, credit) "
                                 "SELECT id, 2026, 1, 5, 0 FROM accounting_account LIMIT 1"))
        table = MonthlyBalance.__table__
        assert db.session.execute(sa.select(sa.func.sum(table.c.debit))).scalar() == 5
        with db.engines[None].connect() as conn:
            assert conn.execute(sa.text("SELECT COUNT(*) FROM accounting_balance")).scalar() == 0
