"""`flask analysis exam EXAM_ID [--json]`: the item analysis of an exam, for people and for other systems."""
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


@analysis_cli.command("exam")
@click.argument("exam_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (fractions 0..1; *_points in points).")
@click.option("--attempts", type=click.Choice(["last", "first", "best", "all"]), default="last", show_default=True,
              help="Which finalized attempts of each examinee count.")
@click.option("--include-waiting", is_flag=True,
              help="Also count attempts with answers still waiting for a reviewer (those answers left out).")
@with_language
@with_appcontext
def exam_command(exam_id: int, as_json: bool, attempts: str, include_waiting: bool) -> None:
    """The test-level figures and the per-question figures of exam EXAM_ID."""
    from ..extensions import db
    from ..models import Exam
    from ..services.analysis import analysis_json, exam_analysis

    exam = db.session.get(Exam, exam_id) if 0 < exam_id < 2**31 else None
    if exam is None:
        click.echo(translate(N_("No exam with id %(id)d.", id=exam_id)), err=True)
        sys.exit(1)
    data = analysis_json(exam_analysis(exam, attempts=attempts, include_waiting=include_waiting))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    counted = Np_("%(num)d attempt counted", "%(num)d attempts counted", data["attempts"])
    waiting = Np_("%(num)d waiting for grading", "%(num)d waiting for grading", data["waiting"])
    click.echo(translate(N_("%(title)s: %(counted)s, %(waiting)s", title=exam.title, counted=counted,
                            waiting=waiting)))
    for key in ("mean", "sd", "alpha", "sem"):
        value = data[key]
        click.echo(f"  {key:6} {'-' if value is None else f'{value:.3f}'}")
    click.echo("  pos  n      facility  discrimination  efficiency  flags")
    for q in data["questions"]:
        cells = [q["facility"], q["discrimination_index"], q["discriminative_efficiency"]]
        shown = ["-" if v is None else f"{v:.3f}" for v in cells]
        click.echo(f"  {q['position']:<4} {q['n']:<6} {shown[0]:<9} {shown[1]:<15} {shown[2]:<11} "
                   f"{','.join(q['flags'])}")
