"""Users, departments and roles (core bind)."""
from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cached_property

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from erp.common.clock import utcnow
from erp.extensions import db

user_roles = sa.Table(
    "core_user_role",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("core_user.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("role_id", sa.ForeignKey("core_role.id", ondelete="CASCADE"), primary_key=True),
)


class Department(db.Model):
    __tablename__ = "core_department"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_department.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped["Department | None"] = relationship(remote_side=[id])

    def __str__(self) -> str:
        return self.name


class Role(db.Model):
    __tablename__ = "core_role"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(50), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    builtin: Mapped[bool] = mapped_column(default=False)

    grants: Mapped[list["RolePermission"]] = relationship(
        back_populates="role", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def permission_codes(self) -> set[str]:
        return {grant.permission for grant in self.grants}

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class RolePermission(db.Model):
    __tablename__ = "core_role_permission"

    role_id: Mapped[int] = mapped_column(sa.ForeignKey("core_role.id", ondelete="CASCADE"), primary_key=True)
    permission: Mapped[str] = mapped_column(sa.String(100), primary_key=True)

    role: Mapped[Role] = relationship(back_populates="grants")

    def __str__(self) -> str:
        return f"{self.role.code if self.role else self.role_id}: {self.permission}"


class KnownPermission(db.Model):
    """Every permission code ever declared by a manifest: a permission seen for the first time is
    granted to its default roles once; later changes to grants are the administrator's."""

    __tablename__ = "core_permission"

    code: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    plugin: Mapped[str] = mapped_column(sa.String(50))
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)

    def __str__(self) -> str:
        return f"{self.plugin}: {self.code}"


class User(UserMixin, db.Model):
    __tablename__ = "core_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(50), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255), info={"audit": "redact"})
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_department.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # Login bookkeeping is recorded as explicit audit events (login, login_failed, locked), not
    # as column changes.
    failed_logins: Mapped[int] = mapped_column(default=0, info={"audit": False})
    locked_until: Mapped[datetime | None] = mapped_column(info={"audit": False})
    last_login_at: Mapped[datetime | None] = mapped_column(info={"audit": False})
    password_changed_at: Mapped[datetime | None] = mapped_column()
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    department: Mapped[Department | None] = relationship(lazy="joined")
    roles: Mapped[list[Role]] = relationship(secondary=user_roles, lazy="selectin", order_by=Role.name)

    @property
    def is_active(self) -> bool:  # flask-login: a deactivated user cannot log in
        return self.active

    @property
    def session_token(self) -> str:
        """Changes with the password, so a new password ends every other session."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @cached_property
    def permissions(self) -> set[str]:
        # Cached for the request: the user object is loaded afresh on each request.
        codes: set[str] = set()
        for role in self.roles:
            codes |= role.permission_codes
        return codes

    def can(self, permission: str | tuple[str, ...]) -> bool:
        """Whether the user holds ``permission`` — or, given several, any one of them."""
        if isinstance(permission, str):
            return permission in self.permissions
        return any(code in self.permissions for code in permission)

    def __str__(self) -> str:
        return f"{self.name} ({self.username})"


class LoginSession(db.Model):
    """A browser session kept on the server (erp.auth.sessions): the cookie carries only its
    random id, so deleting the row ends the session on every replica at once."""

    __tablename__ = "core_session"
    __audit__ = False  # written on every request of a logged-in user; logins and logouts are audited

    sid: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(index=True)
