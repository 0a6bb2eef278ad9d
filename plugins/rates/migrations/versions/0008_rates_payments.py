"""Rates: payments from every channel (rates_payment, identity channel + transaction id),
the bank gateways that push them (rates_payment_gateway), CMS auto-debits (rates_cms_debit),
and customers found by virtual account.

Revision ID: 6a2a9ab2141e
Revises: d9ba4f7600e2
Create Date: 2026-11-26 10:21:16.959002

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '6a2a9ab2141e'
down_revision = 'd9ba4f7600e2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rates_payment_gateway',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_payment_gateway')),
    sa.UniqueConstraint('name', name=op.f('uq_rates_payment_gateway_name')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_rates_payment_gateway_token_hash'))
    )
    op.create_table('rates_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('txn_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('transferred_on', sa.Date(), nullable=True),
    sa.Column('bank_code', sa.String(length=3), nullable=False),
    sa.Column('branch_code', sa.String(length=4), nullable=False),
    sa.Column('giro_no', sa.String(length=10), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('payer', sa.String(length=100), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('applied', sa.BigInteger(), nullable=False),
    sa.Column('credit', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('posting_key', sa.String(length=120), nullable=False),
    sa.Column('matched_on', sa.Date(), nullable=True),
    sa.Column('created_by', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bill_id'], ['rates_bill.id'], name=op.f('fk_rates_payment_bill_id_rates_bill')),
    sa.ForeignKeyConstraint(['customer_id'], ['rates_customer.id'], name=op.f('fk_rates_payment_customer_id_rates_customer')),
    sa.ForeignKeyConstraint(['reverses_id'], ['rates_payment.id'], name=op.f('fk_rates_payment_reverses_id_rates_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_payment')),
    sa.UniqueConstraint('channel', 'txn_id', name=op.f('uq_rates_payment_channel_txn_id'))
    )
    with op.batch_alter_table('rates_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_payment_bill_id'), ['bill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rates_payment_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_rates_payment_day_channel', ['received_on', 'channel'], unique=False)

    with op.batch_alter_table('rates_customer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_customer_virtual_account'), ['virtual_account'], unique=False)

    op.create_table('rates_cms_debit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('txn_id', sa.String(length=30), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('result_code', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=100), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['bill_id'], ['rates_bill.id'], name=op.f('fk_rates_cms_debit_bill_id_rates_bill')),
    sa.ForeignKeyConstraint(['customer_id'], ['rates_customer.id'], name=op.f('fk_rates_cms_debit_customer_id_rates_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_cms_debit')),
    sa.UniqueConstraint('bill_id', 'due_on', name=op.f('uq_rates_cms_debit_bill_id_due_on')),
    sa.UniqueConstraint('txn_id', name=op.f('uq_rates_cms_debit_txn_id'))
    )
    with op.batch_alter_table('rates_cms_debit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_cms_debit_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rates_cms_debit_due_on'), ['due_on'], unique=False)


def downgrade():
    with op.batch_alter_table('rates_cms_debit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_cms_debit_due_on'))
        batch_op.drop_index(batch_op.f('ix_rates_cms_debit_customer_id'))

    op.drop_table('rates_cms_debit')

    with op.batch_alter_table('rates_customer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_customer_virtual_account'))

    with op.batch_alter_table('rates_payment', schema=None) as batch_op:
        batch_op.drop_index('ix_rates_payment_day_channel')
        batch_op.drop_index(batch_op.f('ix_rates_payment_customer_id'))
        batch_op.drop_index(batch_op.f('ix_rates_payment_bill_id'))

    op.drop_table('rates_payment')
    op.drop_table('rates_payment_gateway')
