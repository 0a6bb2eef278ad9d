"""Rates: what each smart-meter device may report (rates_ami_scope), the batches received by
idempotency key (rates_ami_batch), and when a device's token was rotated or revoked.

Revision ID: 3c1f7a9e5b20
Revises: 30344891f088
Create Date: 2026-11-26 12:50:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c1f7a9e5b20'
down_revision = '30344891f088'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rates_ami_device') as batch:
        batch.add_column(sa.Column('rotated_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))
    op.create_table('rates_ami_scope',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['rates_ami_device.id'], name=op.f('fk_rates_ami_scope_device_id_rates_ami_device'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_ami_scope')),
    sa.UniqueConstraint('device_id', 'kind', 'value', name=op.f('uq_rates_ami_scope_device_id_kind_value'))
    )
    op.create_index(op.f('ix_rates_ami_scope_device_id'), 'rates_ami_scope', ['device_id'], unique=False)
    op.create_table('rates_ami_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=100), nullable=False),
    sa.Column('body_hash', sa.String(length=64), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['rates_ami_device.id'], name=op.f('fk_rates_ami_batch_device_id_rates_ami_device'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rates_ami_batch')),
    sa.UniqueConstraint('device_id', 'idempotency_key', name=op.f('uq_rates_ami_batch_device_id_idempotency_key'))
    )
    op.create_index(op.f('ix_rates_ami_batch_device_id'), 'rates_ami_batch', ['device_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_rates_ami_batch_device_id'), table_name='rates_ami_batch')
    op.drop_table('rates_ami_batch')
    op.drop_index(op.f('ix_rates_ami_scope_device_id'), table_name='rates_ami_scope')
    op.drop_table('rates_ami_scope')
    with op.batch_alter_table('rates_ami_device') as batch:
        batch.drop_column('revoked_at')
        batch.drop_column('rotated_at')
