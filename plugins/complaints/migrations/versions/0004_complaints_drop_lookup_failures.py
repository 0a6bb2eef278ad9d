"""Complaints: the failed look-ups table goes; look-ups are rate-limited by erp.web.limits.

Revision ID: 7c41d0e9a2b8
Revises: 75640ef5fbf3
Create Date: 2026-11-27 10:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c41d0e9a2b8'
down_revision = '75640ef5fbf3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('complaints_lookup_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_lookup_failure_ip'))
        batch_op.drop_index(batch_op.f('ix_complaints_lookup_failure_at'))
    op.drop_table('complaints_lookup_failure')


def downgrade():
    op.create_table('complaints_lookup_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints_lookup_failure'))
    )
    with op.batch_alter_table('complaints_lookup_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_lookup_failure_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_lookup_failure_ip'), ['ip'], unique=False)
