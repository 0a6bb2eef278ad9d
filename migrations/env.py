"""Alembic environment of the core's history (core tables only, version table
``alembic_version``); each plugin's history has its own under ``plugins/<name>/migrations/``.
``flask db upgrade`` runs them all: see :mod:`erp.migrating`."""
from erp.migrating import run_environment

run_environment(None)
