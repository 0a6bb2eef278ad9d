"""Rates: write-offs of lapsed claims and the payments recovered on them (rates_write_off,
rates_write_off_bill, rates_write_off_recovery), refunds of credits (rates_refund), the citizens'
bill inquiry (rates_customer.phone) and their e-billing
and auto-debit applications (rates_application).

Revision ID: 30344891f088
Revises: b85e2c4a1f07
Create Date: 2026-11-26 12:30:07.928082

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '30344891f088'
down_revision = 'b85e2c4a1f07'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rates_write_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('cutoff', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('drafted_by_id', sa.Integer(), nullable=True),
    sa.Column('drafted_by', sa.String(length=50), nullable=False),
    sa.Column('drafted_at', sa.DateTime(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by', sa.String(length=50), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('posting_key', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_write_off')),
    sa.UniqueConstraint('number', name=op.f('uq_rates_write_off_number'))
    )
    op.create_table('rates_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('bank', sa.String(length=40), nullable=False),
    sa.Column('account', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('processed_by', sa.String(length=50), nullable=False),
    sa.Column('processed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['rates_customer.id'], name=op.f('fk_rates_application_customer_id_rates_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_application'))
    )
    with op.batch_alter_table('rates_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_application_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rates_application_status'), ['status'], unique=False)

    op.create_table('rates_refund',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('bank', sa.String(length=40), nullable=False),
    sa.Column('account', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('listed_by', sa.String(length=50), nullable=False),
    sa.Column('listed_at', sa.DateTime(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('paid_by', sa.String(length=50), nullable=False),
    sa.Column('posting_key', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['rates_customer.id'], name=op.f('fk_rates_refund_customer_id_rates_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_refund'))
    )
    with op.batch_alter_table('rates_refund', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_refund_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rates_refund_status'), ['status'], unique=False)

    op.create_table('rates_write_off_bill',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('write_off_id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['bill_id'], ['rates_bill.id'], name=op.f('fk_rates_write_off_bill_bill_id_rates_bill')),
    sa.ForeignKeyConstraint(['write_off_id'], ['rates_write_off.id'], name=op.f('fk_rates_write_off_bill_write_off_id_rates_write_off'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_write_off_bill')),
    sa.UniqueConstraint('write_off_id', 'bill_id', name=op.f('uq_rates_write_off_bill_write_off_id_bill_id'))
    )
    with op.batch_alter_table('rates_write_off_bill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_write_off_bill_bill_id'), ['bill_id'], unique=False)

    op.create_table('rates_write_off_recovery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('recovered_on', sa.Date(), nullable=False),
    sa.Column('posting_key', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['bill_id'], ['rates_bill.id'], name=op.f('fk_rates_write_off_recovery_bill_id_rates_bill')),
    sa.ForeignKeyConstraint(['payment_id'], ['rates_payment.id'], name=op.f('fk_rates_write_off_recovery_payment_id_rates_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_write_off_recovery')),
    sa.UniqueConstraint('payment_id', name=op.f('uq_rates_write_off_recovery_payment_id'))
    )
    with op.batch_alter_table('rates_write_off_recovery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_write_off_recovery_bill_id'), ['bill_id'], unique=False)

    with op.batch_alter_table('rates_customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('rates_customer', schema=None) as batch_op:
        batch_op.drop_column('phone')

    with op.batch_alter_table('rates_write_off_recovery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_write_off_recovery_bill_id'))

    op.drop_table('rates_write_off_recovery')
    with op.batch_alter_table('rates_write_off_bill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_write_off_bill_bill_id'))

    op.drop_table('rates_write_off_bill')
    with op.batch_alter_table('rates_refund', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_refund_status'))
        batch_op.drop_index(batch_op.f('ix_rates_refund_customer_id'))

    op.drop_table('rates_refund')
    with op.batch_alter_table('rates_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_application_status'))
        batch_op.drop_index(batch_op.f('ix_rates_application_customer_id'))

    op.drop_table('rates_application')
    op.drop_table('rates_write_off')
