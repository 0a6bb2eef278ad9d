"""``flask budget …`` commands."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from erp.audit import services as audit
from erp.common.errors import ServiceError
from plugins.budget.services import execution, yearend


@click.group("budget")
def group():
    """Budget: outbox relay and year end."""


@group.command("relay")
@with_appcontext
def relay():
    """Deliver pending payment postings to accounting (safe to run again at any time)."""
    with audit.acting_as(None, "budget-relay"):
        delivered, failed = execution.relay(limit=10_000)
    click.echo(f"{delivered} delivered, {failed} still pending.")


@group.command("year-end")
@click.argument("year", type=int)
@with_appcontext
def year_end(year: int):
    """Carry approved explicit carry-overs and unpaid commitments of YEAR into the next year."""
    try:
        with audit.acting_as(None, "cli"):
            yearend.process(year)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Year end of {year} processed.")
