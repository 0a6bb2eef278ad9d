"""Core: the job table of the worker's queue (erp.jobs).

Revision ID: 0012c0e1b0b5
Revises: 9c0e7d4b2a61
Create Date: 2026-11-26 09:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012c0e1b0b5'
down_revision = '9c0e7d4b2a61'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('core_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=80), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('args', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=300), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_job'))
    )
    with op.batch_alter_table('core_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_job_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_core_job_key'), ['key'], unique=False)
        batch_op.create_index('ix_core_job_status_heartbeat', ['status', 'heartbeat_at'], unique=False)


def downgrade():
    with op.batch_alter_table('core_job', schema=None) as batch_op:
        batch_op.drop_index('ix_core_job_status_heartbeat')
        batch_op.drop_index(batch_op.f('ix_core_job_key'))
        batch_op.drop_index(batch_op.f('ix_core_job_kind'))

    op.drop_table('core_job')
