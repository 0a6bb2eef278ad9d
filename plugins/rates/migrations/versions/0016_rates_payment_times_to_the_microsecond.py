"""Rates: the time a payment was recorded and the time a write-off was approved are kept to the
microsecond on MariaDB (DATETIME(6); SQLite keeps them in its text already). A payment recorded
from the approval on is a recovery; in whole seconds, a payment recorded in the same second before
the approval — already in the amount written off — counted as recovered again.

Revision ID: 5a9d3e1c7b42
Revises: 7f3b2c9e1d84
Create Date: 2026-11-27 05:00:00.000000

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql


# revision identifiers, used by Alembic.
revision = '5a9d3e1c7b42'
down_revision = '7f3b2c9e1d84'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name not in ('mysql', 'mariadb'):
        return
    op.alter_column('rates_payment', 'created_at', existing_type=sa.DateTime(), type_=mysql.DATETIME(fsp=6),
                    existing_nullable=False)
    op.alter_column('rates_write_off', 'approved_at', existing_type=sa.DateTime(), type_=mysql.DATETIME(fsp=6),
                    existing_nullable=True)


def downgrade():
    if op.get_bind().dialect.name not in ('mysql', 'mariadb'):
        return
    op.alter_column('rates_write_off', 'approved_at', existing_type=mysql.DATETIME(fsp=6), type_=sa.DateTime(),
                    existing_nullable=True)
    op.alter_column('rates_payment', 'created_at', existing_type=mysql.DATETIME(fsp=6), type_=sa.DateTime(),
                    existing_nullable=False)
