"""Rates: arrears — the late-charge, disconnection, reminder and instalment settings of a tariff
version; the 체납액 carried onto a bill; arrears runs and their late charges (가산금); instalment
plans (분납); disconnections and reconnections.

Revision ID: 9c41e7a2d5b3
Revises: 6a2a9ab2141e
Create Date: 2026-12-01 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9c41e7a2d5b3'
down_revision = '6a2a9ab2141e'
branch_labels = None
depends_on = None

TARIFF_SETTINGS = (
    ('late_monthly_rate', sa.Numeric(precision=6, scale=4), '0'),
    ('late_monthly_months', sa.Integer(), '60'),
    ('late_monthly_threshold', sa.BigInteger(), '0'),
    ('disconnect_months', sa.Integer(), '3'),
    ('disconnect_amount', sa.BigInteger(), '0'),
    ('protected_reductions', sa.String(length=100), 'WELFARE'),
    ('reminder_days', sa.Integer(), '10'),
    ('instalment_grace_days', sa.Integer(), '0'),
)


def upgrade():
    with op.batch_alter_table('rates_tariff') as batch:
        for name, type_, default in TARIFF_SETTINGS:
            batch.add_column(sa.Column(name, type_, nullable=False, server_default=default))
    with op.batch_alter_table('rates_tariff') as batch:
        for name, type_, _default in TARIFF_SETTINGS:
            batch.alter_column(name, existing_type=type_, server_default=None)
    # The server default stays: the bill run's bulk insert does not name the column.
    op.add_column('rates_bill', sa.Column('arrears', sa.BigInteger(), nullable=False, server_default='0'))
    op.create_table('rates_arrears_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('charges', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('credit_used', sa.BigInteger(), nullable=False),
    sa.Column('plans_ended', sa.Integer(), nullable=False),
    sa.Column('started_by', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_arrears_run')),
    sa.UniqueConstraint('as_of', name=op.f('uq_rates_arrears_run_as_of'))
    )
    op.create_table('rates_late_charge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('base', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('paid', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['bill_id'], ['rates_bill.id'], name=op.f('fk_rates_late_charge_bill_id_rates_bill')),
    sa.ForeignKeyConstraint(['customer_id'], ['rates_customer.id'], name=op.f('fk_rates_late_charge_customer_id_rates_customer')),
    sa.ForeignKeyConstraint(['run_id'], ['rates_arrears_run.id'], name=op.f('fk_rates_late_charge_run_id_rates_arrears_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_late_charge')),
    sa.UniqueConstraint('bill_id', 'kind', 'seq', name=op.f('uq_rates_late_charge_bill_id_kind_seq'))
    )
    op.create_index(op.f('ix_rates_late_charge_customer_id'), 'rates_late_charge', ['customer_id'], unique=False)
    op.create_index(op.f('ix_rates_late_charge_run_id'), 'rates_late_charge', ['run_id'], unique=False)
    op.create_table('rates_instalment_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('covered_through', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_by', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['rates_customer.id'], name=op.f('fk_rates_instalment_plan_customer_id_rates_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_instalment_plan'))
    )
    op.create_index(op.f('ix_rates_instalment_plan_customer_id'), 'rates_instalment_plan', ['customer_id'], unique=False)
    op.create_table('rates_instalment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['rates_instalment_plan.id'], name=op.f('fk_rates_instalment_plan_id_rates_instalment_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_instalment'))
    )
    op.create_index(op.f('ix_rates_instalment_plan_id'), 'rates_instalment', ['plan_id'], unique=False)
    op.create_table('rates_supply_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('recorded_by', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['rates_customer.id'], name=op.f('fk_rates_supply_event_customer_id_rates_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_supply_event'))
    )
    op.create_index(op.f('ix_rates_supply_event_customer_id'), 'rates_supply_event', ['customer_id'], unique=False)


def downgrade():
    for table in ('rates_supply_event', 'rates_instalment', 'rates_instalment_plan', 'rates_late_charge', 'rates_arrears_run'):
        op.drop_table(table)
    with op.batch_alter_table('rates_bill') as batch:
        batch.drop_column('arrears')
    with op.batch_alter_table('rates_tariff') as batch:
        for name, _type, _default in TARIFF_SETTINGS:
            batch.drop_column(name)
