"""Budget: the service's own audit chain (budget_audit_log, budget_audit_head).

The budget plugin's writes are recorded in a hash chain kept in the plugin's own database, so
that they commit with the change they describe when the plugin runs as a service of its own.
The tables and triggers are the core's definition (erp.audit.schema), like every plugin's.

Revision ID: a61a9e0f005f
Revises: 87d1295e5af2
Create Date: 2026-11-26 10:00:00

"""
from alembic import op

from erp.audit import schema

# revision identifiers, used by Alembic.
revision = 'a61a9e0f005f'
down_revision = '87d1295e5af2'
branch_labels = None
depends_on = None

PREFIX = 'budget'


def upgrade():
    schema.create_chain(op, PREFIX)


def downgrade():
    schema.drop_chain(op, PREFIX)
