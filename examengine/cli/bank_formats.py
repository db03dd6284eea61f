"""`flask banks convert|export|template`: other formats in (as Markdown banks) and out.

`convert` needs no database (like `check`): it writes Markdown that is then checked, kept in Git and
imported as usual. `export` reads a stored bank (or a Markdown file) and writes it as Markdown, Moodle
XML, a QTI 2.1 package or the XLSX template.
"""
from __future__ import annotations

import sys
from pathlib import Path, PurePosixPath

import click
from flask.cli import with_appcontext

from ..core.banks import load_bank_bytes
from ..core.converters import convert_to_bank, drafts_of, formats, write_bank
from ..core.messages import N_, Np_
from ..services.messages import translate
from .banks import banks_cli, max_bank_bytes
from .language import with_language

KIND_LABELS = {"error": N_("error"), "skipped": N_("not converted"), "warning": N_("warning")}


@banks_cli.command("convert")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="The Markdown file to write (a folder when converting several inputs). "
                   "Default: print the Markdown of a single input.")
@click.option("--from", "format_name", type=click.Choice(sorted(formats.FORMATS)),
              help="The inputs' format (default: from each file's extension).")
@click.option("--check", "run_check", is_flag=True, help="Also run the bank check on the converted Markdown.")
@with_language
def convert(inputs: tuple[Path, ...], output: Path | None, format_name: str | None, run_check: bool) -> None:
    """Convert XLSX, CSV, Word, GIFT, Aiken, Moodle XML or QTI files to Markdown banks; exit 1 on any error."""
    if len(inputs) > 1 and output is None:
        raise click.UsageError(translate(N_("several inputs need -o FOLDER for the Markdown files")))
    fmt = formats.get(format_name) if format_name else None
    failed = False
    for path in inputs:
        converted = convert_to_bank(str(path), _read(path), fmt)
        for problem in converted.conversion.problems:
            click.echo(f"{problem.format(translate)} [{translate(KIND_LABELS[problem.kind])}]", err=True)
        failed |= bool(converted.conversion.errors)
        target = _target(output, converted.name, several=len(inputs) > 1)
        if run_check:
            for error in converted.check.errors:
                click.echo(_check_line(error, target), err=True)
            failed |= not converted.check.ok
        _write(converted, target)
        click.echo(translate(_summary(converted, target)), err=True)
    if failed:
        raise SystemExit(1)


@banks_cli.command("export")
@click.argument("bank")
@click.option("--format", "format_name", type=click.Choice(formats.EXPORT_FORMATS), default="md", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="The file to write (default: standard output).")
@with_language
@with_appcontext
def export(bank: str, format_name: str, output: Path | None) -> None:
    """Write the bank BANK (its id in the database, or a Markdown file) in another format."""
    content = _from_file(Path(bank), format_name) if bank.lower().endswith(".md") else _from_database(bank, format_name)
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        output.write_bytes(content)
        click.echo(translate(N_("wrote %(path)s", path=str(output))), err=True)


@banks_cli.command("template")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("question-template.xlsx"),
              show_default=True)
@with_language
def template(output: Path) -> None:
    """Write the XLSX question template (an example row per type, lists for the type and difficulty)."""
    from ..core.converters.spreadsheet import template_xlsx

    output.write_bytes(template_xlsx())
    click.echo(translate(N_("wrote %(path)s", path=str(output))), err=True)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise click.ClickException(f"{path}: {error.strerror}") from None


def _target(output: Path | None, name: str, *, several: bool) -> Path | None:
    if output is None:
        return None
    if several or output.is_dir():
        output.mkdir(parents=True, exist_ok=True)
        return output / name
    return output


def _check_line(error, target: Path | None) -> str:
    where = str(target) if target else error.path
    return f"{where}:{error.line}: {translate(error.message)}"


def _write(converted, target: Path | None) -> None:
    """The Markdown, and the files it links (images) beside it under their relative paths."""
    if target is None:
        click.echo(converted.markdown, nl=False)
        if converted.conversion.files:
            click.echo(translate(N_("the images of this file are written only with -o")), err=True)
        return
    target.write_text(converted.markdown, encoding="utf-8")
    for relative, content in converted.conversion.files.items():
        parts = PurePosixPath(relative).parts
        if not parts or ".." in parts or PurePosixPath(relative).is_absolute():
            continue  # the readers make plain names; never write outside the output's folder
        destination = target.parent.joinpath(*parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(content)


def _summary(converted, target: Path | None):
    where = str(target) if target else "-"
    return Np_("%(source)s -> %(target)s: %(num)d question; not converted: %(skipped)d; errors: %(errors)d",
               "%(source)s -> %(target)s: %(num)d questions; not converted: %(skipped)d; errors: %(errors)d",
               len(converted.conversion.drafts), source=converted.source, target=where,
               skipped=len(converted.conversion.skipped), errors=len(converted.conversion.errors))


def _from_file(path: Path, format_name: str) -> bytes:
    result = load_bank_bytes(_read(path), source=str(path), max_bytes=max_bank_bytes())
    if not result.ok:
        for error in result.errors:
            click.echo(error.format(translate), err=True)
        raise SystemExit(1)
    bank = result.bank
    if format_name == "md":
        return write_bank(drafts_of(bank), key=bank.key, title=bank.title, description=bank.description).encode()
    return formats.get(format_name).write(drafts_of(bank), key=bank.key, title=bank.title or bank.key)


def _from_database(key: str, format_name: str) -> bytes:
    from ..services.banks import bank_by_key, export_bank

    bank = bank_by_key(key)
    if bank is None:
        raise click.ClickException(translate(N_("no bank with the id %(key)r", key=key)))
    return export_bank(bank, format_name).content
