"""Alembic environment of the budget plugin's history: its tables, on its bind's engine, version
table ``alembic_version_budget``. ``flask db upgrade`` runs it with the others (erp.migrating);
autogenerate a revision of it with ``flask db migrate -d plugins/budget/migrations -m "…"``."""
from erp.migrating import run_environment
from plugins.budget import manifest

run_environment(manifest.bind_key)
