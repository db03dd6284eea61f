"""`flask demo load`: demo accounts and the sample banks, for a first look at the product."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..services.accounts import find_user, generate_password, groups_by_name, new_user

DEMO_ACCOUNTS = (
    ("admin", "演示管理员", ("admin",), ()),
    ("reviewer", "演示阅卷人", ("reviewer",), ("技术支持部",)),
    ("employee", "演示员工", ("employee",), ("技术支持部", "一线支持组")),
)


@click.group("demo", help="Demo data for trying the product.")
def demo_cli() -> None:
    pass


@demo_cli.command("accounts")
@with_appcontext
def accounts() -> None:
    """Create (or reset) the demo accounts and print their new passwords."""
    lines = []
    for username, display_name, roles, group_names in DEMO_ACCOUNTS:
        password = generate_password()
        user = find_user(username)
        if user is None:
            groups = groups_by_name(group_names, create=True)
            user = new_user(username, display_name=display_name, roles=roles, groups=groups)
        user.set_password(password)
        user.active = True
        lines.append(f"  {username:<10} {password}   ({', '.join(roles)})")
    db.session.commit()
    click.echo("Demo accounts (user name, password):")
    click.echo("\n".join(lines))
