"""``flask rates …`` commands."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from erp.audit import services as audit
from erp.common.errors import ServiceError
from plugins.rates.services import ami


@click.group("rates")
def group():
    """Water rates: smart-meter devices."""


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
