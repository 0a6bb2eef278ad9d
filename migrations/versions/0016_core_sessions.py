"""Core: browser sessions kept on the server (erp.auth.sessions).

Revision ID: 0016c5e2a7b1
Revises: 0015b8d4e1f3
Create Date: 2026-11-27 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016c5e2a7b1'
down_revision = '0015b8d4e1f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('core_session',
    sa.Column('sid', sa.String(length=100), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sid', name=op.f('pk_core_session'))
    )
    op.create_index(op.f('ix_core_session_expires_at'), 'core_session', ['expires_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_core_session_expires_at'), table_name='core_session')
    op.drop_table('core_session')
