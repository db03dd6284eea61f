"""`flask attempts close-overdue`: finalize attempts whose time is up (run it from cron, e.g. every minute).

Idempotent and safe to run twice at once: each attempt is finalized and graded by exactly one caller.
"""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("attempts", help="Maintain exam attempts.")
def attempts_cli() -> None:
    pass


@attempts_cli.command("close-overdue")
@with_appcontext
def close_overdue_command() -> None:
    """Finalize and grade every attempt past its deadline plus the grace period."""
    from ..services.attempts import close_overdue

    count = close_overdue()
    click.echo(f"Finalized {count} overdue attempt{'' if count == 1 else 's'}.")
