"""Rates: smart-meter (AMI) devices.

Revision ID: 6e5a48753db6
Revises: 45e8d7537630
Create Date: 2026-11-22 01:56:32.480322

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6e5a48753db6'
down_revision = '45e8d7537630'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rates_ami_device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_ami_device')),
    sa.UniqueConstraint('name', name=op.f('uq_rates_ami_device_name')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_rates_ami_device_token_hash'))
    )


def downgrade():
    op.drop_table('rates_ami_device')
