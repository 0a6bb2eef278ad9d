"""Test data: the former single migration history (core and plugin tables in one line, revisions
0001–0011, head 3f1c2a9d8e70), kept to build a database as that code left it and check that
`flask db upgrade` adopts it. Runs on the main database only, as the former env.py did."""
from alembic import context
from flask import current_app

db = current_app.extensions["migrate"].db

with db.engine.connect() as connection:
    context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
