"""Alembic environment of the accounting plugin's history: its tables, on its bind's engine, version
table ``alembic_version_accounting``. ``flask db upgrade`` runs it with the others (erp.migrating);
autogenerate a revision of it with ``flask db migrate -d plugins/accounting/migrations -m "…"``."""
from erp.migrating import run_environment
from plugins.accounting import manifest

run_environment(manifest.bind_key)
