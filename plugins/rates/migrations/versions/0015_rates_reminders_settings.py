"""Rates: the reminders (독촉장) issued, per bill, with their new due date; the tariff setting that
lists a customer for a disconnection notice only after a reminder's due date has passed; the unused
``late_cap`` column dropped (the monthly addition's cap is ``late_monthly_months``).

Revision ID: 7f3b2c9e1d84
Revises: 8d4b2e6f1a37
Create Date: 2026-12-02 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '7f3b2c9e1d84'
down_revision = '8d4b2e6f1a37'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rates_tariff') as batch:
        batch.add_column(sa.Column('reminder_required', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.drop_column('late_cap')
    with op.batch_alter_table('rates_tariff') as batch:
        batch.alter_column('reminder_required', existing_type=sa.Boolean(), server_default=None)
    op.create_table('rates_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('owed', sa.BigInteger(), nullable=False),
    sa.Column('issued_by', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bill_id'], ['rates_bill.id'], name=op.f('fk_rates_reminder_bill_id_rates_bill')),
    sa.ForeignKeyConstraint(['customer_id'], ['rates_customer.id'], name=op.f('fk_rates_reminder_customer_id_rates_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_reminder')),
    sa.UniqueConstraint('bill_id', 'issued_on', name=op.f('uq_rates_reminder_bill_id_issued_on'))
    )
    op.create_index(op.f('ix_rates_reminder_customer_id'), 'rates_reminder', ['customer_id'], unique=False)


def downgrade():
    op.drop_table('rates_reminder')
    with op.batch_alter_table('rates_tariff') as batch:
        batch.add_column(sa.Column('late_cap', sa.Numeric(precision=6, scale=4), nullable=False, server_default='0.03'))
        batch.drop_column('reminder_required')
