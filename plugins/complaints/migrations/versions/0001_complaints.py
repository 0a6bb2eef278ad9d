"""Complaints: types, complaints, timeline, attachments, notices, failed look-ups.

Revision ID: 31380265e5bd
Revises: 
Create Date: 2026-11-22 01:32:15.726199

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '31380265e5bd'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('complaints_lookup_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints_lookup_failure'))
    )
    with op.batch_alter_table('complaints_lookup_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_lookup_failure_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_lookup_failure_ip'), ['ip'], unique=False)

    op.create_table('complaints_type',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('department_code', sa.String(length=20), nullable=False),
    sa.Column('deadline_value', sa.Integer(), nullable=False),
    sa.Column('deadline_unit', sa.String(length=10), nullable=False),
    sa.Column('statutory', sa.Boolean(), nullable=False),
    sa.Column('documents', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints_type')),
    sa.UniqueConstraint('code', name=op.f('uq_complaints_type_code'))
    )
    op.create_table('complaints_complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receipt_no', sa.String(length=20), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('customer_no', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('department_code', sa.String(length=20), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('assignee_name', sa.String(length=100), nullable=False),
    sa.Column('filed_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('paused_since', sa.DateTime(), nullable=True),
    sa.Column('paused_minutes', sa.Integer(), nullable=False),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('extensions', sa.Integer(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['type_id'], ['complaints_type.id'], name=op.f('fk_complaints_complaint_type_id_complaints_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints_complaint')),
    sa.UniqueConstraint('receipt_no', name=op.f('uq_complaints_complaint_receipt_no'))
    )
    with op.batch_alter_table('complaints_complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_complaint_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_complaint_department_code'), ['department_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_complaint_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_complaint_filed_at'), ['filed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_complaint_ip'), ['ip'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_complaint_status'), ['status'], unique=False)

    op.create_table('complaints_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints_complaint.id'], name=op.f('fk_complaints_attachment_complaint_id_complaints_complaint'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints_attachment')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_complaints_attachment_stored_name'))
    )
    with op.batch_alter_table('complaints_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_attachment_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('complaints_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('internal', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints_complaint.id'], name=op.f('fk_complaints_event_complaint_id_complaints_complaint'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints_event'))
    )
    with op.batch_alter_table('complaints_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_event_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('complaints_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('recipient', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints_complaint.id'], name=op.f('fk_complaints_notice_complaint_id_complaints_complaint'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints_notice'))
    )
    with op.batch_alter_table('complaints_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_notice_complaint_id'), ['complaint_id'], unique=False)



def downgrade():
    with op.batch_alter_table('complaints_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_notice_complaint_id'))

    op.drop_table('complaints_notice')
    with op.batch_alter_table('complaints_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_event_complaint_id'))

    op.drop_table('complaints_event')
    with op.batch_alter_table('complaints_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_attachment_complaint_id'))

    op.drop_table('complaints_attachment')
    with op.batch_alter_table('complaints_complaint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_complaint_status'))
        batch_op.drop_index(batch_op.f('ix_complaints_complaint_ip'))
        batch_op.drop_index(batch_op.f('ix_complaints_complaint_filed_at'))
        batch_op.drop_index(batch_op.f('ix_complaints_complaint_due_at'))
        batch_op.drop_index(batch_op.f('ix_complaints_complaint_department_code'))
        batch_op.drop_index(batch_op.f('ix_complaints_complaint_assignee_id'))

    op.drop_table('complaints_complaint')
    op.drop_table('complaints_type')
    with op.batch_alter_table('complaints_lookup_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_lookup_failure_ip'))
        batch_op.drop_index(batch_op.f('ix_complaints_lookup_failure_at'))

    op.drop_table('complaints_lookup_failure')
