import click


@click.group("banks", help="Check and import Markdown question banks.")
def banks_cli() -> None:
    pass
