"""The append-only triggers as the first migration creates them (tests restore them with this)."""
import sqlalchemy as sa


def create_audit_triggers(conn):
    if conn.dialect.name == "sqlite":
        conn.execute(sa.text("CREATE TRIGGER IF NOT EXISTS core_audit_log_no_update BEFORE UPDATE ON core_audit_log "
                             "BEGIN SELECT RAISE(ABORT, 'core_audit_log is append-only'); END"))
        conn.execute(sa.text("CREATE TRIGGER IF NOT EXISTS core_audit_log_no_delete BEFORE DELETE ON core_audit_log "
                             "BEGIN SELECT RAISE(ABORT, 'core_audit_log is append-only'); END"))
    else:
        conn.execute(sa.text("CREATE TRIGGER IF NOT EXISTS core_audit_log_no_update BEFORE UPDATE ON core_audit_log "
                             "FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'core_audit_log is append-only'"))
        conn.execute(sa.text("CREATE TRIGGER IF NOT EXISTS core_audit_log_no_delete BEFORE DELETE ON core_audit_log "
                             "FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'core_audit_log is append-only'"))
