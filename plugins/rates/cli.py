"""``flask rates …`` commands."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from erp.audit import services as audit
from erp.common.errors import ServiceError
from plugins.rates.repositories import bills
from plugins.rates.services import ami, arrears, billing, cms, payment_layouts, payments, postings


@click.group("rates")
def group():
    """Water rates: bill runs, the outbox to accounting, smart-meter devices."""


@group.command("ami-device")
@click.argument("name")
@click.option("--meter", "meters", multiple=True, help="A meter serial the device may report (repeatable).")
@click.option("--route", "routes", multiple=True, help="A route whose meters the device may report (repeatable).")
@with_appcontext
def ami_device(name: str, meters: tuple[str, ...], routes: tuple[str, ...]):
    """Register a smart-meter head-end NAME bound to meters and routes, and print its token
    (shown only this once)."""
    try:
        with audit.acting_as(None, "cli"):
            device, token = ami.register_device(name, meters, routes)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Device {device.name}: token {token}")


def _device(name: str):
    try:
        return ami.by_name(name)
    except LookupError:
        raise click.ClickException(f"No device {name}.") from None


@group.command("ami-scope")
@click.argument("name")
@click.option("--meter", "meters", multiple=True, help="A meter serial the device may report (repeatable).")
@click.option("--route", "routes", multiple=True, help="A route whose meters the device may report (repeatable).")
@with_appcontext
def ami_scope(name: str, meters: tuple[str, ...], routes: tuple[str, ...]):
    """Bind device NAME to these meters and routes (replacing what it had)."""
    try:
        with audit.acting_as(None, "cli"):
            device = ami.set_scope(_device(name).id, meters, routes)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Device {device.name}: " + (", ".join(str(s) for s in device.scope) or "nothing"))


@group.command("ami-rotate")
@click.argument("name")
@with_appcontext
def ami_rotate(name: str):
    """Give device NAME a new token (the old one stops at once) and print it."""
    with audit.acting_as(None, "cli"):
        device, token = ami.rotate(_device(name).id)
    click.echo(f"Device {device.name}: token {token}")


@group.command("ami-revoke")
@click.argument("name")
@with_appcontext
def ami_revoke(name: str):
    """Revoke device NAME's token."""
    try:
        with audit.acting_as(None, "cli"):
            device = ami.revoke(_device(name).id)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Device {device.name}: token revoked")


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


@group.command("arrears-run")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="The day of the run (default: today).")
@with_appcontext
def arrears_run(as_of):
    """The month's arrears run: customers' credits applied to what they owe, instalment plans
    reviewed, late charges (가산금) assessed and posted. Run twice, it charges nothing twice."""
    try:
        with audit.acting_as(None, "cli"):
            result = arrears.run(as_of.date() if as_of else None)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Arrears run {result.run.as_of.isoformat()}: {result.charges:,} late charges ({result.amount:,} won), "
               f"{result.credit_used:,} won of credit applied, {result.plans_ended} instalment plan(s) ended")
    with audit.acting_as(None, "rates-relay"):
        delivered, failed = postings.relay(limit=10_000)
    click.echo(f"Postings delivered {delivered}, waiting {failed}.")


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


@group.command("import-payments")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--layout", type=click.Choice(sorted(payment_layouts.LAYOUTS)), default=None,
              help="The file's layout (default: detected).")
@with_appcontext
def import_payments(file: str, layout: str | None):
    """Import a payment FILE (가상계좌, 지로, CMS, card): all its lines or, when any is bad, none."""
    from pathlib import Path

    path = Path(file)
    try:
        with audit.acting_as(None, "cli"):
            result = payments.import_file(path.read_bytes(), layout or "", f"{layout or 'auto'}:{path.name}"[:60])
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    if result.errors:
        for error in result.errors:
            click.echo(error, err=True)
        raise click.ClickException(f"{len(result.errors)} bad line(s): nothing imported")
    click.echo(f"{result.lines} lines: {result.new} new ({result.amount:,} won; {result.suspense} unmatched), "
               f"{result.known} already known")


@group.command("post-receipts")
@click.option("--through", type=click.DateTime(["%Y-%m-%d"]), help="Last receipt day to book (default: today).")
@with_appcontext
def post_receipts(through):
    """Book the receipts not booked yet (counter payments, reversals): one entry per day and channel."""
    with audit.acting_as(None, "cli"):
        keys = payments.post_receipts(through.date() if through else None)
        delivered, failed = postings.relay(limit=10_000)
    click.echo(f"{len(keys)} entr(y/ies) owed; {delivered} delivered, {failed} waiting")


@group.command("payment-gateway")
@click.argument("name")
@with_appcontext
def payment_gateway(name: str):
    """Register a bank gateway NAME for POST /api/rates/payments and print its token (shown once)."""
    try:
        with audit.acting_as(None, "cli"):
            gateway, token = payments.register_gateway(name)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Gateway {gateway.name}: token {token}")


@group.command("cms-request")
@click.argument("due", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the file here (default: cms-request-DUE.dat).")
@with_appcontext
def cms_request(due, output: str | None):
    """Write the CMS auto-debit request file for the bills due on DUE (YYYY-MM-DD)."""
    from pathlib import Path

    with audit.acting_as(None, "cli"):
        asked = cms.request(due.date())
    path = Path(output or f"cms-request-{asked.due_on.isoformat()}.dat")
    path.write_bytes(asked.data)
    click.echo(f"{asked.count} debits, {asked.total:,} won: {path}")


@group.command("import-cms-results")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_cms_results(file: str):
    """Import the bank's CMS result FILE: debits made become payments, failures keep the reason."""
    from pathlib import Path

    with audit.acting_as(None, "cli"):
        result = cms.import_results(Path(file).read_bytes())
        if not result.errors:
            postings.relay(limit=10_000)
    if result.errors:
        for error in result.errors:
            click.echo(error, err=True)
        raise click.ClickException(f"{len(result.errors)} bad line(s): nothing imported")
    click.echo(f"{result.paid} debited, {result.failed} failed, {result.known} answered before")
