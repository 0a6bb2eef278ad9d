"""Core: per-minute request figures and gauge samples of every instance (erp.ops), and the
request id a job was asked for in (so its log lines can be followed back to the request).

Revision ID: 0014a7c3d9e2
Revises: 0012c0e1b0b5
Create Date: 2026-11-26 10:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014a7c3d9e2'
down_revision = '0012c0e1b0b5'
branch_labels = None
depends_on = None

BUCKETS = ('b_5ms', 'b_10ms', 'b_25ms', 'b_50ms', 'b_100ms', 'b_250ms', 'b_500ms', 'b_1000ms', 'b_2000ms',
           'b_5000ms', 'b_10000ms')


def upgrade():
    op.create_table('core_ops_minute',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('minute', sa.DateTime(), nullable=False),
    sa.Column('instance', sa.String(length=100), nullable=False),
    sa.Column('endpoint', sa.String(length=200), nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('client_errors', sa.Integer(), nullable=False),
    sa.Column('duration_ms_sum', sa.BigInteger(), nullable=False),
    sa.Column('apdex_satisfied', sa.Integer(), nullable=False),
    sa.Column('apdex_tolerating', sa.Integer(), nullable=False),
    *[sa.Column(name, sa.Integer(), nullable=False) for name in BUCKETS],
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_ops_minute')),
    sa.UniqueConstraint('minute', 'instance', 'endpoint', name=op.f('uq_core_ops_minute_minute_instance_endpoint'))
    )
    with op.batch_alter_table('core_ops_minute', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_ops_minute_minute'), ['minute'], unique=False)
    op.create_table('core_ops_sample',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('minute', sa.DateTime(), nullable=False),
    sa.Column('instance', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_ops_sample')),
    sa.UniqueConstraint('minute', 'instance', 'name', name=op.f('uq_core_ops_sample_minute_instance_name'))
    )
    with op.batch_alter_table('core_ops_sample', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_ops_sample_minute'), ['minute'], unique=False)
    with op.batch_alter_table('core_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=64), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('core_job', schema=None) as batch_op:
        batch_op.drop_column('request_id')
    with op.batch_alter_table('core_ops_sample', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_ops_sample_minute'))
    op.drop_table('core_ops_sample')
    with op.batch_alter_table('core_ops_minute', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_ops_minute_minute'))
    op.drop_table('core_ops_minute')
