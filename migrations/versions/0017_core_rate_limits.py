"""Core: rate-limit counters kept in the database (erp.web.limits).

Revision ID: 0017d3f8b6c4
Revises: 0016c5e2a7b1
Create Date: 2026-11-27 10:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017d3f8b6c4'
down_revision = '0016c5e2a7b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('core_rate_limit',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_core_rate_limit'))
    )
    op.create_index(op.f('ix_core_rate_limit_expires_at'), 'core_rate_limit', ['expires_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_core_rate_limit_expires_at'), table_name='core_rate_limit')
    op.drop_table('core_rate_limit')
