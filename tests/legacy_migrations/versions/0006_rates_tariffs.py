"""Rates: tariff versions, blocks, meter charges, reduction rules.

Revision ID: 5037dc017593
Revises: 31380265e5bd
Create Date: 2026-11-22 01:43:43.099450

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5037dc017593'
down_revision = '31380265e5bd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rates_tariff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('rounding', sa.String(length=10), nullable=False),
    sa.Column('water_use_rate', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('mixed_household_volume', sa.Integer(), nullable=False),
    sa.Column('late_rate', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('late_cap', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=50), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_tariff')),
    sa.UniqueConstraint('effective_from', name=op.f('uq_rates_tariff_effective_from'))
    )
    op.create_table('rates_block',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tariff_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=10), nullable=False),
    sa.Column('use_type', sa.String(length=20), nullable=False),
    sa.Column('upper', sa.Integer(), nullable=True),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['tariff_id'], ['rates_tariff.id'], name=op.f('fk_rates_block_tariff_id_rates_tariff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_block'))
    )
    with op.batch_alter_table('rates_block', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_block_tariff_id'), ['tariff_id'], unique=False)

    op.create_table('rates_meter_charge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tariff_id', sa.Integer(), nullable=False),
    sa.Column('diameter', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tariff_id'], ['rates_tariff.id'], name=op.f('fk_rates_meter_charge_tariff_id_rates_tariff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_meter_charge'))
    )
    with op.batch_alter_table('rates_meter_charge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_meter_charge_tariff_id'), ['tariff_id'], unique=False)

    op.create_table('rates_reduction_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tariff_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('applies_to', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['tariff_id'], ['rates_tariff.id'], name=op.f('fk_rates_reduction_rule_tariff_id_rates_tariff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_reduction_rule'))
    )
    with op.batch_alter_table('rates_reduction_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rates_reduction_rule_tariff_id'), ['tariff_id'], unique=False)



def downgrade():
    with op.batch_alter_table('rates_reduction_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_reduction_rule_tariff_id'))

    op.drop_table('rates_reduction_rule')
    with op.batch_alter_table('rates_meter_charge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_meter_charge_tariff_id'))

    op.drop_table('rates_meter_charge')
    with op.batch_alter_table('rates_block', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rates_block_tariff_id'))

    op.drop_table('rates_block')
    op.drop_table('rates_tariff')
