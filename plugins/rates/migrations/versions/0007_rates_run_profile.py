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
    # Frozen here (a revision never changes): the profile of every run already finished. Built
    # with SQLAlchemy so the column `use` (a reserved word in MariaDB) is quoted per dialect.
    bill = sa.table("rates_bill", *(sa.column(name) for name in (
        "run_id", "customer_id", "use_type", "diameter", "households", "use", "reductions", "kind")))
    customer = sa.table("rates_customer", sa.column("id"), sa.column("cycle"), sa.column("mixed"),
                        sa.column("water_use_rate"))
    run = sa.table("rates_bill_run", sa.column("id"), sa.column("status"))
    profile = sa.table("rates_run_profile", *(sa.column(name) for name in (
        "run_id", "use_type", "diameter", "households", "use", "reductions", "cycle", "mixed", "water_use_rate",
        "bills")))
    grouped = (bill.c.run_id, bill.c.use_type, bill.c.diameter, bill.c.households, bill.c.use, bill.c.reductions,
               customer.c.cycle, customer.c.mixed, customer.c.water_use_rate)
    query = (sa.select(*grouped, sa.func.count())
             .select_from(bill.join(customer, customer.c.id == bill.c.customer_id).join(run, run.c.id == bill.c.run_id))
             .where(run.c.status == "finished", bill.c.kind == "regular")
             .group_by(*grouped))
    op.execute(profile.insert().from_select([c.name for c in profile.c], query))


def downgrade():
    with op.batch_alter_table('rates_run_profile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_run_profile_run_id'))

    op.drop_table('rates_run_profile')
