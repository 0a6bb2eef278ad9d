"""Core: service checks from the user's point of view and their results (erp.ops.checks).

Revision ID: 0015b8d4e1f3
Revises: 0014a7c3d9e2
Create Date: 2026-11-26 11:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015b8d4e1f3'
down_revision = '0014a7c3d9e2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('core_ops_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('steps', sa.Text(), nullable=False),
    sa.Column('interval_minutes', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_run_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_ops_check')),
    sa.UniqueConstraint('name', name=op.f('uq_core_ops_check_name'))
    )
    op.create_table('core_ops_check_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['check_id'], ['core_ops_check.id'], name=op.f('fk_core_ops_check_result_check_id_core_ops_check'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_ops_check_result'))
    )
    with op.batch_alter_table('core_ops_check_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_ops_check_result_at'), ['at'], unique=False)
        batch_op.create_index('ix_core_ops_check_result_check_at', ['check_id', 'at'], unique=False)


def downgrade():
    op.drop_table('core_ops_check_result')
    op.drop_table('core_ops_check')
