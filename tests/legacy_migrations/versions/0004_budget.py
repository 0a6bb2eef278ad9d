"""Budget: projects, lines, versions and calculation bases, transfers, execution, outbox, carry-overs, growth.

Revision ID: 87d1295e5af2
Revises: 3b2d9d41cbf1
Create Date: 2026-11-22 01:13:39.716722

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '87d1295e5af2'
down_revision = '3b2d9d41cbf1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('budget_growth',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('base_year', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('rate', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_growth'))
    )
    with op.batch_alter_table('budget_growth', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_growth_base_year'), ['base_year'], unique=False)

    op.create_table('budget_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.Column('entry_number', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_outbox')),
    sa.UniqueConstraint('key', name=op.f('uq_budget_outbox_key'))
    )
    with op.batch_alter_table('budget_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_outbox_status'), ['status'], unique=False)

    op.create_table('budget_project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('department_code', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['budget_project.id'], name=op.f('fk_budget_project_parent_id_budget_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_project')),
    sa.UniqueConstraint('year', 'code', name=op.f('uq_budget_project_year_code'))
    )
    with op.batch_alter_table('budget_project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_project_year'), ['year'], unique=False)

    op.create_table('budget_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by', sa.String(length=50), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_version')),
    sa.UniqueConstraint('year', 'number', name=op.f('uq_budget_version_year_number'))
    )
    with op.batch_alter_table('budget_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_version_year'), ['year'], unique=False)

    op.create_table('budget_year_end',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('processed_by', sa.String(length=50), nullable=False),
    sa.Column('processed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_budget_year_end'))
    )
    op.create_table('budget_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('part', sa.String(length=10), nullable=False),
    sa.Column('side', sa.String(length=12), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('item_code', sa.String(length=3), nullable=False),
    sa.Column('sub_code', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('account_code', sa.String(length=20), nullable=False),
    sa.Column('current_amount', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('carried_in', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('committed', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('paid', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('carried_from_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('committed >= 0 AND paid >= 0 AND paid <= committed', name=op.f('ck_budget_line_execution')),
    sa.ForeignKeyConstraint(['carried_from_id'], ['budget_line.id'], name=op.f('fk_budget_line_carried_from_id_budget_line')),
    sa.ForeignKeyConstraint(['project_id'], ['budget_project.id'], name=op.f('fk_budget_line_project_id_budget_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_line')),
    sa.UniqueConstraint('year', 'code', name=op.f('uq_budget_line_year_code'))
    )
    with op.batch_alter_table('budget_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_line_year'), ['year'], unique=False)

    op.create_table('budget_amount',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('requested', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('adjusted', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['line_id'], ['budget_line.id'], name=op.f('fk_budget_amount_line_id_budget_line')),
    sa.ForeignKeyConstraint(['version_id'], ['budget_version.id'], name=op.f('fk_budget_amount_version_id_budget_version')),
    sa.PrimaryKeyConstraint('version_id', 'line_id', name=op.f('pk_budget_amount'))
    )
    op.create_table('budget_basis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['line_id'], ['budget_line.id'], name=op.f('fk_budget_basis_line_id_budget_line')),
    sa.ForeignKeyConstraint(['version_id'], ['budget_version.id'], name=op.f('fk_budget_basis_version_id_budget_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_basis'))
    )
    with op.batch_alter_table('budget_basis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_basis_line_id'), ['line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_budget_basis_version_id'), ['version_id'], unique=False)

    op.create_table('budget_carryover',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('target_line_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['line_id'], ['budget_line.id'], name=op.f('fk_budget_carryover_line_id_budget_line')),
    sa.ForeignKeyConstraint(['target_line_id'], ['budget_line.id'], name=op.f('fk_budget_carryover_target_line_id_budget_line')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_carryover'))
    )
    with op.batch_alter_table('budget_carryover', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_carryover_year'), ['year'], unique=False)

    op.create_table('budget_commitment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('committed_on', sa.Date(), nullable=False),
    sa.Column('vendor', sa.String(length=120), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('amount', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('created_by', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['line_id'], ['budget_line.id'], name=op.f('fk_budget_commitment_line_id_budget_line')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_commitment')),
    sa.UniqueConstraint('number', name=op.f('uq_budget_commitment_number'))
    )
    with op.batch_alter_table('budget_commitment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_commitment_line_id'), ['line_id'], unique=False)

    op.create_table('budget_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('from_line_id', sa.Integer(), nullable=False),
    sa.Column('to_line_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_by', sa.String(length=50), nullable=False),
    sa.Column('decided_by', sa.String(length=50), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['from_line_id'], ['budget_line.id'], name=op.f('fk_budget_transfer_from_line_id_budget_line')),
    sa.ForeignKeyConstraint(['to_line_id'], ['budget_line.id'], name=op.f('fk_budget_transfer_to_line_id_budget_line')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_transfer'))
    )
    with op.batch_alter_table('budget_transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_transfer_year'), ['year'], unique=False)



def downgrade():
    with op.batch_alter_table('budget_transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_transfer_year'))

    op.drop_table('budget_transfer')
    with op.batch_alter_table('budget_commitment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_commitment_line_id'))

    op.drop_table('budget_commitment')
    with op.batch_alter_table('budget_carryover', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_carryover_year'))

    op.drop_table('budget_carryover')
    with op.batch_alter_table('budget_basis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_basis_version_id'))
        batch_op.drop_index(batch_op.f('ix_budget_basis_line_id'))

    op.drop_table('budget_basis')
    op.drop_table('budget_amount')
    with op.batch_alter_table('budget_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_line_year'))

    op.drop_table('budget_line')
    op.drop_table('budget_year_end')
    with op.batch_alter_table('budget_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_version_year'))

    op.drop_table('budget_version')
    with op.batch_alter_table('budget_project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_project_year'))

    op.drop_table('budget_project')
    with op.batch_alter_table('budget_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_outbox_status'))

    op.drop_table('budget_outbox')
    with op.batch_alter_table('budget_growth', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_growth_base_year'))

    op.drop_table('budget_growth')
