"""Rates: bill runs, bills (regular, settlement, adjusting) and the outbox to accounting.

Revision ID: 5278d4025437
Revises: 6e5a48753db6
Create Date: 2026-11-22 02:56:28.672524

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5278d4025437'
down_revision = '6e5a48753db6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rates_bill_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('cycle', sa.String(length=10), nullable=False),
    sa.Column('route_code', sa.String(length=10), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('billed', sa.Integer(), nullable=False),
    sa.Column('total_amount', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('started_by', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_bill_run'))
    )
    with op.batch_alter_table('rates_bill_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_bill_run_period'), ['period'], unique=False)

    op.create_table('rates_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.Column('entry_number', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_outbox')),
    sa.UniqueConstraint('key', name=op.f('uq_rates_outbox_key'))
    )
    with op.batch_alter_table('rates_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_outbox_status'), ['status'], unique=False)

    op.create_table('rates_bill',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('original_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('use_type', sa.String(length=20), nullable=False),
    sa.Column('diameter', sa.Integer(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('read_on', sa.Date(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('prev_reading', sa.Integer(), nullable=False),
    sa.Column('curr_reading', sa.Integer(), nullable=False),
    sa.Column('use', sa.Integer(), nullable=False),
    sa.Column('reductions', sa.String(length=60), nullable=False),
    sa.Column('meter_amount', sa.Integer(), nullable=False),
    sa.Column('water_amount', sa.Integer(), nullable=False),
    sa.Column('sewer_amount', sa.Integer(), nullable=False),
    sa.Column('water_use_amount', sa.Integer(), nullable=False),
    sa.Column('water_reduction', sa.Integer(), nullable=False),
    sa.Column('sewer_reduction', sa.Integer(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['rates_customer.id'], name=op.f('fk_rates_bill_customer_id_rates_customer')),
    sa.ForeignKeyConstraint(['original_id'], ['rates_bill.id'], name=op.f('fk_rates_bill_original_id_rates_bill')),
    sa.ForeignKeyConstraint(['run_id'], ['rates_bill_run.id'], name=op.f('fk_rates_bill_run_id_rates_bill_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_bill')),
    sa.UniqueConstraint('customer_id', 'period', 'kind', 'reference', name=op.f('uq_rates_bill_customer_id_period_kind_reference')),
    sa.UniqueConstraint('number', name=op.f('uq_rates_bill_number'))
    )
    with op.batch_alter_table('rates_bill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_bill_run_id'), ['run_id'], unique=False)

    with op.batch_alter_table('rates_reading', schema=None) as batch_op:
        batch_op.create_index('ix_rates_reading_customer_read_on', ['customer_id', 'read_on'], unique=False)



def downgrade():
    with op.batch_alter_table('rates_reading', schema=None) as batch_op:
        batch_op.drop_index('ix_rates_reading_customer_read_on')

    with op.batch_alter_table('rates_bill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_bill_run_id'))

    op.drop_table('rates_bill')
    with op.batch_alter_table('rates_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_outbox_status'))

    op.drop_table('rates_outbox')
    with op.batch_alter_table('rates_bill_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_bill_run_period'))

    op.drop_table('rates_bill_run')
