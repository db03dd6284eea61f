"""`flask banks check|import PATH...`: validate Markdown banks (e.g. in CI) and load them into the database.

`check` never touches the database, so it works on a fresh clone before any migration; `check --stats`
then also prints, for each question of the files already in the database (same bank id and question
identity), its current version's item analysis pooled over every exam that used it.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import click
from flask import current_app, has_app_context
from flask.cli import ScriptInfo, with_appcontext

from ..core.banks import DEFAULT_MAX_BYTES, check_paths
from ..core.messages import N_, Np_
from ..services.messages import translate
from .language import CATALOG_ONLY, with_language

BANK_SUFFIX = ".md"
PATHS = click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))


@click.group("banks", help="Check and import Markdown question banks.")
def banks_cli() -> None:
    pass


def max_bank_bytes() -> int:
    if has_app_context():
        return int(current_app.config.get("EXAMENGINE_MAX_BANK_BYTES", DEFAULT_MAX_BYTES))
    raw = os.environ.get("EXAMENGINE_MAX_BANK_BYTES", "").strip()
    return int(raw) if raw.isdigit() else DEFAULT_MAX_BYTES


def bank_files(paths) -> tuple[list[Path], list[str]]:
    """The given `.md` files and those under the given folders (sorted, hidden folders skipped, as
    `check` does), and a message for each path that yields none."""
    files: list[Path] = []
    problems: list[str] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*" + BANK_SUFFIX) if p.is_file()
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            problem = N_("no %(suffix)s files in this folder", suffix=BANK_SUFFIX)
        elif path.is_file():
            found = [path] if path.suffix.lower() == BANK_SUFFIX else []
            problem = N_("not a bank: bank files end in %(suffix)s", suffix=BANK_SUFFIX)
        else:
            found, problem = [], N_("no such file or folder")
        files.extend(found)
        if not found:
            problems.append(f"{given}: {translate(problem)}")
    return files, problems


@banks_cli.command("check")
@PATHS
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--stats", is_flag=True,
              help="Also print each question's pooled item analysis from the database (needs the database).")
@with_language
def check(paths: tuple[Path, ...], as_json: bool, stats: bool) -> None:
    """Validate bank files or folders; exit 1 if any error."""
    report = check_paths([str(p) for p in paths], max_bytes=max_bank_bytes())
    rows = _with_database(_question_stats, report) if stats else None
    if as_json:
        data = _check_json(report)
        if rows is not None:
            data["stats"] = rows
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for error in report.errors:
            click.echo(error.format(translate))
        if not report.errors:
            for line in report.summary_lines():
                click.echo(translate(line))
        if rows is not None:
            _echo_stats(rows)
    if report.errors:
        if not as_json:
            click.echo(translate(Np_("%(num)d error.", "%(num)d errors.", len(report.errors))), err=True)
        raise SystemExit(1)


def _with_database(function, *args):
    """`function(*args)` inside the application's context (the one running, or the one `flask --app`
    names); a clear message and exit 1 when there is none or its database cannot answer."""
    if has_app_context() and not current_app.config.get(CATALOG_ONLY):
        return _or_exit(function, *args)
    try:
        app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    except Exception:  # no --app / FLASK_APP: plain `check` needs none, --stats does
        raise click.ClickException("--stats needs the application and its database: run it as "
                                   "`flask --app wsgi banks check --stats PATH...`") from None
    with app.app_context():
        return _or_exit(function, *args)


def _or_exit(function, *args):
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return function(*args)
    except SQLAlchemyError as error:
        raise click.ClickException(f"--stats cannot read the database ({type(error).__name__}): "
                                   "is it migrated (`flask --app wsgi db upgrade`)?") from None


def _question_stats(report) -> list[dict]:
    """One row per question of the files that parsed: its current version in the database, if any, and
    that version's pooled figures (`used` false when no graded answer of it exists)."""
    from ..services.analysis import version_statistics
    from ..services.banks import current_versions

    questions = [(result.bank.key, spec) for result in report.results if result.bank
                 for spec in result.bank.questions]
    versions = current_versions((key, spec.identity) for key, spec in questions)
    figures = version_statistics([version.id for version in versions.values()])
    rows = []
    for key, spec in questions:
        version = versions.get((key, spec.identity))
        row = {"bank": key, "identity": spec.identity, "title": spec.title, "in_database": version is not None}
        if version is not None:
            found = figures.get(version.id)
            row.update({"version_id": version.id, "version": version.number,
                        "file_differs": version.fingerprint != spec.fingerprint, "used": found is not None,
                        "n": found.n if found else 0, "exams": found.exams if found else 0,
                        "facility": _rounded(found.facility if found else None),
                        "discrimination_index": _rounded(found.discrimination_index if found else None),
                        "discriminative_efficiency": _rounded(found.discriminative_efficiency if found else None),
                        "flags": found.flags if found else []})
        rows.append(row)
    return rows


def _rounded(value):
    return None if value is None else round(value, 6)


def _echo_stats(rows: list[dict]) -> None:
    click.echo("item analysis of the current versions, pooled over every exam that used them:")
    for row in rows:
        name = f"  {row['bank']}/{row['identity']}  {row['title'] or '-'}"
        if not row["in_database"]:
            click.echo(f"{name}: not in the database")
            continue
        version = f" v{row['version']}" + (" (the file differs: importing makes a new version)"
                                            if row["file_differs"] else "")
        if not row["used"]:
            click.echo(f"{name}{version}: never used in an exam")
            continue
        cells = ["-" if row[k] is None else f"{row[k]:.3f}" for k in ("facility", "discrimination_index")]
        flags = ",".join(row["flags"]) or "-"
        click.echo(f"{name}{version}: n {row['n']}, facility {cells[0]}, discrimination {cells[1]}, flags {flags}")


def _check_json(report) -> dict:
    data = dict(report.to_dict())
    # The documented error shape, whatever else the report carries.
    data["errors"] = [{"path": e.path, "line": e.line, "message": translate(e.message)} for e in report.errors]
    return data


@banks_cli.command("import")
@PATHS
@click.option("-v", "--verbose", is_flag=True, help="Also list the unchanged questions.")
@with_language
@with_appcontext
def import_(paths: tuple[Path, ...], verbose: bool) -> None:
    """Import bank files or folders into the database: all of them, or nothing if any has an error."""
    # Imported here: it needs the app's database, which `check` must not.
    from ..services.banks import import_banks

    files, problems = bank_files(paths)
    if problems:
        for problem in problems:
            click.echo(problem)
        click.echo(translate(N_("Nothing was imported.")), err=True)
        raise SystemExit(1)
    report = import_banks(_read_all(files), max_bytes=max_bank_bytes())
    if not report.ok:
        for error in report.errors:
            click.echo(error.format(translate) if error.path else translate(error.message))
            if error.text:
                click.echo(f"    | {error.text}")
        click.echo(translate(Np_("%(num)d error; nothing was imported.", "%(num)d errors; nothing was imported.",
                                 len(report.errors))), err=True)
        raise SystemExit(1)
    for bank in report.banks:
        _echo_bank(bank, verbose)


def _read_all(files: list[Path]) -> list[tuple[str, bytes]]:
    try:
        return [(str(path), path.read_bytes()) for path in files]
    except OSError as error:
        raise click.ClickException(f"Cannot read {error.filename}: {error.strerror}") from None


SIGNS = (("added", "+"), ("changed", "~"), ("restored", "^"), ("retired", "-"), ("unchanged", "="))
COUNT_LABELS = {"added": N_("added %(count)d"), "changed": N_("changed %(count)d"),
                "restored": N_("restored %(count)d"), "retired": N_("retired %(count)d"),
                "unchanged": N_("unchanged %(count)d")}


def _echo_bank(bank, verbose: bool) -> None:
    state = N_("new bank") if bank.created else N_("updated")
    click.echo(translate(N_("%(key)s (%(title)s) from %(source)s: %(state)s", key=bank.key, title=bank.title,
                            source=bank.source, state=state)))
    counts = bank.counts
    click.echo("  " + translate(N_(", ")).join(
        translate(N_(COUNT_LABELS[name].id, count=counts[name])) for name, _sign in SIGNS))
    for name, sign in SIGNS:
        if name == "unchanged" and not verbose:
            continue
        for ref in getattr(bank, name):
            click.echo(f"  {sign} {ref.title or '-'}  [{ref.identity}]")
