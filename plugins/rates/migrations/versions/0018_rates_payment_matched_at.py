"""Rates: the moment a clerk matched a suspense payment to a bill (to the microsecond). A payment
matched to a written-off bill after the write-off's approval is a recovery, as one recorded after
it is; by the time it was recorded (before the approval, in suspense) it never counted. Lines
matched before this revision keep no such moment: their recording time stands for it, as before.

Revision ID: 9c4e1a7d2b65
Revises: 8e2f6b4a9c13
Create Date: 2026-11-27 08:00:00.000000

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql


# revision identifiers, used by Alembic.
revision = '9c4e1a7d2b65'
down_revision = '8e2f6b4a9c13'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rates_payment') as batch_op:
        batch_op.add_column(sa.Column('matched_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mariadb')
                                      .with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=True))


def downgrade():
    with op.batch_alter_table('rates_payment') as batch_op:
        batch_op.drop_column('matched_at')
