"""`flask analysis exam EXAM_ID [--json]`: the item analysis of an exam, for people and for other systems;
`flask analysis exams EXAM_ID EXAM_ID... [--json]`: the analysis of a set of exams that share questions
(the same JSON keys)."""
from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from ..core.messages import N_, Np_
from ..services.messages import translate
from .language import with_language


@click.group("analysis", help="Item analysis: how good each question and each exam is.")
def analysis_cli() -> None:
    pass


def _options(command):
    command = click.option("--json", "as_json", is_flag=True,
                           help="Print JSON (fractions 0..1; *_points in points).")(command)
    command = click.option("--attempts", type=click.Choice(["last", "first", "best", "all"]), default="last",
                           show_default=True, help="Which finalized attempts of each examinee count.")(command)
    return click.option("--include-waiting", is_flag=True,
                        help="Also count attempts with answers still waiting for a reviewer (those answers left out)."
                        )(command)


def _exams_or_exit(exam_ids):
    """The exams, in the order given; exit 1 naming the first id that is no exam."""
    from ..services.analysis import exams_by_id

    known = {exam.id: exam for exam in exams_by_id(i for i in exam_ids if 0 < i < 2**31)}
    for exam_id in exam_ids:
        if exam_id not in known:
            click.echo(translate(N_("No exam with id %(id)d.", id=exam_id)), err=True)
            sys.exit(1)
    return [known[exam_id] for exam_id in exam_ids]


@analysis_cli.command("exam")
@click.argument("exam_id", type=int)
@_options
@with_language
@with_appcontext
def exam_command(exam_id: int, as_json: bool, attempts: str, include_waiting: bool) -> None:
    """The test-level figures and the per-question figures of exam EXAM_ID."""
    from ..services.analysis import analysis_json, exam_analysis

    exam = _exams_or_exit([exam_id])[0]
    data = analysis_json(exam_analysis(exam, attempts=attempts, include_waiting=include_waiting))
    _echo(data, exam.title, as_json)


@analysis_cli.command("exams")
@click.argument("exam_ids", nargs=-1, required=True, type=int)
@_options
@with_language
@with_appcontext
def exams_command(exam_ids: tuple[int, ...], as_json: bool, attempts: str, include_waiting: bool) -> None:
    """The analysis of the exams EXAM_IDS together: items are question versions, attempts of every exam
    are pooled (each compared with the rest of its own paper); test figures are pooled only when every
    exam has the same paper, else given per exam."""
    from ..services.analysis import analysis_json, exams_analysis

    exams = _exams_or_exit(list(dict.fromkeys(exam_ids)))
    data = analysis_json(exams_analysis(exams, attempts=attempts, include_waiting=include_waiting))
    _echo(data, " + ".join(exam.title for exam in exams), as_json)


def _echo(data: dict, title: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    counted = Np_("%(num)d attempt counted", "%(num)d attempts counted", data["attempts"])
    waiting = Np_("%(num)d waiting for grading", "%(num)d waiting for grading", data["waiting"])
    click.echo(translate(N_("%(title)s: %(counted)s, %(waiting)s", title=title, counted=counted,
                            waiting=waiting)))
    if data["test_scope"] == "per_exam":
        click.echo("  " + translate(N_("different papers: test figures per exam only (no pooled alpha)")))
        for own in data["per_exam"]:
            mean = "-" if own["mean"] is None else f"{own['mean']:.3f}"
            sd = "-" if own["sd"] is None else f"{own['sd']:.3f}"
            click.echo("  " + translate(N_("exam %(id)s %(title)s: %(attempts)s attempts, mean %(mean)s, sd %(sd)s",
                                           id=own["exam_id"], title=own["title"], attempts=own["attempts"],
                                           mean=mean, sd=sd)))
    for key in ("mean", "sd", "alpha", "sem") if data["test_scope"] == "pooled" else ():
        value = data[key]
        click.echo(f"  {key:6} {'-' if value is None else f'{value:.3f}'}")
    click.echo("  pos  n      facility  discrimination  efficiency  flags")
    for q in data["questions"]:
        cells = [q["facility"], q["discrimination_index"], q["discriminative_efficiency"]]
        shown = ["-" if v is None else f"{v:.3f}" for v in cells]
        click.echo(f"  {q['position']:<4} {q['n']:<6} {shown[0]:<9} {shown[1]:<15} {shown[2]:<11} "
                   f"{','.join(q['flags'])}")
