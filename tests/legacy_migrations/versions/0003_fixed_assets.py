"""Accounting: fixed assets, monthly depreciation and depreciation runs.

Revision ID: 3b2d9d41cbf1
Revises: d3dacedb0684
Create Date: 2026-11-22 01:01:16.716979

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b2d9d41cbf1'
down_revision = 'd3dacedb0684'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('accounting_asset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('acquired_on', sa.Date(), nullable=False),
    sa.Column('cost', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('residual_value', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('useful_life_years', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('department_code', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('disposed_on', sa.Date(), nullable=True),
    sa.Column('disposal_proceeds', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('acquisition_entry_id', sa.Integer(), nullable=True),
    sa.Column('disposal_entry_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acquisition_entry_id'], ['accounting_entry.id'], name=op.f('fk_accounting_asset_acquisition_entry_id_accounting_entry')),
    sa.ForeignKeyConstraint(['disposal_entry_id'], ['accounting_entry.id'], name=op.f('fk_accounting_asset_disposal_entry_id_accounting_entry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounting_asset')),
    sa.UniqueConstraint('number', name=op.f('uq_accounting_asset_number'))
    )
    op.create_table('accounting_depreciation_run',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('total', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('assets', sa.Integer(), nullable=False),
    sa.Column('run_by', sa.String(length=50), nullable=False),
    sa.Column('run_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['accounting_entry.id'], name=op.f('fk_accounting_depreciation_run_entry_id_accounting_entry')),
    sa.PrimaryKeyConstraint('year', 'month', name=op.f('pk_accounting_depreciation_run'))
    )
    op.create_table('accounting_depreciation',
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('amount', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['accounting_asset.id'], name=op.f('fk_accounting_depreciation_asset_id_accounting_asset')),
    sa.ForeignKeyConstraint(['entry_id'], ['accounting_entry.id'], name=op.f('fk_accounting_depreciation_entry_id_accounting_entry')),
    sa.PrimaryKeyConstraint('asset_id', 'year', 'month', name=op.f('pk_accounting_depreciation'))
    )


def downgrade():
    op.drop_table('accounting_depreciation')
    op.drop_table('accounting_depreciation_run')
    op.drop_table('accounting_asset')
