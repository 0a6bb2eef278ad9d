"""``flask rates …`` commands."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from erp.audit import services as audit
from erp.common.errors import ServiceError
from plugins.rates.repositories import bills
from plugins.rates.services import ami, billing, postings


@click.group("rates")
def group():
    """Water rates: bill runs, the outbox to accounting, smart-meter devices."""


@group.command("ami-device")
@click.argument("name")
@with_appcontext
def ami_device(name: str):
    """Register a smart-meter head-end NAME and print its token (shown only this once)."""
    try:
        with audit.acting_as(None, "cli"):
            device, token = ami.register_device(name)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Device {device.name}: token {token}")


@group.command("bill-run")
@click.argument("period")
@click.option("--cycle", type=click.Choice(["monthly", "bimonthly"]), default="monthly", show_default=True)
@click.option("--route", default="", help="Bill one route only (default: every route).")
@click.option("--issued", type=click.DateTime(["%Y-%m-%d"]), help="Issue date (default: today).")
@click.option("--due", type=click.DateTime(["%Y-%m-%d"]), help="Due date (default: end of the month of issue).")
@click.option("--chunk", type=click.IntRange(100, 1_000_000), default=billing.CHUNK, show_default=True,
              help="Customer ids per transaction.")
@with_appcontext
def bill_run(period: str, cycle: str, route: str, issued, due, chunk: int):
    """Bill PERIOD (YYYY-MM): every customer of the cycle with readings in the period. Killed or
    failed, the same command resumes the run where it stopped; nobody is billed twice."""
    try:
        with audit.acting_as(None, "cli"):
            run = billing.start_run(period, cycle, route, issued.date() if issued else None, due.date() if due else None)
            click.echo(f"Bill run {run.id}: {run.period} {run.cycle} {run.route_code or 'all routes'}, "
                       f"{run.expected:,} customers to bill, due {run.due_on.isoformat()}")
            with click.progressbar(length=1000, label="Billing", show_percent=True) as bar:
                shown = [0]

                def progress(done: int, of: int, billed: int) -> None:
                    step = done * 1000 // of - shown[0]
                    shown[0] += step
                    bar.update(step)

                run = billing.execute(run.id, chunk=chunk, progress=progress)
                bar.update(1000 - shown[0])
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Finished: {run.billed:,} bills, {run.total_amount:,} won; not billed (no reading or held): "
               f"{max(0, run.expected - run.billed):,}")
    if run.note:
        click.echo(f"Refused by the calculation: {run.note}")
    _report_outbox(f"rates:bill-run:{run.id}")


@group.command("relay")
@with_appcontext
def relay():
    """Deliver the postings waiting in the rates outbox to accounting."""
    with audit.acting_as(None, "rates-relay"):
        delivered, failed = postings.relay(limit=10_000)
    click.echo(f"Delivered {delivered}, still waiting {failed}.")


def _report_outbox(key: str) -> None:
    row = bills.outbox_by_key(key)
    if row is None:
        return
    if row.status == "delivered":
        click.echo(f"Posted to accounting as {row.result_ref}.")
    else:
        click.echo(f"The posting waits in the outbox ({row.last_error}); 'flask rates relay' delivers it.")
