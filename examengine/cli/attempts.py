"""`flask attempts close-overdue`: finalize attempts whose time is up (run it from cron, e.g. every minute).

Idempotent and safe to run twice at once: each attempt is finalized and graded by exactly one caller.
"""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext


@click.group("attempts", help="Maintain exam attempts.")
def attempts_cli() -> None:
    pass


@attempts_cli.command("close-overdue")
@with_appcontext
def close_overdue_command() -> None:
    """Finalize and grade every attempt past its deadline plus the grace period.

    Also grades attempts that were submitted but never graded (those the migration c7d1e2f3a4b5
    closed). Each attempt is finalized in its own transaction: one that fails is rolled back, logged
    and left as it was, and the others are still processed. The exit code is 0 when every attempt was
    processed, 1 when any failed (after all the others were processed).
    """
    from ..services.attempts import close_overdue

    run = close_overdue()
    count = run.finalized
    click.echo(f"Finalized {count} overdue attempt{'' if count == 1 else 's'}.")
    if run.graded:
        click.echo(f"Graded {run.graded} submitted attempt{'' if run.graded == 1 else 's'} that had not been graded.")
    if run.failed:
        ids = ", ".join(str(attempt_id) for attempt_id in run.failed)
        click.echo(f"Failed: {len(run.failed)} attempt{'' if len(run.failed) == 1 else 's'} could not be processed "
                   f"and were left as they were (see the log): {ids}.", err=True)
        sys.exit(1)
