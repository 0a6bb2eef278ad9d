"""Accounting: account 661-07 가산금수익 (late payment charges on water bills, under 661 기타영업수익)
added to books whose chart lacks it, so that the rates plugin's arrears runs can post to it.

Data only. The standard chart (seed/accounts.csv) holds the account and ``flask erp setup`` adds
any missing account of it, but a database upgraded without running setup would refuse the late
charges' postings; this adds the one row the seed would, to books that have a chart with 661 and
leaves a new, empty chart to setup.

Revision ID: 5d7e61a0c4f2
Revises: df7ff3ebf192
Create Date: 2026-12-02 09:00:00

"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d7e61a0c4f2'
down_revision = 'df7ff3ebf192'
branch_labels = None
depends_on = None

CODE, PARENT = '661-07', '661'

account = sa.table('accounting_account', sa.column('id', sa.Integer), sa.column('code', sa.String),
                   sa.column('name', sa.String), sa.column('name_en', sa.String), sa.column('account_class', sa.String),
                   sa.column('normal_side', sa.String), sa.column('parent_id', sa.Integer),
                   sa.column('postable', sa.Boolean), sa.column('active', sa.Boolean), sa.column('sort_key', sa.String))


def upgrade():
    bind = op.get_bind()
    if bind.execute(sa.select(account.c.id).where(account.c.code == CODE)).first() is not None:
        return
    parent = bind.execute(sa.select(account.c.id, account.c.account_class, account.c.normal_side, account.c.sort_key)
                          .where(account.c.code == PARENT)).first()
    if parent is None:  # no chart yet: `flask erp setup` loads the whole standard chart
        return
    # The sort key as the chart service makes it (migration 0005): the parent's key, then the code
    # with its numbers zero-padded to five digits.
    sort_key = parent.sort_key + '!' + re.sub(r"\d+", lambda digits: digits.group().zfill(5), CODE)
    op.execute(account.insert().values(code=CODE, name='가산금수익', name_en='Late payment charges on water bills',
                                       account_class=parent.account_class, normal_side=parent.normal_side,
                                       parent_id=parent.id, postable=True, active=True, sort_key=sort_key))
    op.execute(account.update().where(account.c.id == parent.id).values(postable=False))


def downgrade():
    # The account stays: entries may have been posted to it, and the standard chart holds it.
    pass
