"""The migrations build the schema the models describe, on SQLite and MariaDB: the core's history
and each plugin's, each on its bind's database (one database in monolith mode, one per service
in split mode), and a database built by the former single history is adopted without loss."""
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from erp import create_app, migrating
from erp.extensions import db

PLUGINS = ("accounting", "budget", "complaints", "rates")
DEPENDS = {"accounting": [], "budget": ["accounting"], "complaints": [], "rates": ["accounting"]}


def _history_tables(app) -> dict[str | None, set[str]]:
    """{bind key: the table names of its models} for the core and every loaded plugin."""
    loaded = {loaded.manifest.bind_key for loaded in app.extensions["erp"]["plugins"].values()}
    return {key: set(m.tables) for key, m in db.metadatas.items() if key is None or key in loaded}


def _assert_models_match_databases(app):
    """Each bind's models equal what its history built in its database, and every database holds
    the tables of the histories that live there and nothing else."""
    with app.app_context():
        expected_by_engine: dict = {}
        for key, tables in _history_tables(app).items():
            engine = db.engines[key]
            expected_by_engine.setdefault(engine, set()).update(tables | {migrating.version_table(key)})
            metadata = db.metadatas[key]
            with engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={
                    "compare_type": True,
                    "include_name": lambda name, type_, parents, m=metadata: type_ != "table" or name in m.tables,
                })
                diff = compare_metadata(context, metadata)
            assert diff == [], f"the models of bind {key or 'core'} differ from the migrated schema: {diff}"
        for engine, expected in expected_by_engine.items():
            assert set(sa.inspect(engine).get_table_names()) == expected, engine.url


def test_models_and_migrations_agree(app):
    _assert_models_match_databases(app)


def test_migrations_are_at_head(client):
    assert client.get("/readyz").get_json()["checks"]["migrations"] == "ok"


def test_a_history_behind_its_head_makes_the_service_not_ready(app, client):
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version_rates SET version_num = '5278d4025437'"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "rates at 5278d4025437" in response.get_json()["checks"]["migrations"]


def test_flask_db_current_and_heads_name_every_history(app):
    runner = app.test_cli_runner()
    heads = runner.invoke(args=["db", "heads"])
    assert heads.exit_code == 0, heads.output
    for name in ("core", *PLUGINS):
        assert f"{name} (alembic_version" in heads.output
    current = runner.invoke(args=["db", "current"])
    assert current.exit_code == 0, current.output
    assert "rates (alembic_version_rates)" in current.output and "(head)" in current.output


# --- split mode: one database per service ----------------------------------------------------

def _split_app(tmp_path, monkeypatch, plugins):
    core_url = f"sqlite:///{tmp_path / 'core.sqlite'}"
    for name in plugins:
        monkeypatch.setenv(f"DATABASE_URL_{name.upper()}", f"sqlite:///{tmp_path / (name + '.sqlite')}")
    return create_app({"SQLALCHEMY_DATABASE_URI": core_url, "TESTING": True, "ERP_PLUGINS": list(plugins),
                       "ERP_STORAGE_DIR": str(tmp_path / "storage")})


def _tables_of(path: Path) -> set[str]:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _dispose(app):
    with app.app_context():
        db.session.remove()
        for engine in app.extensions.get("erp_engines_by_url", {}).values():
            engine.dispose()


def test_split_mode_migrates_each_service_database_with_only_its_own_tables(tmp_path, monkeypatch):
    app = _split_app(tmp_path, monkeypatch, PLUGINS)
    try:
        with app.app_context():
            migrating.upgrade()
        core = _tables_of(tmp_path / "core.sqlite")
        assert "core_user" in core and "core_audit_log" in core and "alembic_version" in core
        assert not [t for t in core if t.startswith(PLUGINS)], core
        assert not [t for t in core if t.startswith("alembic_version_")]
        for name in PLUGINS:
            tables = _tables_of(tmp_path / f"{name}.sqlite")
            assert tables and all(t.startswith(name + "_") or t == f"alembic_version_{name}" for t in tables), tables
            assert {f"{name}_audit_log", f"{name}_audit_head", f"alembic_version_{name}"} <= tables
        _assert_models_match_databases(app)
        assert app.test_client().get("/readyz").get_json()["checks"]["migrations"] == "ok"
    finally:
        _dispose(app)


@pytest.mark.parametrize("plugin", PLUGINS)
def test_each_plugin_migrates_alone_into_its_own_database(plugin, tmp_path, monkeypatch):
    """The plugin (with what it depends on, in the main database) gets its own SQLite file."""
    monkeypatch.setenv(f"DATABASE_URL_{plugin.upper()}", f"sqlite:///{tmp_path / 'service.sqlite'}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'main.sqlite'}", "TESTING": True,
                      "ERP_PLUGINS": DEPENDS[plugin] + [plugin], "ERP_STORAGE_DIR": str(tmp_path / "storage")})
    try:
        with app.app_context():
            migrating.upgrade()
            expected = set(db.metadatas[plugin].tables) | {f"alembic_version_{plugin}"}
        assert _tables_of(tmp_path / "service.sqlite") == expected
        assert not [t for t in _tables_of(tmp_path / "main.sqlite") if t.startswith(plugin + "_")]
        _assert_models_match_databases(app)
    finally:
        _dispose(app)
