"""Rates: a write-off's bill keeps, of the amount written off, the late charges (가산금) it held at
the approval. The receivables chart, which adds up bills without their late charges, takes off the
rest; worked out afresh, a late charge re-opened afterwards (a credit given back) moved it.
Write-offs approved before: the late charges as they are now.

Revision ID: 8e2f6b4a9c13
Revises: 5a9d3e1c7b42
Create Date: 2026-11-27 05:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '8e2f6b4a9c13'
down_revision = '5a9d3e1c7b42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rates_write_off_bill') as batch:
        batch.add_column(sa.Column('late', sa.BigInteger(), nullable=False, server_default='0'))
    with op.batch_alter_table('rates_write_off_bill') as batch:
        batch.alter_column('late', existing_type=sa.BigInteger(), server_default=None)
    # Constant SQL over the tables' own columns.
    op.execute(
        "UPDATE rates_write_off_bill SET late = COALESCE(("
        " SELECT SUM(c.amount - c.paid) FROM rates_late_charge c JOIN rates_bill b ON b.id = c.bill_id"
        " WHERE b.id = rates_write_off_bill.bill_id"
        " OR (b.kind = 'adjusting' AND b.original_id = rates_write_off_bill.bill_id)), 0)")


def downgrade():
    with op.batch_alter_table('rates_write_off_bill') as batch:
        batch.drop_column('late')
