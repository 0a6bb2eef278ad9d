"""The migrations build the schema the models describe, on SQLite and MariaDB."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from erp.extensions import db


def test_models_and_migrations_agree(app):
    loaded = set(app.extensions["erp"]["plugins"])
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        metadatas = [m for key, m in db.metadatas.items() if key is None or key in loaded]
        diff = compare_metadata(context, metadatas)
        assert diff == [], f"the models differ from the migrated schema: {diff}"


def test_migrations_are_at_head(client):
    assert client.get("/readyz").get_json()["checks"]["migrations"] == "ok"
