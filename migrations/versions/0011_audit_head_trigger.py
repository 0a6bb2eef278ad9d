"""The audit chain head follows the newest audit record by a trigger.

The application used to update the head row with a statement of its own after inserting the
records; the database now does it as part of the insert, one round trip less inside the section
that every audited transaction passes one at a time.

Revision ID: 3f1c2a9d8e70
Revises: 4bcee267be4a
Create Date: 2026-11-22 09:10:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '3f1c2a9d8e70'
down_revision = '4bcee267be4a'
branch_labels = None
depends_on = None

NAME = "core_audit_log_head"
SET_HEAD = "UPDATE core_audit_head SET seq = NEW.seq, last_hash = NEW.hash WHERE id = 1"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE TRIGGER {NAME} AFTER INSERT ON core_audit_log BEGIN {SET_HEAD}; END")
    else:
        op.execute(f"CREATE TRIGGER {NAME} AFTER INSERT ON core_audit_log FOR EACH ROW {SET_HEAD}")


def downgrade():
    op.execute(f"DROP TRIGGER IF EXISTS {NAME}")
