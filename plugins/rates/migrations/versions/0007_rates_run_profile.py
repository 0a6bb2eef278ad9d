"""Rates: each finished bill run's profile (its regular bills grouped by what the tariff charges
on), which the tariff simulation reads instead of every bill; the runs finished before are
profiled from their bills here.

Revision ID: d9ba4f7600e2
Revises: c3d9a1e4f7b2
Create Date: 2026-11-26 10:28:50.102371

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd9ba4f7600e2'
down_revision = 'c3d9a1e4f7b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rates_run_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('use_type', sa.String(length=20), nullable=False),
    sa.Column('diameter', sa.Integer(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('use', sa.Integer(), nullable=False),
    sa.Column('reductions', sa.String(length=60), nullable=False),
    sa.Column('cycle', sa.String(length=10), nullable=False),
    sa.Column('mixed', sa.Boolean(), nullable=False),
    sa.Column('water_use_rate', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('bills', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['rates_bill_run.id'], name=op.f('fk_rates_run_profile_run_id_rates_bill_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_run_profile'))
    )
    with op.batch_alter_table('rates_run_profile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_run_profile_run_id'), ['run_id'], unique=False)
    # Frozen here (a revision never changes): the profile of every run already finished.
    op.execute("INSERT INTO rates_run_profile (run_id, use_type, diameter, households, use, reductions, cycle, mixed, "
               "water_use_rate, bills) "
               "SELECT b.run_id, b.use_type, b.diameter, b.households, b.use, b.reductions, c.cycle, c.mixed, "
               "c.water_use_rate, COUNT(*) FROM rates_bill b JOIN rates_customer c ON c.id = b.customer_id "
               "JOIN rates_bill_run r ON r.id = b.run_id WHERE r.status = 'finished' AND b.kind = 'regular' "
               "GROUP BY b.run_id, b.use_type, b.diameter, b.households, b.use, b.reductions, c.cycle, c.mixed, c.water_use_rate")


def downgrade():
    with op.batch_alter_table('rates_run_profile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_run_profile_run_id'))

    op.drop_table('rates_run_profile')
