"""``flask erp …``: administrator commands of the core."""
from __future__ import annotations

import secrets
import string
import sys
from dataclasses import dataclass, field

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from erp import jobs
from erp.audit import services as audit
from erp.audit.cli import COMMANDS as AUDIT_COMMANDS
from erp.backup import COMMANDS as BACKUP_COMMANDS
from erp.auth import services as auth
from erp.auth.models import Role, User
from erp.common import codes
from erp.common.errors import ServiceError
from erp.extensions import db
from erp.jobs.cli import COMMANDS as JOB_COMMANDS


@click.group("erp")
def erp_group():
    """Waterworks ERP administration."""


for _command in [*JOB_COMMANDS, *AUDIT_COMMANDS, *BACKUP_COMMANDS]:
    erp_group.add_command(_command)


def declared_permissions() -> dict[str, tuple[str, tuple[str, ...]]]:
    return {code: (owner, perm.roles) for code, (owner, perm) in current_app.extensions["erp"]["permissions"].items()}


def declared_roles() -> dict[str, tuple[str, str]]:
    """The standard roles the core and the plugins' manifests declare: code -> (name, description)."""
    return {code: (role.name, role.description) for code, (_owner, role) in current_app.extensions["erp"]["roles"].items()}


def ensure_roles() -> list[str]:
    """Standard roles exist and newly declared permissions are granted to their default roles."""
    return auth.sync_permissions(declared_permissions(), declared_roles())


def run_setup() -> list[str]:
    """Everything an upgraded database needs besides its schema: the standard roles and new
    permissions, then each loaded plugin's reference data. Idempotent."""
    messages = []
    new = ensure_roles()
    messages.append(f"{len(new)} new permission(s): {', '.join(new)}" if new else "Permissions are up to date.")
    for name, loaded in current_app.extensions["erp"]["plugins"].items():
        if loaded.setup is not None:
            result = loaded.setup()
            messages.append(f"{name}: {result}")
    return messages


@erp_group.command("setup")
@with_appcontext
def setup_command():
    """Roles, permissions and the plugins' reference data (run after `flask db upgrade`)."""
    with audit.acting_as(None, "cli"):
        for message in run_setup():
            click.echo(message)


@erp_group.command("sync-permissions")
@with_appcontext
def sync_permissions_command():
    """Create the standard roles and grant newly declared permissions (run after upgrades)."""
    with audit.acting_as(None, "cli"):
        new = ensure_roles()
    click.echo(f"{len(new)} new permission(s): {', '.join(new)}" if new else "Permissions are up to date.")


def generate_password() -> str:
    """A random password that meets the policy (lower, upper, digits and a symbol; 14 long)."""
    rng = secrets.SystemRandom()
    parts = ([rng.choice(string.ascii_lowercase) for _ in range(7)] + [rng.choice(string.ascii_uppercase) for _ in range(3)]
             + [rng.choice(string.digits) for _ in range(3)] + [rng.choice("!@#$%*-+")])
    rng.shuffle(parts)
    return "".join(parts)


@erp_group.command("create-admin")
@click.option("--username", default="admin", show_default=True)
@click.option("--name", default="시스템관리자", show_default=True)
@click.option("--password", envvar="ERP_ADMIN_PASSWORD", help="Read from ERP_ADMIN_PASSWORD, else asked for.")
@with_appcontext
def create_admin(username: str, name: str, password: str | None):
    """Create the first system administrator."""
    if password is None:
        if not sys.stdin.isatty():
            raise click.UsageError("Give --password or set ERP_ADMIN_PASSWORD (no terminal to ask on).")
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with audit.acting_as(None, "cli"):
        ensure_roles()
        role = db.session.execute(sa.select(Role).where(Role.code == "sysadmin")).scalar_one()
        try:
            auth.create_user(username, name, password, role_ids=[role.id])
        except ServiceError as error:
            raise click.ClickException("; ".join(sum(error.errors.values(), [])) or error.message) from error
    click.echo(f"Administrator {username!r} created.")


@erp_group.command("reset-password")
@click.argument("username")
@with_appcontext
def reset_password(username: str):
    """Give USERNAME a new random password (printed once) and lift any lock."""
    user = auth.find_user(username)
    if user is None:
        raise click.ClickException(f"No user {username!r}")
    password = generate_password()
    with audit.acting_as(None, "cli"):
        auth.set_password(user.id, password)
    click.echo(f"New password of {username}: {password}")


# --- demo data ------------------------------------------------------------------------------

DEMO_DEPARTMENTS = [
    ("WS", "상수도사업소", None),
    ("WS-MGT", "경영지원과", "WS"),
    ("WS-RATE", "요금관리과", "WS"),
    ("WS-SUP", "급수과", "WS"),
    ("WS-PUR", "정수과", "WS"),
    ("AUDIT", "감사실", None),
]

# 금융결제원 bank codes: the banks that issue water-bill virtual accounts.
DEMO_BANKS = [("004", "KB국민은행"), ("011", "NH농협은행"), ("020", "우리은행"), ("081", "하나은행"),
              ("088", "신한은행"), ("003", "IBK기업은행"), ("071", "우체국"), ("032", "부산은행"),
              ("031", "iM뱅크"), ("034", "광주은행"), ("039", "경남은행"), ("037", "전북은행")]


@dataclass
class DemoContext:
    """What the core's demo data gives the plugins' demo hooks."""

    departments: dict[str, int] = field(default_factory=dict)  # code -> id
    users: dict[str, int] = field(default_factory=dict)  # role code -> user id
    finishing: list = field(default_factory=list)

    def after_all(self, step) -> None:
        """Run ``step()`` once every plugin's demo data is in and the jobs it queued (the outboxes'
        relays) have run: e.g. the books lock their months only after the other plugins posted."""
        self.finishing.append(step)


@erp_group.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when users exist already.")
@with_appcontext
def demo(if_empty: bool):
    """Create a small city's organisation, one user per role (passwords printed once), and
    every loaded plugin's demo data."""
    if db.session.execute(sa.select(User.id).limit(1)).first():
        if if_empty:
            click.echo("Demo data skipped: the database has users already.")
            return
        raise click.ClickException("The database has users already; demo data goes into an empty database.")
    context = DemoContext()
    logins = []
    with audit.acting_as(None, "demo"):
        run_setup()
        roles = {r.code: r.id for r in db.session.execute(sa.select(Role)).scalars()}
        for code, name, parent in DEMO_DEPARTMENTS:
            dept = auth.save_department(None, code=code, name=name, parent_id=context.departments.get(parent))
            context.departments[code] = dept.id
        # One user per standard role of the core and the loaded plugins that names a demo user.
        loaded = current_app.extensions["erp"]["plugins"]
        for role, (owner, declared) in current_app.extensions["erp"]["roles"].items():
            if declared.demo_user is None or (owner != "core" and owner not in loaded):
                continue
            username, name, dept = declared.demo_user
            password = generate_password()
            user = auth.create_user(username, name, password, email=f"{username}@example.go.kr",
                                    department_id=context.departments[dept], role_ids=[roles[role]])
            context.users[role] = user.id
            logins.append((username, password, name, role))
        codes.ensure_group("BANK", "수납 은행", DEMO_BANKS, description="금융결제원 은행 코드")
        for name, loaded in current_app.extensions["erp"]["plugins"].items():
            if loaded.demo is not None:
                click.echo(f"Demo data: {name} …")
                loaded.demo(context)
        # What the demo queued (deliveries between the plugins) is done now, as a worker would:
        # the demo's books are settled before the first visitor sees them.
        jobs.run_pending()
        for step in context.finishing:
            step()
        jobs.run_pending()
    click.echo("\nDemo logins (shown only this once; `flask erp reset-password USER` makes a new one):")
    for username, password, name, role in logins:
        click.echo(f"  {username:<11} {password:<16} {name} ({role})")
