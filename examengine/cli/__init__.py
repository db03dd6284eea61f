"""Command-line interface: `flask --app wsgi users|banks|exams|demo|attempts|analysis ...`."""
from flask import Flask


def register(app: Flask) -> None:
    from . import bank_formats  # noqa: F401 -- registers `banks convert|export|template`
    from .analysis import analysis_cli
    from .attempts import attempts_cli
    from .banks import banks_cli
    from .demo import demo_cli
    from .exams import exams_cli
    from .users import users_cli

    for group in (users_cli, banks_cli, exams_cli, demo_cli, attempts_cli, analysis_cli):
        app.cli.add_command(group)
