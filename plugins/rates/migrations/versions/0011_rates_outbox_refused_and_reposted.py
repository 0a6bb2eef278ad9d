"""Rates: an outbox delivery the receiver refuses (a locked month) becomes ``refused`` with the
receiver's message and stops retrying; it is reposted on an open date once asked for and approved
(the new date, who asked and who approved, and when).

Revision ID: b85e2c4a1f07
Revises: 980426569a22
Create Date: 2026-12-10 10:00:00

"""
from alembic import op

from erp.common.outbox_schema import add_repost_columns, drop_repost_columns

# revision identifiers, used by Alembic.
revision = 'b85e2c4a1f07'
down_revision = '980426569a22'
branch_labels = None
depends_on = None

TABLE = 'rates_outbox'


def upgrade():
    add_repost_columns(op, TABLE)


def downgrade():
    drop_repost_columns(op, TABLE)
