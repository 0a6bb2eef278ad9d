"""Complaints: the service's own audit chain (complaints_audit_log, complaints_audit_head).

The complaints plugin's writes are recorded in a hash chain kept in the plugin's own database, so
that they commit with the change they describe when the plugin runs as a service of its own.
The tables and triggers are the core's definition (erp.audit.schema), like every plugin's.

Revision ID: 75640ef5fbf3
Revises: 75698e6c9b32
Create Date: 2026-11-26 10:00:00

"""
from alembic import op

from erp.audit import schema

# revision identifiers, used by Alembic.
revision = '75640ef5fbf3'
down_revision = '75698e6c9b32'
branch_labels = None
depends_on = None

PREFIX = 'complaints'


def upgrade():
    schema.create_chain(op, PREFIX)


def downgrade():
    schema.drop_chain(op, PREFIX)
