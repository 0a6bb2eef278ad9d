"""Accounting: a draft journal entry can be returned (반려) to its drafter with a reason.

Revision ID: 7c3f1a9e2b40
Revises: dfde418b8ade
Create Date: 2026-12-02 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c3f1a9e2b40'
down_revision = 'dfde418b8ade'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('accounting_entry') as batch:
        batch.add_column(sa.Column('return_reason', sa.String(length=300), nullable=False, server_default=''))
        batch.add_column(sa.Column('returned_by', sa.String(length=50), nullable=False, server_default=''))
        batch.add_column(sa.Column('returned_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('accounting_entry') as batch:
        batch.drop_column('returned_at')
        batch.drop_column('returned_by')
        batch.drop_column('return_reason')
