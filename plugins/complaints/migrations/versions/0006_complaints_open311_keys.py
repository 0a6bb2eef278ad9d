"""Complaints: the API keys of civic apps filing through Open311 GeoReport v2.

Revision ID: 5b7e0c3d9f42
Revises: 15c95514ffd8
Create Date: 2026-11-26 13:15:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b7e0c3d9f42'
down_revision = '15c95514ffd8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('complaints_open311_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints_open311_key')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_complaints_open311_key_key_hash')),
    sa.UniqueConstraint('name', name=op.f('uq_complaints_open311_key_name'))
    )


def downgrade():
    op.drop_table('complaints_open311_key')
