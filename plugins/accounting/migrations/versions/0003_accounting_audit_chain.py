"""Accounting: the service's own audit chain (accounting_audit_log, accounting_audit_head).

The accounting plugin's writes are recorded in a hash chain kept in the plugin's own database, so
that they commit with the change they describe when the plugin runs as a service of its own.
The tables and triggers are the core's definition (erp.audit.schema), like every plugin's.

Revision ID: dfde418b8ade
Revises: 3b2d9d41cbf1
Create Date: 2026-11-26 10:00:00

"""
from alembic import op

from erp.audit import schema

# revision identifiers, used by Alembic.
revision = 'dfde418b8ade'
down_revision = '3b2d9d41cbf1'
branch_labels = None
depends_on = None

PREFIX = 'accounting'


def upgrade():
    schema.create_chain(op, PREFIX)


def downgrade():
    schema.drop_chain(op, PREFIX)
