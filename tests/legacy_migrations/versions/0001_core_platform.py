"""Core platform: users, departments, roles, the audit trail, code tables, document numbers.

Revision ID: 4bcee267be4a
Revises: 
Create Date: 2026-11-22 00:23:05.584050

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision = '4bcee267be4a'
down_revision = None
branch_labels = None
depends_on = None


GENESIS_HASH = "0" * 64
APPEND_ONLY = "core_audit_log is append-only"


def _create_audit_triggers():
    """The audit trail is append-only in the database too, not only in the application."""
    if op.get_bind().dialect.name == "sqlite":
        for event, name in (("UPDATE", "core_audit_log_no_update"), ("DELETE", "core_audit_log_no_delete")):
            op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON core_audit_log "
                       f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")
    else:
        for event, name in (("UPDATE", "core_audit_log_no_update"), ("DELETE", "core_audit_log_no_delete")):
            op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON core_audit_log FOR EACH ROW "
                       f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{APPEND_ONLY}'")


def upgrade():
    head = op.create_table('core_audit_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_audit_head'))
    )
    op.create_table('core_audit_log',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mariadb').with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('entity', sa.String(length=80), nullable=False),
    sa.Column('entity_id', sa.String(length=80), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('before', sa.Text().with_variant(mysql.MEDIUMTEXT(), 'mariadb').with_variant(mysql.MEDIUMTEXT(), 'mysql'), nullable=True),
    sa.Column('after', sa.Text().with_variant(mysql.MEDIUMTEXT(), 'mariadb').with_variant(mysql.MEDIUMTEXT(), 'mysql'), nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_core_audit_log')),
    sa.UniqueConstraint('hash', name=op.f('uq_core_audit_log_hash'))
    )
    with op.batch_alter_table('core_audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_core_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_core_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_core_audit_log_entity'), ['entity'], unique=False)

    op.create_table('core_code_group',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('owner', sa.String(length=50), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_core_code_group'))
    )
    op.create_table('core_department',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['core_department.id'], name=op.f('fk_core_department_parent_id_core_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_department')),
    sa.UniqueConstraint('code', name=op.f('uq_core_department_code'))
    )
    op.create_table('core_doc_sequence',
    sa.Column('doc_type', sa.String(length=10), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('doc_type', 'year', name=op.f('pk_core_doc_sequence'))
    )
    op.create_table('core_permission',
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('plugin', sa.String(length=50), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_core_permission'))
    )
    op.create_table('core_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('builtin', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_role')),
    sa.UniqueConstraint('code', name=op.f('uq_core_role_code'))
    )
    op.create_table('core_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_code', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['group_code'], ['core_code_group.code'], name=op.f('fk_core_code_group_code_core_code_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_code')),
    sa.UniqueConstraint('group_code', 'code', name=op.f('uq_core_code_group_code_code'))
    )
    op.create_table('core_role_permission',
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('permission', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['role_id'], ['core_role.id'], name=op.f('fk_core_role_permission_role_id_core_role'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('role_id', 'permission', name=op.f('pk_core_role_permission'))
    )
    op.create_table('core_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('password_changed_at', sa.DateTime(), nullable=True),
    sa.Column('locale', sa.String(length=5), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['core_department.id'], name=op.f('fk_core_user_department_id_core_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_user')),
    sa.UniqueConstraint('username', name=op.f('uq_core_user_username'))
    )
    op.create_table('core_user_role',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['role_id'], ['core_role.id'], name=op.f('fk_core_user_role_role_id_core_role'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_core_user_role_user_id_core_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role_id', name=op.f('pk_core_user_role'))
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "last_hash": GENESIS_HASH}])
    _create_audit_triggers()


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS core_audit_log_no_update")
    op.execute("DROP TRIGGER IF EXISTS core_audit_log_no_delete")
    op.drop_table('core_user_role')
    op.drop_table('core_user')
    op.drop_table('core_role_permission')
    op.drop_table('core_code')
    op.drop_table('core_role')
    op.drop_table('core_permission')
    op.drop_table('core_doc_sequence')
    op.drop_table('core_department')
    op.drop_table('core_code_group')
    with op.batch_alter_table('core_audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_audit_log_entity'))
        batch_op.drop_index(batch_op.f('ix_core_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_core_audit_log_actor_id'))
        batch_op.drop_index(batch_op.f('ix_core_audit_log_action'))

    op.drop_table('core_audit_log')
    op.drop_table('core_audit_head')
