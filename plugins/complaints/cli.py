"""``flask complaints …`` commands."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from erp.audit import services as audit
from erp.common.clock import to_local
from erp.common.errors import ServiceError
from plugins.complaints.services import complaints, open311


@click.group("complaints")
def group():
    """Complaints: reminders of deadlines, Open311 API keys."""


@group.command("remind")
@click.option("--hours", default=24, show_default=True, help="Remind of complaints due within this many hours.")
@with_appcontext
def remind(hours: int):
    """List and notify the officials of complaints due within a day (overdue ones included)."""
    with audit.acting_as(None, "complaints-remind"):
        items = complaints.remind(hours)
    for complaint in items:
        click.echo(f"{complaint.receipt_no}  due {to_local(complaint.due_at):%Y-%m-%d %H:%M}  "
                   f"{complaint.department_code:<8} {complaint.assignee_name or '-':<8} {complaint.title}")
    click.echo(f"{len(items)} complaint(s) due within {hours} hours; officials notified.")


@group.command("open311-key")
@click.argument("name")
@click.option("--revoke", is_flag=True, help="Revoke the application's key instead.")
@with_appcontext
def open311_key(name: str, revoke: bool):
    """Issue an Open311 api_key to civic application NAME (printed only this once), or revoke it."""
    try:
        with audit.acting_as(None, "cli"):
            if revoke:
                open311.revoke_key(name)
                click.echo(f"Application {name}: key revoked")
                return
            item, key = open311.issue_key(name)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    except LookupError:
        raise click.ClickException(f"No application {name}.") from None
    click.echo(f"Application {item.name}: api_key {key}")
