"""`flask exams apply|export`: exams kept as YAML files (docs/exam-files.md), e.g. in Git next to the banks.

`apply FILE` creates the exam the file describes, or updates the exam with the file's `key`, in one
transaction, or stores nothing and prints every problem as `FILE:LINE: message` (exit 1). Applying a
file that matches the stored exam says "unchanged". `export KEY` writes the stored exam as a file that
applies as "unchanged".
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..core.messages import N_, Np_
from ..services import exams
from ..services.messages import translate
from .language import with_language

OUTCOMES = {
    "created": N_("%(key)s (%(title)s): created"),
    "updated": N_("%(key)s (%(title)s): updated: %(changes)s"),
    "unchanged": N_("%(key)s (%(title)s): unchanged"),
}
DRY_RUN_OUTCOMES = {
    "created": N_("%(key)s (%(title)s): would be created (dry run: nothing was stored)"),
    "updated": N_("%(key)s (%(title)s): would be updated: %(changes)s (dry run: nothing was stored)"),
    "unchanged": N_("%(key)s (%(title)s): unchanged"),
}


@click.group("exams", help="Exams as YAML files: apply a file, export an exam.")
def exams_cli() -> None:
    pass


@exams_cli.command("apply")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file against the database and say what would change; "
                                                "store nothing.")
@with_language
@with_appcontext
def apply(file: Path, dry_run: bool) -> None:
    """Create or update the exam FILE describes (found by its key); nothing is stored on any error."""
    try:
        data = file.read_bytes()
    except OSError as error:
        raise click.ClickException(translate(N_("cannot read %(path)s: %(problem)s", path=str(file),
                                                problem=error.strerror or str(error)))) from None
    result = exams.apply_exam_file(data, dry_run=dry_run)
    if not result.ok:
        for problem in result.problems:
            click.echo(problem.format(str(file), translate))
        click.echo(translate(Np_("%(num)d error; nothing was stored.", "%(num)d errors; nothing was stored.",
                                 len(result.problems))), err=True)
        raise SystemExit(1)
    messages = DRY_RUN_OUTCOMES if result.dry_run else OUTCOMES
    click.echo(translate(N_(messages[result.outcome].id, key=result.key, title=result.title,
                            changes=", ".join(result.changes))))


@exams_cli.command("export")
@click.argument("key")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="The file to write (default: standard output).")
@with_language
@with_appcontext
def export(key: str, output: Path | None) -> None:
    """Write the exam with the key KEY as a YAML exam file."""
    try:
        text = exams.export_exam_file(key)
    except exams.ExamError as error:
        raise click.ClickException(" ".join(error.messages)) from None
    if output is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
        return
    output.write_text(text, encoding="utf-8")
    click.echo(translate(N_("wrote %(path)s", path=str(output))), err=True)
