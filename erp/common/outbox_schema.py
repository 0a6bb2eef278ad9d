"""The outbox columns later revisions add, for the migrations of every plugin's outbox table (the
mixin is ``erp.common.outbox.OutboxMixin``): written once, like the audit chain's schema."""
from __future__ import annotations

import sqlalchemy as sa

# A delivery the receiver refused, and the repost asked for and approved (outbox.request_repost,
# outbox.approve_repost): (name, type, server default; None = nullable).
REPOST_COLUMNS = [("refused_at", sa.DateTime(), None), ("repost_on", sa.Date(), None),
                  ("repost_requested_by", sa.String(length=50), ""), ("repost_requested_at", sa.DateTime(), None),
                  ("repost_approved_by", sa.String(length=50), ""), ("repost_approved_at", sa.DateTime(), None)]


def add_repost_columns(op, table: str) -> None:
    """Add the refused-and-reposted columns to the outbox ``table``."""
    with op.batch_alter_table(table) as batch:
        for name, type_, default in REPOST_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=default is None, server_default=default))


def drop_repost_columns(op, table: str) -> None:
    """Undo :func:`add_repost_columns`; a refused row goes back to pending (the former relay
    retried it, and it is not lost)."""
    rows = sa.table(table, sa.column("status", sa.String))
    op.get_bind().execute(rows.update().where(rows.c.status == "refused").values(status="pending"))
    with op.batch_alter_table(table) as batch:
        for name, _type, _default in reversed(REPOST_COLUMNS):
            batch.drop_column(name)
