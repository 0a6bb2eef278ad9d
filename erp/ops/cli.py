"""``flask ops …``: the service checks from a CronJob, and as a post-deploy gate."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from erp.ops import checks


@click.group("ops")
def ops_group():
    """Operations: service checks."""


@ops_group.command("check")
@click.option("--all", "all_checks", is_flag=True, help="Run every active check now, not only those due.")
@with_appcontext
def check_command(all_checks: bool):
    """Run the service checks that are due (or --all); exit status 1 when any fails."""
    done = checks.run_checks(all_checks=all_checks)
    for check, result in done:
        state = "ok  " if result.ok else "FAIL"
        click.echo(f"{state} {check.service}/{check.name} {result.duration_ms} ms {result.message}".rstrip())
    failed = sum(1 for _, result in done if not result.ok)
    click.echo(f"{len(done)} checks, {failed} failed")
    sys.exit(1 if failed else 0)
