"""Accounting: accounts in code order with parents before their children.

The sort key was the class and the code as a string, so 5100 인건비 (under 710 영업비용) sorted
above 700 사업비용 and 611-01 could sort away from 611. It becomes the parent's key followed by
the code with its numbers zero-padded (see ``plugins.accounting.services.chart.sort_key``); the
keys of existing accounts are recomputed here. The rule is copied, not imported, so that this
migration keeps doing what it did when the service changes.

Revision ID: 8c41e2f7a0d3
Revises: 7c3f1a9e2b40
Create Date: 2026-11-26 13:00:00

"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8c41e2f7a0d3'
down_revision = '7c3f1a9e2b40'
branch_labels = None
depends_on = None

CLASS_ORDER = {"asset": "1", "liability": "2", "capital": "3", "revenue": "4", "expense": "5"}
DIGITS = re.compile(r"\d+")

accounts = sa.table('accounting_account', sa.column('id', sa.Integer), sa.column('code', sa.String),
                    sa.column('account_class', sa.String), sa.column('parent_id', sa.Integer),
                    sa.column('sort_key', sa.String))


def _tree_keys(rows) -> dict[int, str]:
    by_id = {row.id: row for row in rows}
    keys: dict[int, str] = {}

    def key(row) -> str:
        if row.id not in keys:
            segment = DIGITS.sub(lambda digits: digits.group().zfill(5), row.code)
            parent = by_id.get(row.parent_id)
            keys[row.id] = f"{key(parent)}!{segment}" if parent is not None else f"{CLASS_ORDER[row.account_class]}:{segment}"
        return keys[row.id]

    for row in rows:
        key(row)
    return keys


def _flat_keys(rows) -> dict[int, str]:
    return {row.id: f"{CLASS_ORDER[row.account_class]}:{row.code}" for row in rows}


def _rewrite(keys_of) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(accounts.c.id, accounts.c.code, accounts.c.account_class, accounts.c.parent_id)).all()
    for account_id, value in keys_of(rows).items():
        bind.execute(accounts.update().where(accounts.c.id == account_id).values(sort_key=value))


def upgrade():
    _rewrite(_tree_keys)


def downgrade():
    _rewrite(_flat_keys)
