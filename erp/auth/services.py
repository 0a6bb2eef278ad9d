"""Users, roles, departments and logging in. Services own the transaction: they commit on
success and roll back on refusal, and every write lands in the audit trail."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from flask import current_app
from flask_babel import gettext as _

from erp.audit import services as audit
from erp.auth.models import Department, KnownPermission, Role, RolePermission, User
from erp.auth.passwords import burn_time, hash_password, policy_errors, verify_password
from erp.common import tx
from erp.common.clock import utcnow
from erp.common.errors import ServiceError
from erp.common.tx import transactional
from erp.extensions import db
from erp.i18n import N_


# --- logging in -----------------------------------------------------------------------------

@dataclass
class LoginResult:
    user: User | None
    error: str = ""


def authenticate(username: str, password: str) -> LoginResult:
    """Check a login attempt, applying the lockout rule; records the outcome in the audit trail."""
    max_failures = current_app.config["ERP_LOGIN_MAX_FAILURES"]
    lock_minutes = current_app.config["ERP_LOGIN_LOCK_MINUTES"]
    # One message for an unknown user, a wrong password and a locked account, so that a login
    # attempt never tells whether a user name exists; it says how the lock works.
    generic = _("The user name or password is not correct. After %(failures)d failed logins in a row an account is locked for %(minutes)d minutes.",
                failures=max_failures, minutes=lock_minutes)
    username = (username or "").strip()[:50]
    # The row lock (MariaDB) and the in-database increment below keep parallel attempts from
    # overwriting each other's failure count.
    user = db.session.execute(sa.select(User).where(User.username == username).with_for_update()).scalar_one_or_none()
    now = utcnow()
    if user is None:
        burn_time(password)
        audit.record("login_failed", "core_user", "", **_summary(N_("%(user)s: unknown user"), username))
        tx.commit()
        return LoginResult(None, generic)
    if user.locked_until and user.locked_until > now:
        burn_time(password)  # as long as a password check: the answer's timing tells nothing either
        audit.record("login_refused", "core_user", user.id, **_summary(N_("%(user)s: account locked"), username))
        tx.commit()
        return LoginResult(None, generic)
    if user.locked_until:  # the lock has expired: start counting afresh
        user.locked_until = None
        user.failed_logins = 0
    if not verify_password(user.password_hash, password):
        user.failed_logins = User.failed_logins + 1
        db.session.flush()
        db.session.refresh(user, ["failed_logins"])
        if user.failed_logins >= max_failures:
            user.locked_until = now + timedelta(minutes=lock_minutes)
            audit.record("locked", "core_user", user.id, **_summary(N_("%(user)s: locked for %(minutes)s minutes after %(failures)s failures"), username, minutes=lock_minutes, failures=user.failed_logins))
            tx.commit()
            return LoginResult(None, generic)
        audit.record("login_failed", "core_user", user.id, **_summary(N_("%(user)s: wrong password (%(failures)s/%(limit)s)"), username, failures=user.failed_logins, limit=max_failures))
        tx.commit()
        return LoginResult(None, generic)
    if not user.active:
        audit.record("login_refused", "core_user", user.id, **_summary(N_("%(user)s: account deactivated"), username))
        tx.commit()
        return LoginResult(None, _("This account is deactivated. Ask an administrator."))
    user.failed_logins = 0
    user.last_login_at = now
    with audit.acting_as(user.id, user.username):
        audit.record("login", "core_user", user.id, **_summary(N_("%(user)s: logged in"), username))
    tx.commit()
    return LoginResult(user)


def _summary(message: str, username: str, **values) -> dict:
    """An audit summary about ``username``, kept as a message shown in the reader's language."""
    return {"summary": message, "values": {"user": username, **values}}


_LOGOUT_REASONS = {"logged out": N_("%(user)s: logged out"), "idle timeout": N_("%(user)s: idle timeout"),
                   "session lifetime": N_("%(user)s: logged out at the end of the session's lifetime")}


def record_logout(user: User, reason: str = "logged out") -> None:
    audit.record("logout", "core_user", user.id, **_summary(_LOGOUT_REASONS.get(reason, "%(user)s: " + reason.replace("%", "%%")), user.username))
    tx.commit()


# --- users ----------------------------------------------------------------------------------

ADMIN_PERMISSIONS = ("core.users", "core.roles")


def _keep_administration(user: User) -> None:
    """Refuse a change that takes user and role administration away from the administrator
    making it: nobody could give it back."""
    db.session.flush()
    db.session.refresh(user, ["roles"])
    held = set()
    for role in user.roles:
        db.session.refresh(role, ["grants"])
        held |= role.permission_codes
    if not all(code in held for code in ADMIN_PERMISSIONS):
        raise ServiceError(_("This change would take user and role administration away from you; ask another administrator to make it."),
                           {"": [_("This change would take user and role administration away from you; ask another administrator to make it.")]})


def _commit_unique(message: str, field: str) -> None:
    """Commit; a unique constraint hit by a simultaneous submission becomes a clear refusal."""
    try:
        tx.commit()
    except IntegrityError as error:
        tx.rollback()
        raise ServiceError(message, {field: [message]}) from error

def _check_password(password: str, username: str) -> None:
    errors = policy_errors(password, username)
    if errors:
        raise ServiceError(errors[0], {"password": errors})


def _roles_by_ids(role_ids) -> list[Role]:
    ids = [int(r) for r in role_ids or []]
    if not ids:
        return []
    roles = db.session.execute(sa.select(Role).where(Role.id.in_(ids))).scalars().all()
    if len(roles) != len(set(ids)):
        raise ServiceError(_("Unknown role."), {"roles": [_("Unknown role.")]})
    return list(roles)


def _department(department_id) -> Department | None:
    if department_id in (None, "", 0):
        return None
    dept = db.session.get(Department, int(department_id))
    if dept is None:
        raise ServiceError(_("Unknown department."), {"department_id": [_("Unknown department.")]})
    return dept


@transactional
def create_user(username: str, name: str, password: str, *, email: str = "", department_id=None, role_ids=()) -> User:
    """Create a user; refuses a taken user name or a password against the policy."""
    username = username.strip()
    if db.session.execute(sa.select(User.id).where(User.username == username)).first():
        raise ServiceError(_("The user name %(name)s is already taken.", name=username), {"username": [_("This user name is already taken.")]})
    _check_password(password, username)
    user = User(username=username, name=name.strip(), email=(email or "").strip(),
                password_hash=hash_password(password), password_changed_at=utcnow())
    user.department = _department(department_id)
    user.roles = _roles_by_ids(role_ids)
    db.session.add(user)
    _commit_unique(_("The user name %(name)s is already taken.", name=username), "username")
    return user


@transactional
def update_user(user_id: int, *, name: str, email: str, department_id, role_ids, active: bool, acting_user_id: int | None = None) -> User:
    """Change a user's details, department, roles and active flag."""
    user = get_user(user_id)
    if acting_user_id == user.id and not active:
        raise ServiceError(_("You cannot deactivate your own account."), {"active": [_("You cannot deactivate your own account.")]})
    user.name = name.strip()
    user.email = (email or "").strip()
    user.department = _department(department_id)
    user.roles = _roles_by_ids(role_ids)
    user.active = active
    if acting_user_id == user.id:
        _keep_administration(user)
    tx.commit()
    return user


@transactional
def set_password(user_id: int, password: str) -> None:
    """Set a new password (policy enforced) and lift any lock."""
    user = get_user(user_id)
    _check_password(password, user.username)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    tx.commit()


@transactional
def change_own_password(user_id: int, current: str, new: str) -> None:
    """A user changes their own password, proving the current one."""
    user = get_user(user_id)
    if not verify_password(user.password_hash, current):
        raise ServiceError(_("The current password is not correct."), {"current": [_("The current password is not correct.")]})
    if current == new:
        raise ServiceError(_("Choose a password different from the current one."), {"password": [_("Choose a password different from the current one.")]})
    set_password(user_id, new)
    tx.commit()


@transactional
def unlock_user(user_id: int) -> None:
    """Lift a login lock before it expires."""
    user = get_user(user_id)
    user.failed_logins = 0
    user.locked_until = None
    audit.record("unlock", "core_user", user.id, **_summary(N_("%(user)s: unlocked"), user.username))
    tx.commit()


def session_user(session_id: str) -> User | None:
    """The user of a login session, unless deactivated or their password changed since."""
    user_id, _sep, token = (session_id or "").partition(":")
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError, OverflowError):
        return None
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    return user


def find_user(username: str) -> User | None:
    return db.session.execute(sa.select(User).where(User.username == username)).scalar_one_or_none()


def search_users(text: str = "", page: int = 1, per_page: int = 50):
    query = sa.select(User).order_by(User.username)
    if text:
        like = f"%{text.strip()}%"
        query = query.where(sa.or_(User.username.like(like), User.name.like(like)))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


# --- roles and permissions ------------------------------------------------------------------

def list_roles() -> list[Role]:
    return list(db.session.execute(sa.select(Role).order_by(Role.builtin.desc(), Role.id)).scalars())


def get_role(role_id: int) -> Role:
    role = db.session.get(Role, role_id)
    if role is None:
        raise LookupError(role_id)
    return role


@transactional
def save_role(role_id: int | None, *, code: str, name: str, description: str, permissions, known: set[str],
              acting_user_id: int | None = None) -> Role:
    """Create or change a role and its set of granted permissions."""
    unknown = set(permissions) - known
    if unknown:
        raise ServiceError(_("Unknown permission."), {"permissions": [_("Unknown permission: %(codes)s", codes=", ".join(sorted(unknown)))]})
    if role_id is None:
        code = code.strip()
        if db.session.execute(sa.select(Role.id).where(Role.code == code)).first():
            raise ServiceError(_("A role with this code exists."), {"code": [_("A role with this code exists.")]})
        role = Role(code=code, name=name.strip(), description=description.strip(), builtin=False)
        db.session.add(role)
    else:
        role = get_role(role_id)
        if not role.builtin:  # a standard role keeps its (translated) name and description
            role.name = name.strip()
            role.description = description.strip()
    current = {grant.permission: grant for grant in role.grants}
    for code_ in set(current) - set(permissions):
        role.grants.remove(current[code_])
    for code_ in sorted(set(permissions) - set(current)):
        role.grants.append(RolePermission(permission=code_))
    if acting_user_id is not None:
        _keep_administration(get_user(acting_user_id))
    _commit_unique(_("A role with this code exists."), "code")
    return role


@transactional
def sync_permissions(declared: dict[str, tuple[str, tuple[str, ...]]], standard_roles: dict[str, tuple[str, str]]) -> list[str]:
    """Create the standard roles if missing, grant each newly declared permission to its default
    roles once, and give a newly created standard role the permissions that name it. ``declared`` maps code -> (plugin, default roles); ``standard_roles``
    maps the roles the core and the plugins declare to (name, description). Returns the new codes.

    A permission already known keeps whatever grants the administrators have made since.
    """
    roles = {role.code: role for role in db.session.execute(sa.select(Role)).scalars()}
    created = set()
    for code, (name, description) in standard_roles.items():
        if code not in roles:
            roles[code] = Role(code=code, name=name, description=description, builtin=True)
            db.session.add(roles[code])
            created.add(code)
    known = set(db.session.execute(sa.select(KnownPermission.code)).scalars())
    new_codes = sorted(set(declared) - known)
    for code in new_codes:
        db.session.add(KnownPermission(code=code, plugin=declared[code][0]))
    for code, (_plugin, default_roles) in sorted(declared.items()):
        # A new permission goes to its default roles; a standard role new to this installation
        # (an upgrade added it) gets every permission that names it, known or not.
        for role_code in default_roles:
            if role_code in roles and (code in new_codes or role_code in created):
                roles[role_code].grants.append(RolePermission(permission=code))
    tx.commit()
    return new_codes


# --- departments ----------------------------------------------------------------------------

def list_departments(include_inactive: bool = True) -> list[Department]:
    query = sa.select(Department).order_by(Department.code)
    if not include_inactive:
        query = query.where(Department.active.is_(True))
    return list(db.session.execute(query).scalars())


def department_names() -> dict[str, str]:
    """Department code → name (every department, so that old records still show a name)."""
    return dict(db.session.execute(sa.select(Department.code, Department.name)).all())


def user_names(usernames) -> dict[str, str]:
    """User name → the person's name, for printouts and pages that show who drafted or approved."""
    wanted = {u for u in usernames if u}
    if not wanted:
        return {}
    return dict(db.session.execute(sa.select(User.username, User.name).where(User.username.in_(wanted))).all())


def department_codes(active_only: bool = True) -> set[str]:
    """Codes of the departments (in use), for other components that reference departments."""
    query = sa.select(Department.code)
    if active_only:
        query = query.where(Department.active.is_(True))
    return set(db.session.execute(query).scalars())


def get_department(dept_id: int) -> Department:
    dept = db.session.get(Department, dept_id)
    if dept is None:
        raise LookupError(dept_id)
    return dept


@transactional
def save_department(dept_id: int | None, *, code: str, name: str, parent_id=None, active: bool = True) -> Department:
    """Create or change a department; the code is unique and a department cannot be its own ancestor."""
    code = code.strip()
    clash = db.session.execute(sa.select(Department.id).where(Department.code == code)).scalar_one_or_none()
    if clash is not None and clash != dept_id:
        raise ServiceError(_("A department with this code exists."), {"code": [_("A department with this code exists.")]})
    dept = Department(code=code) if dept_id is None else get_department(dept_id)
    parent = _department(parent_id)
    ancestor = parent
    while ancestor is not None:
        if dept_id is not None and ancestor.id == dept_id:
            raise ServiceError(_("A department cannot be placed under itself."), {"parent_id": [_("A department cannot be placed under itself.")]})
        ancestor = ancestor.parent
    dept.code, dept.name, dept.parent, dept.active = code, name.strip(), parent, active
    if dept_id is None:
        db.session.add(dept)
    _commit_unique(_("A department with this code exists."), "code")
    return dept
