"""Rates: the outbox carries owed port calls (target plugin, operation, the call's JSON arguments)
instead of a posting of its own shape; what the receiver made of a call is ``result_ref``. Every row,
pending or delivered, is rewritten as the accounting.post_entry call it always was.

Revision ID: c3d9a1e4f7b2
Revises: 84cd222f0507
Create Date: 2026-11-26 10:30:00

"""
from alembic import op

from erp.common import outbox

# revision identifiers, used by Alembic.
revision = 'c3d9a1e4f7b2'
down_revision = '84cd222f0507'
branch_labels = None
depends_on = None


def upgrade():
    outbox.upgrade_table(op, 'rates_outbox')


def downgrade():
    outbox.downgrade_table(op, 'rates_outbox')
