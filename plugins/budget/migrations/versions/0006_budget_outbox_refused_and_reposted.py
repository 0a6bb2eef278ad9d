"""Budget: an outbox delivery the receiver refuses (a locked month) becomes ``refused`` with the
receiver's message and stops retrying; it is reposted on an open date once asked for and approved
(the new date, who asked and who approved, and when).

Revision ID: 7d3f1a9c4e62
Revises: dc3f07c1c56d
Create Date: 2026-12-10 10:00:00

"""
from alembic import op

from erp.common.outbox_schema import add_repost_columns, drop_repost_columns

# revision identifiers, used by Alembic.
revision = '7d3f1a9c4e62'
down_revision = 'dc3f07c1c56d'
branch_labels = None
depends_on = None

TABLE = 'budget_outbox'


def upgrade():
    add_repost_columns(op, TABLE)


def downgrade():
    drop_repost_columns(op, TABLE)
