"""Rates: meter-reading routes assigned to readers (rates_route_assignment).

Revision ID: 8d4b2e6f1a37
Revises: 3c1f7a9e5b20
Create Date: 2026-11-26 13:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '8d4b2e6f1a37'
down_revision = '3c1f7a9e5b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rates_route_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('route_code', sa.String(length=10), nullable=False),
    sa.Column('reader_id', sa.Integer(), nullable=False),
    sa.Column('reader_name', sa.String(length=100), nullable=False),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.Column('assigned_by', sa.String(length=50), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_route_assignment')),
    sa.UniqueConstraint('route_code', name=op.f('uq_rates_route_assignment_route_code'))
    )
    op.create_index(op.f('ix_rates_route_assignment_reader_id'), 'rates_route_assignment', ['reader_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_rates_route_assignment_reader_id'), table_name='rates_route_assignment')
    op.drop_table('rates_route_assignment')
