"""``flask complaints …`` commands."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from erp.audit import services as audit
from erp.common.clock import to_local
from plugins.complaints.services import complaints


@click.group("complaints")
def group():
    """Complaints: reminders of deadlines."""


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
