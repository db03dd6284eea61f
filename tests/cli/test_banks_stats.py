"""`flask banks check --stats PATH...`: the normal check, then each question's pooled item analysis."""
from __future__ import annotations

import json

from click.testing import CliRunner
from flask.cli import ScriptInfo

from examengine.cli.banks import banks_cli
from tests.analysis_builders import KEYS, bank, graded_pattern, make, sit_by_rule
from tests.conftest import make_app

EXTRA = "\n## [truefalse] Brand new\nid: fresh\nanswer: true\n\nNot imported yet.\n"


def sat(app, tmp_path):
    """Q0–Q2 used by three examinees; Q3–Q5 imported, never used; the file adds one new question."""
    with app.app_context():
        users = ["s0", "s1", "s2"]
        exam = make(KEYS[:3], users)
        sit_by_rule(exam, users, lambda k, i: graded_pattern(k * 10, i))
    path = tmp_path / "sim.md"
    path.write_text(bank().replace("Question 2?", "Question two?") + EXTRA, encoding="utf-8")
    return path


def test_stats_for_used_unused_and_new_questions(app, runner, tmp_path):
    path = sat(app, tmp_path)
    result = runner.invoke(args=["banks", "check", "--stats", str(path)])
    assert result.exit_code == 0, result.output
    lines = {line.split("  ")[1]: line for line in result.output.splitlines() if line.startswith("  sim/")}
    assert "7 questions, no errors" in result.output
    assert lines["sim/q0"].endswith("v1: n 3, facility 0.667, discrimination 0.803, flags small_sample")  # corr([0,1,1], [0,2,5])
    assert "never used in an exam" in lines["sim/q4"]
    assert "sim/q2" in lines and "the file differs" in lines["sim/q2"]
    assert lines["sim/fresh"].endswith("not in the database")


def test_stats_in_json(app, runner, tmp_path):
    path = sat(app, tmp_path)
    result = runner.invoke(args=["banks", "check", "--stats", "--json", str(path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["questions"] == 7 and data["errors"] == []
    stats = {row["identity"]: row for row in data["stats"]}
    assert stats["q0"]["used"] and stats["q0"]["n"] == 3 and stats["q0"]["flags"] == ["small_sample"]
    assert stats["q0"]["facility"] == round(2 / 3, 6) and stats["q0"]["file_differs"] is False
    assert stats["q5"]["used"] is False and stats["q5"]["n"] == 0 and stats["q5"]["facility"] is None
    assert stats["fresh"] == {"bank": "sim", "identity": "fresh", "title": "Brand new", "in_database": False}
    plain = json.loads(runner.invoke(args=["banks", "check", "--json", str(path)]).output)
    assert "stats" not in plain


def test_stats_need_the_application_and_its_database(tmp_path):
    path = tmp_path / "sim.md"
    path.write_text(bank(), encoding="utf-8")
    nowhere = ScriptInfo(app_import_path="no_such_application_module")  # as without --app or a wsgi.py
    assert CliRunner().invoke(banks_cli, ["check", str(path)], obj=nowhere).exit_code == 0
    result = CliRunner().invoke(banks_cli, ["check", "--stats", str(path)], obj=nowhere)
    assert result.exit_code == 1 and "--stats needs the application" in result.output
    app = make_app(tmp_path / "unmigrated", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'none.sqlite3'}")
    unmigrated = app.test_cli_runner().invoke(args=["banks", "check", "--stats", str(path)])
    assert unmigrated.exit_code == 1 and "cannot read the database" in unmigrated.output
