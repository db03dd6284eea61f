"""`flask users ...`: create accounts from the command line."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..models import ROLES
from ..services.accounts import AccountError, create_user, generate_password


@click.group("users", help="Manage user accounts.")
def users_cli() -> None:
    pass


@users_cli.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), default=("employee",),
              show_default=True, help="Role to grant; repeat for several.")
@click.option("--password", help="Password; a random one is generated and printed when omitted.")
@click.option("--name", "display_name", default="", help="Display name.")
@with_appcontext
def create(username: str, roles: tuple[str, ...], password: str | None, display_name: str) -> None:
    generated = password is None
    password = password or generate_password()
    try:
        user = create_user(username, password=password, roles=roles, display_name=display_name)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.username} ({', '.join(sorted(user.roles))}).")
    if generated:
        click.echo(f"Password: {password}")
