"""Core: audit summaries kept as a message id and its values (``message``, JSON), so that
the audit page and its Excel export show them in the reader's language. Rows written before keep
their finished text in ``summary``.

Revision ID: 0016c4a8e2b7
Revises: 0017d3f8b6c4
Create Date: 2026-11-26 13:00:00

"""
from alembic import op

from erp.audit import schema

# revision identifiers, used by Alembic.
revision = '0016c4a8e2b7'
down_revision = '0017d3f8b6c4'
branch_labels = None
depends_on = None

PREFIX = 'core'


def upgrade():
    schema.add_message_column(op, PREFIX)


def downgrade():
    schema.drop_message_column(op, PREFIX)
