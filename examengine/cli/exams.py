"""`flask exams apply|export|list`: exams kept as YAML files (docs/exam-files.md), e.g. in Git next to the banks.

`apply FILE` creates the exam the file describes, or updates the exam with the file's `key`, in one
transaction, or stores nothing and prints every problem as `FILE:LINE: message` (exit 1). Applying a
file that matches the stored exam says "unchanged". `export KEY` writes the stored exam as a file that
applies as "unchanged"; `export --id N --key KEY` first gives exam N (made on the web, so without
a key) that key. `list` shows every exam's id, key, state and title (`--json` for scripts).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext, pgettext

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
@click.argument("key", required=False)
@click.option("--id", "exam_id", type=int, help="The exam's id (see `exams list`), for an exam without a key: "
                                                 "give it one with --key.")
@click.option("--key", "new_key", help="With --id: the key to give the exam first (kept from then on).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="The file to write (default: standard output).")
@with_language
@with_appcontext
def export(key: str | None, exam_id: int | None, new_key: str | None, output: Path | None) -> None:
    """Write the exam with the key KEY as a YAML exam file; or the exam --id N, given the key --key KEY
    first if it has none (an exam made on the web)."""
    if (key is None) == (exam_id is None):
        raise click.UsageError(translate(N_("give the exam's KEY, or --id N (with --key KEY for an exam without "
                                            "a key)")))
    if new_key is not None and exam_id is None:
        raise click.UsageError(translate(N_("--key goes with --id N: the exam to give the key")))
    try:
        text = _exported(key, exam_id, new_key)
    except exams.ExamError as error:
        raise click.ClickException(" ".join(error.messages)) from None
    if output is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
        return
    output.write_text(text, encoding="utf-8")
    click.echo(translate(N_("wrote %(path)s", path=str(output))), err=True)


def _exported(key: str | None, exam_id: int | None, new_key: str | None) -> str:
    if exam_id is None:
        return exams.export_exam_file(key)
    exam = exams.exam_by_id(exam_id)
    if new_key is None:
        if not exam.key:
            raise exams.ExamError(translate(N_("The exam %(id)d has no key yet: give it one with --key KEY.",
                                               id=exam.id)))
        return exams.export_exam_file(exam.key)
    had_key = bool(exam.key)
    exam = exams.key_exam(exam.id, new_key)
    if not had_key:
        click.echo(translate(N_("%(key)s (%(title)s): the exam %(id)d has this key now", key=exam.key,
                                title=exam.title, id=exam.id)), err=True)
    return exams.export_exam_file(exam.key)


def status_labels() -> dict[str, str]:
    """The states as the exam list's badges name them."""
    return {"draft": gettext("Draft"), "scheduled": gettext("Scheduled"), "open": pgettext("exam status", "Open"),
            "closed": gettext("Closed"), "archived": gettext("Archived")}


@exams_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help='Print [{"id", "key", "title", "status"}] as JSON.')
@with_language
@with_appcontext
def list_exams(as_json: bool) -> None:
    """Every exam (archived ones too), one a line: id, key (`-` for none: an exam made on the web), state, title."""
    rows = sorted(exams.exam_rows(state="all"), key=lambda row: row.exam.id)
    entries = [{"id": row.exam.id, "key": row.exam.key or "", "title": row.exam.title, "status": row.status}
               for row in rows]
    if as_json:
        click.echo(json.dumps(entries, ensure_ascii=False, indent=2))
        return
    if not entries:
        click.echo(translate(N_("No exams yet.")), err=True)
        return
    labels = status_labels()
    for entry in entries:
        click.echo("\t".join((str(entry["id"]), entry["key"] or "-", labels.get(entry["status"], entry["status"]),
                              entry["title"])))
