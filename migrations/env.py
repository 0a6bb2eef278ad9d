"""Alembic environment: one migration history for the core's and every plugin's tables.

In monolith mode every bind shares the main database and engine, so one history migrates them
all. Uses ``db.engine`` (flask-migrate's generated ``get_engine`` is deprecated).
"""
from __future__ import annotations

import logging

from alembic import context
from flask import current_app

config = context.config
logger = logging.getLogger("alembic.env")
db = current_app.extensions["migrate"].db


def target_metadata():
    """Every metadata whose bind lives in the main database."""
    main = db.engine
    result = []
    for key, metadata in db.metadatas.items():
        if key is None or db.engines.get(key) is main:
            result.append(metadata)
        else:
            logger.warning("bind %r uses its own database: its tables are not migrated from here", key)
    return result


def run_migrations_offline():
    context.configure(
        url=db.engine.url.render_as_string(hide_password=False),
        target_metadata=target_metadata(),
        literal_binds=True,
        render_as_batch=db.engine.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(ctx, revision, directives):
        # An autogenerate that finds nothing writes no empty revision.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("compare_type", True)
    conf_args.setdefault("render_as_batch", db.engine.dialect.name == "sqlite")
    with db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata(), **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
