"""Accounting: chart of accounts, journal entries and lines, monthly balances, periods, fiscal years.

Revision ID: d3dacedb0684
Revises: 4bcee267be4a
Create Date: 2026-11-22 00:47:38.850370

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd3dacedb0684'
down_revision = '4bcee267be4a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('accounting_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=150), nullable=False),
    sa.Column('account_class', sa.String(length=10), nullable=False),
    sa.Column('normal_side', sa.String(length=6), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('postable', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_key', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['accounting_account.id'], name=op.f('fk_accounting_account_parent_id_accounting_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounting_account')),
    sa.UniqueConstraint('code', name=op.f('uq_accounting_account_code'))
    )
    with op.batch_alter_table('accounting_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounting_account_account_class'), ['account_class'], unique=False)

    op.create_table('accounting_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=True),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('memo', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.Column('idempotency_key', sa.String(length=120), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('total', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_by', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('posted_by', sa.String(length=50), nullable=True),
    sa.Column('posted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['reverses_id'], ['accounting_entry.id'], name=op.f('fk_accounting_entry_reverses_id_accounting_entry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounting_entry')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_accounting_entry_idempotency_key')),
    sa.UniqueConstraint('number', name=op.f('uq_accounting_entry_number')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_accounting_entry_reverses_id'))
    )
    with op.batch_alter_table('accounting_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounting_entry_entry_date'), ['entry_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_accounting_entry_status'), ['status'], unique=False)

    op.create_table('accounting_period',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('changed_by', sa.String(length=50), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('year', 'month', name=op.f('pk_accounting_period'))
    )
    op.create_table('accounting_balance',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('debit', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('credit', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounting_account.id'], name=op.f('fk_accounting_balance_account_id_accounting_account')),
    sa.PrimaryKeyConstraint('account_id', 'year', 'month', name=op.f('pk_accounting_balance'))
    )
    op.create_table('accounting_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('debit', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('credit', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('memo', sa.String(length=200), nullable=False),
    sa.Column('department_code', sa.String(length=20), nullable=False),
    sa.Column('budget_ref', sa.String(length=60), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.CheckConstraint('debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0)', name=op.f('ck_accounting_line_one_side')),
    sa.ForeignKeyConstraint(['account_id'], ['accounting_account.id'], name=op.f('fk_accounting_line_account_id_accounting_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['accounting_entry.id'], name=op.f('fk_accounting_line_entry_id_accounting_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounting_line'))
    )
    with op.batch_alter_table('accounting_line', schema=None) as batch_op:
        batch_op.create_index('ix_accounting_line_account_date', ['account_id', 'entry_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_accounting_line_entry_id'), ['entry_id'], unique=False)

    op.create_table('accounting_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('closing_entry_id', sa.Integer(), nullable=True),
    sa.Column('opening_entry_id', sa.Integer(), nullable=True),
    sa.Column('closed_by', sa.String(length=50), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['closing_entry_id'], ['accounting_entry.id'], name=op.f('fk_accounting_year_closing_entry_id_accounting_entry')),
    sa.ForeignKeyConstraint(['opening_entry_id'], ['accounting_entry.id'], name=op.f('fk_accounting_year_opening_entry_id_accounting_entry')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_accounting_year'))
    )


def downgrade():
    op.drop_table('accounting_year')
    with op.batch_alter_table('accounting_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounting_line_entry_id'))
        batch_op.drop_index('ix_accounting_line_account_date')

    op.drop_table('accounting_line')
    op.drop_table('accounting_balance')
    op.drop_table('accounting_period')
    with op.batch_alter_table('accounting_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounting_entry_status'))
        batch_op.drop_index(batch_op.f('ix_accounting_entry_entry_date'))

    op.drop_table('accounting_entry')
    with op.batch_alter_table('accounting_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounting_account_account_class'))

    op.drop_table('accounting_account')
