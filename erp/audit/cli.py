"""``flask erp audit-verify | audit-anchor | audit-rekey``: the audit trail's commands."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from erp.audit import services as audit


@click.command("audit-verify")
@with_appcontext
def audit_verify():
    """Check the keyed hash chain of every service this process has (the core's and each loaded
    plugin's) and every anchor written outside the database, one line per chain; exit 1 if any
    is broken. The outcome is kept for the audit page."""
    broken = False
    for result in audit.verify_all(save=True):
        if result.ok:
            keyed = f" Records up to {result.keyed_from - 1} are pinned by the rekey boundary." if result.keyed_from > 1 else ""
            click.echo(f"{result.chain}: audit trail intact, {result.checked} records verified. "
                       f"{result.anchors} anchor(s) checked.{keyed}")
            continue
        broken = True
        at = f"record {result.broken_seq}" if result.broken_seq is not None else "its anchors"
        click.echo(f"{result.chain}: AUDIT TRAIL BROKEN at {at}: {result.reason} "
                   f"({result.checked} records verified before it).", err=True)
    if broken:
        sys.exit(1)


@click.command("audit-anchor")
@with_appcontext
def audit_anchor():
    """Write a signed checkpoint of every chain's head to its anchor file and the log stream
    (the worker does so every 15 minutes when a head moved)."""
    for written in audit.anchor_all():
        click.echo(f"{written.chain}: anchored record {written.seq} ({written.head[:12]}…) at {written.at}.")


@click.command("audit-rekey")
@with_appcontext
def audit_rekey():
    """Once, after upgrading a database whose chains were written before the audit key: pin the
    records chained with plain SHA-256 by a signed boundary anchor (nothing is rewritten); the
    records after it are keyed. Refused on a broken chain; exit 1 then."""
    failed = False
    for name in audit.chains():
        result = audit.rekey(name)
        if result.problem and not result.problem.startswith("already"):
            failed = True
            click.echo(f"{name}: NOT carried over: {result.problem}.", err=True)
        elif result.problem:
            click.echo(f"{name}: {result.problem}.")
        elif result.boundary_written:
            click.echo(f"{name}: {result.legacy} unkeyed record(s) pinned by a boundary anchor; {result.keyed} keyed after them.")
        else:
            click.echo(f"{name}: already keyed from the first record ({result.keyed} records); anchored.")
    if failed:
        sys.exit(1)


COMMANDS = [audit_verify, audit_anchor, audit_rekey]
