"""Budget: audit summaries kept as a message id and its values (``message``, JSON), so that
the audit page and its Excel export show them in the reader's language. Rows written before keep
their finished text in ``summary``.

Revision ID: dc3f07c1c56d
Revises: 2e8d4b6f1c57
Create Date: 2026-11-26 13:00:00

"""
from alembic import op

from erp.audit import schema

# revision identifiers, used by Alembic.
revision = 'dc3f07c1c56d'
down_revision = '2e8d4b6f1c57'
branch_labels = None
depends_on = None

PREFIX = 'budget'


def upgrade():
    schema.add_message_column(op, PREFIX)


def downgrade():
    schema.drop_message_column(op, PREFIX)
