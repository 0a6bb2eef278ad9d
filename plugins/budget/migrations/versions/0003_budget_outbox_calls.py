"""Budget: the outbox carries owed port calls (target plugin, operation, the call's JSON arguments)
instead of a posting of its own shape; what the receiver made of a call is ``result_ref``. Every row,
pending or delivered, is rewritten as the accounting.post_entry call it always was.

Revision ID: 5b7e0c2d9a13
Revises: a61a9e0f005f
Create Date: 2026-11-26 10:30:00

"""
from alembic import op

from erp.common import outbox

# revision identifiers, used by Alembic.
revision = '5b7e0c2d9a13'
down_revision = 'a61a9e0f005f'
branch_labels = None
depends_on = None


def upgrade():
    outbox.upgrade_table(op, 'budget_outbox')


def downgrade():
    outbox.downgrade_table(op, 'budget_outbox')
