"""Rates: customers, reductions granted, history, meters, readings.

Revision ID: 45e8d7537630
Revises: 5037dc017593
Create Date: 2026-11-22 01:49:43.809130

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '45e8d7537630'
down_revision = '5037dc017593'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rates_customer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_no', sa.String(length=14), nullable=False),
    sa.Column('holder_name', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('use_type', sa.String(length=20), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('mixed', sa.Boolean(), nullable=False),
    sa.Column('cycle', sa.String(length=10), nullable=False),
    sa.Column('route_code', sa.String(length=10), nullable=False),
    sa.Column('e_billing', sa.Boolean(), nullable=False),
    sa.Column('auto_debit', sa.Boolean(), nullable=False),
    sa.Column('virtual_account', sa.String(length=40), nullable=False),
    sa.Column('water_use_rate', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('moved_in_on', sa.Date(), nullable=True),
    sa.Column('moved_out_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_customer')),
    sa.UniqueConstraint('account_no', name=op.f('uq_rates_customer_account_no'))
    )
    with op.batch_alter_table('rates_customer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_customer_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_rates_customer_holder_name'), ['holder_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_rates_customer_route_code'), ['route_code'], unique=False)

    op.create_table('rates_customer_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('before', sa.String(length=100), nullable=False),
    sa.Column('after', sa.String(length=100), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['rates_customer.id'], name=op.f('fk_rates_customer_event_customer_id_rates_customer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_customer_event'))
    )
    with op.batch_alter_table('rates_customer_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_customer_event_customer_id'), ['customer_id'], unique=False)

    op.create_table('rates_customer_reduction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('evidence', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['rates_customer.id'], name=op.f('fk_rates_customer_reduction_customer_id_rates_customer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_customer_reduction'))
    )
    with op.batch_alter_table('rates_customer_reduction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_customer_reduction_customer_id'), ['customer_id'], unique=False)

    op.create_table('rates_meter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=30), nullable=False),
    sa.Column('diameter', sa.Integer(), nullable=False),
    sa.Column('installed_on', sa.Date(), nullable=False),
    sa.Column('start_reading', sa.Integer(), nullable=False),
    sa.Column('removed_on', sa.Date(), nullable=True),
    sa.Column('final_reading', sa.Integer(), nullable=True),
    sa.Column('max_reading', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['rates_customer.id'], name=op.f('fk_rates_meter_customer_id_rates_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_meter')),
    sa.UniqueConstraint('serial', name=op.f('uq_rates_meter_serial'))
    )
    with op.batch_alter_table('rates_meter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_meter_customer_id'), ['customer_id'], unique=False)

    op.create_table('rates_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('read_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('use', sa.Integer(), nullable=False),
    sa.Column('rollover', sa.Boolean(), nullable=False),
    sa.Column('flag', sa.String(length=10), nullable=False),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('entered_by', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['rates_customer.id'], name=op.f('fk_rates_reading_customer_id_rates_customer')),
    sa.ForeignKeyConstraint(['meter_id'], ['rates_meter.id'], name=op.f('fk_rates_reading_meter_id_rates_meter')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_reading')),
    sa.UniqueConstraint('meter_id', 'read_on', name=op.f('uq_rates_reading_meter_id_read_on'))
    )
    with op.batch_alter_table('rates_reading', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_reading_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rates_reading_meter_id'), ['meter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rates_reading_read_on'), ['read_on'], unique=False)



def downgrade():
    with op.batch_alter_table('rates_reading', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_reading_read_on'))
        batch_op.drop_index(batch_op.f('ix_rates_reading_meter_id'))
        batch_op.drop_index(batch_op.f('ix_rates_reading_customer_id'))

    op.drop_table('rates_reading')
    with op.batch_alter_table('rates_meter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_meter_customer_id'))

    op.drop_table('rates_meter')
    with op.batch_alter_table('rates_customer_reduction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_customer_reduction_customer_id'))

    op.drop_table('rates_customer_reduction')
    with op.batch_alter_table('rates_customer_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_customer_event_customer_id'))

    op.drop_table('rates_customer_event')
    with op.batch_alter_table('rates_customer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_customer_route_code'))
        batch_op.drop_index(batch_op.f('ix_rates_customer_holder_name'))
        batch_op.drop_index(batch_op.f('ix_rates_customer_address'))

    op.drop_table('rates_customer')
