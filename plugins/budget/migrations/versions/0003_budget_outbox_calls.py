"""Budget: the outbox carries owed port calls (target plugin, operation, the call's JSON arguments)
instead of a posting of its own shape; what the receiver made of a call is ``result_ref``. Every row,
pending or delivered, is rewritten as the accounting.post_entry call it always was.

Revision ID: 5b7e0c2d9a13
Revises: a61a9e0f005f
Create Date: 2026-11-26 10:30:00

"""
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b7e0c2d9a13'
down_revision = 'a61a9e0f005f'
branch_labels = None
depends_on = None


TABLE = 'budget_outbox'


# Frozen here (a revision never changes): the rows' former shape was a posting to accounting —
# {"entry_date", "memo", "lines": [[code, debit, credit, memo]], "source", "department"} — and
# every one becomes the accounting.post_entry call it stood for.

def _call(key: str, data: dict) -> dict:
    if "request" in data:  # converted already (an upgrade run again after a failure)
        return data
    department = data.get("department", "")
    lines = [{"account_code": code, "debit": debit, "credit": credit, "memo": memo[:200],
              **({"department_code": department} if debit and department else {})}
             for code, debit, credit, memo in data["lines"]]
    return {"request": {"entry_date": data["entry_date"], "memo": data["memo"], "lines": lines, "idempotency_key": key,
                        "source": data.get("source", "")}}


def _posting(key: str, data: dict) -> dict:
    if "request" not in data:
        return data
    request = data["request"]
    department = next((line.get("department_code", "") for line in request["lines"] if line.get("department_code")), "")
    return {"entry_date": request["entry_date"], "memo": request["memo"], "source": request.get("source", ""),
            "department": department,
            "lines": [[line["account_code"], line.get("debit", 0), line.get("credit", 0), line.get("memo", "")]
                      for line in request["lines"]]}


def _rewrite(convert) -> None:
    table = sa.table(TABLE, sa.column("id", sa.Integer), sa.column("key", sa.String), sa.column("payload", sa.Text))
    connection = op.get_bind()
    for row_id, key, text in connection.execute(sa.select(table.c.id, table.c.key, table.c.payload)).all():
        connection.execute(table.update().where(table.c.id == row_id)
                           .values(payload=json.dumps(convert(key, json.loads(text)), ensure_ascii=False)))


def upgrade():
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns(TABLE)}
    if "target" not in columns:
        with op.batch_alter_table(TABLE) as batch:
            batch.add_column(sa.Column("target", sa.String(40), nullable=False, server_default="accounting"))
            batch.add_column(sa.Column("operation", sa.String(60), nullable=False, server_default="post_entry"))
            batch.alter_column("entry_number", new_column_name="result_ref", existing_type=sa.String(20),
                               type_=sa.String(40), existing_nullable=False)
        with op.batch_alter_table(TABLE) as batch:  # the defaults only filled the rows there were
            batch.alter_column("target", server_default=None, existing_type=sa.String(40), existing_nullable=False)
            batch.alter_column("operation", server_default=None, existing_type=sa.String(60), existing_nullable=False)
    _rewrite(_call)


def downgrade():
    connection = op.get_bind()
    others = connection.execute(sa.text(f"SELECT COUNT(*) FROM {TABLE} WHERE target != 'accounting' "  # nosec B608 - a constant
                                        "OR operation != 'post_entry'")).scalar()
    if others:
        raise RuntimeError(f"{TABLE} holds {others} call(s) other than accounting.post_entry: the former shape cannot hold them")
    _rewrite(_posting)
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column("result_ref", new_column_name="entry_number", existing_type=sa.String(40),
                           type_=sa.String(20), existing_nullable=False)
        batch.drop_column("operation")
        batch.drop_column("target")
