"""Rates: an outbox delivery the receiver refuses (a locked month) becomes ``refused`` with the
receiver's message and stops retrying; it is reposted on an open date once asked for and approved
(the new date, who asked and who approved, and when).

Revision ID: b85e2c4a1f07
Revises: 980426569a22
Create Date: 2026-12-10 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b85e2c4a1f07'
down_revision = '980426569a22'
branch_labels = None
depends_on = None

TABLE = 'rates_outbox'
COLUMNS = [('refused_at', sa.DateTime(), None), ('repost_on', sa.Date(), None),
           ('repost_requested_by', sa.String(length=50), ''), ('repost_requested_at', sa.DateTime(), None),
           ('repost_approved_by', sa.String(length=50), ''), ('repost_approved_at', sa.DateTime(), None)]


def upgrade():
    with op.batch_alter_table(TABLE) as batch:
        for name, type_, default in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=default is None, server_default=default))


def downgrade():
    table = sa.table(TABLE, sa.column('status', sa.String))
    # A refused row goes back to pending: the former relay retried it (and it is not lost).
    op.get_bind().execute(table.update().where(table.c.status == 'refused').values(status='pending'))
    with op.batch_alter_table(TABLE) as batch:
        for name, _type, _default in reversed(COLUMNS):
            batch.drop_column(name)
