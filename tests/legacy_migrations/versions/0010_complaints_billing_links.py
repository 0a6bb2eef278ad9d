"""Complaints: links to billing (adjusting bill, leak reduction, move-out settlement).

Revision ID: 75698e6c9b32
Revises: 5278d4025437
Create Date: 2026-11-22 03:06:58.025193

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '75698e6c9b32'
down_revision = '5278d4025437'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('complaints_billing_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('bill_number', sa.String(length=30), nullable=False),
    sa.Column('original_number', sa.String(length=30), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints_complaint.id'], name=op.f('fk_complaints_billing_link_complaint_id_complaints_complaint'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints_billing_link')),
    sa.UniqueConstraint('complaint_id', 'action', name=op.f('uq_complaints_billing_link_complaint_id_action'))
    )
    with op.batch_alter_table('complaints_billing_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_billing_link_complaint_id'), ['complaint_id'], unique=False)



def downgrade():
    with op.batch_alter_table('complaints_billing_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_billing_link_complaint_id'))

    op.drop_table('complaints_billing_link')
