import click
from flask.cli import with_appcontext

from sample_plugin import api


@click.group("sample")
def group():
    """Sample commands."""


@group.command("count")
@with_appcontext
def count():
    click.echo(f"{api.count_things()} things")
