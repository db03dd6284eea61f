"""Command-line interface: `flask --app wsgi users|banks|demo|attempts ...`."""
from flask import Flask


def register(app: Flask) -> None:
    from .attempts import attempts_cli
    from .banks import banks_cli
    from .demo import demo_cli
    from .users import users_cli

    for group in (users_cli, banks_cli, demo_cli, attempts_cli):
        app.cli.add_command(group)
