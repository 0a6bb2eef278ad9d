"""Budget: 결재 and 반려 — who requested each calculation basis; the approval of a commitment and
of its expenditure resolution; a version, a transfer or a commitment returned with a reason.

Revision ID: 2e8d4b6f1c57
Revises: 5b7e0c2d9a13
Create Date: 2026-12-02 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '2e8d4b6f1c57'
down_revision = '5b7e0c2d9a13'
branch_labels = None
depends_on = None

RETURNABLE = ('budget_version', 'budget_transfer', 'budget_commitment')
APPROVALS = [('approved_by', sa.String(length=50), ''), ('approved_at', sa.DateTime(), None),
             ('resolved_by', sa.String(length=50), ''), ('resolution_approved_by', sa.String(length=50), ''),
             ('resolution_approved_at', sa.DateTime(), None)]


def upgrade():
    with op.batch_alter_table('budget_basis') as batch:
        batch.add_column(sa.Column('created_by', sa.String(length=50), nullable=False, server_default=''))
    for table in RETURNABLE:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('return_reason', sa.String(length=300), nullable=False, server_default=''))
            batch.add_column(sa.Column('returned_by', sa.String(length=50), nullable=False, server_default=''))
            batch.add_column(sa.Column('returned_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('budget_commitment') as batch:
        for name, type_, default in APPROVALS:
            batch.add_column(sa.Column(name, type_, nullable=default is None,
                                       server_default=default if default is not None else None))


def downgrade():
    with op.batch_alter_table('budget_commitment') as batch:
        for name, _type, _default in reversed(APPROVALS):
            batch.drop_column(name)
    for table in RETURNABLE:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('returned_at')
            batch.drop_column('returned_by')
            batch.drop_column('return_reason')
    with op.batch_alter_table('budget_basis') as batch:
        batch.drop_column('created_by')
