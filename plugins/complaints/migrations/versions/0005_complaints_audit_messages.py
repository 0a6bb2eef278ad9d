"""Complaints: audit summaries kept as a message id and its values (``message``, JSON), so that
the audit page and its Excel export show them in the reader's language. Rows written before keep
their finished text in ``summary``.

Revision ID: 15c95514ffd8
Revises: 7c41d0e9a2b8
Create Date: 2026-11-26 13:00:00

"""
from alembic import op

from erp.audit import schema

# revision identifiers, used by Alembic.
revision = '15c95514ffd8'
down_revision = '7c41d0e9a2b8'
branch_labels = None
depends_on = None

PREFIX = 'complaints'


def upgrade():
    schema.add_message_column(op, PREFIX)


def downgrade():
    schema.drop_message_column(op, PREFIX)
