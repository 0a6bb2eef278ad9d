"""Plugins keep their own migration histories.

Revisions 0002–0010 moved to the plugins' histories (plugins/<name>/migrations/, each with its
version table alembic_version_<name>); this history keeps the core's tables. The schema does not
change: reaching this revision is what tells a database of this code from one built by the
former single history, whose alembic_version stopped at 0011 or before and which `flask db
upgrade` adopts (erp.migrating.adopt_legacy) before running any history.

Revision ID: 9c0e7d4b2a61
Revises: 3f1c2a9d8e70
Create Date: 2026-11-26 10:00:00

"""

# revision identifiers, used by Alembic.
revision = '9c0e7d4b2a61'
down_revision = '3f1c2a9d8e70'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
