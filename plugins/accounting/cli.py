"""``flask accounting …`` commands."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from erp.audit import services as audit
from erp.common.errors import ServiceError
from plugins.accounting.services import chart, closing


@click.group("accounting")
def group():
    """Accounting: chart of accounts and year end."""


@group.command("load-chart")
@with_appcontext
def load_chart():
    """Add the standard chart of accounts (missing accounts only)."""
    with audit.acting_as(None, "cli"):
        added = chart.load_standard_chart()
    click.echo(f"{added} account(s) added.")


@group.command("close-year")
@click.argument("year", type=int)
@with_appcontext
def close_year(year: int):
    """Close fiscal YEAR (closing entry, opening balances of the next year, months locked)."""
    try:
        with audit.acting_as(None, "cli"):
            fiscal = closing.close_year(year)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Fiscal year {fiscal.year} is closed.")


@group.command("rebuild-balances")
@click.argument("year", type=int)
@with_appcontext
def rebuild_balances(year: int):
    """Recompute YEAR's monthly balances from the posted lines (after importing legacy books)."""
    from plugins.accounting.services import journal

    with audit.acting_as(None, "cli"):
        rows = journal.rebuild_balances(year)
    click.echo(f"{rows} balance rows for {year}.")


@group.command("depreciate")
@click.argument("year", type=int)
@click.argument("month", type=int)
@with_appcontext
def depreciate(year: int, month: int):
    """Post the depreciation of MONTH of YEAR (a second run of a month posts nothing)."""
    from plugins.accounting.services import assets

    try:
        with audit.acting_as(None, "cli"):
            result = assets.run_month(year, month)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    if result.created:
        click.echo(f"{year}-{month:02d}: {result.total:,} won for {result.assets} assets, entry {result.entry_number or '-'}.")
    else:
        click.echo(f"{year}-{month:02d} was depreciated before; nothing new was posted.")
