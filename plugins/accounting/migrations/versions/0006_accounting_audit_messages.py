"""Accounting: audit summaries kept as a message id and its values (``message``, JSON), so that
the audit page and its Excel export show them in the reader's language. Rows written before keep
their finished text in ``summary``.

Revision ID: df7ff3ebf192
Revises: 8c41e2f7a0d3
Create Date: 2026-11-26 13:00:00

"""
from alembic import op

from erp.audit import schema

# revision identifiers, used by Alembic.
revision = 'df7ff3ebf192'
down_revision = '8c41e2f7a0d3'
branch_labels = None
depends_on = None

PREFIX = 'accounting'


def upgrade():
    schema.add_message_column(op, PREFIX)


def downgrade():
    schema.drop_message_column(op, PREFIX)
