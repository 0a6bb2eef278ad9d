"""Rates: the service's own audit chain (rates_audit_log, rates_audit_head).

The rates plugin's writes are recorded in a hash chain kept in the plugin's own database, so
that they commit with the change they describe when the plugin runs as a service of its own.
The tables and triggers are the core's definition (erp.audit.schema), like every plugin's.

Revision ID: 84cd222f0507
Revises: 5278d4025437
Create Date: 2026-11-26 10:00:00

"""
from alembic import op

from erp.audit import schema

# revision identifiers, used by Alembic.
revision = '84cd222f0507'
down_revision = '5278d4025437'
branch_labels = None
depends_on = None

PREFIX = 'rates'


def upgrade():
    schema.create_chain(op, PREFIX)


def downgrade():
    schema.drop_chain(op, PREFIX)
