"""The admin's analysis page, its exports, who may see them, and `flask analysis exam --json`."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from examengine.extensions import db
from tests.conftest import Auth, english_client
from tests.exam_builders import ensure_user, make_exam
from tests.results_builders import sit_attempt

WRONG = {"single": 0, "multiple": [2], "truefalse": False, "fill": ["http", "2"]}


@pytest.fixture
def sat(app):
    """An exam of every type: three attempts graded, one written answer still waiting."""
    exam_id = make_exam(app, users=["alice", "bob", "carol", "dave"])
    with app.app_context():
        sit_attempt(exam_id, "alice", written={"short": 5, "analysis": 8}, reviewer="rita", rubric_items=[0])
        sit_attempt(exam_id, "bob", answers=WRONG, written={"short": 1, "analysis": 2}, reviewer="rita")
        sit_attempt(exam_id, "carol", written={"short": 3, "analysis": 5}, reviewer="rita", rubric_items=[0, 1])
        sit_attempt(exam_id, "dave")  # written answers not graded yet
    return exam_id


def admin(app):
    client = english_client(app)
    with app.app_context():
        ensure_user("boss", roles=("admin",))
    assert Auth(client).login("boss").status_code == 302
    return client


def test_the_page_shows_the_figures_and_says_what_is_counted(app, sat):
    html = admin(app).get(f"/admin/exams/{sat}/analysis").text
    assert 'data-testid="test-figures"' in html and 'data-testid="scatter"' in html
    assert html.count('data-testid="question-row"') == 6
    assert "3 attempts counted." in html and "1 attempt is still waiting for grading." in html
    assert "Only fully graded attempts are counted." in html
    assert 'data-testid="small-sample"' in html  # 3 attempts: hints, not facts
    assert 'data-testid="distractors"' in html and 'data-testid="wrong-answers"' in html
    assert 'data-testid="rubric-hits"' in html and re.search(r'js/sortable-table\.[0-9a-f]{12}\.js', html)
    with_waiting = admin(app).get(f"/admin/exams/{sat}/analysis?waiting=1&attempts=all").text
    assert "4 attempts counted." in with_waiting


def test_exports_hold_the_whole_analysis(app, sat):
    client = admin(app)
    response = client.get(f"/admin/exams/{sat}/analysis.csv")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][0] == "Position" and len(rows) == 7
    workbook = load_workbook(io.BytesIO(client.get(f"/admin/exams/{sat}/analysis.xlsx").data))
    assert workbook.sheetnames == ["Test", "Questions", "Options", "Wrong answers", "Rubric"]
    test_sheet = {row[0]: row[1] for row in workbook["Test"].iter_rows(min_row=2, values_only=True)}
    assert test_sheet["Attempts counted"] == 3 and test_sheet["Attempts waiting for grading"] == 1
    assert client.get(f"/admin/exams/{sat}/analysis.pdf").status_code == 404
    assert client.get("/admin/exams/4242/analysis").status_code == 404


@pytest.mark.parametrize("roles", [("reviewer",), ("employee",)])
def test_only_admins_see_the_analysis(app, sat, roles):
    client = english_client(app)
    with app.app_context():
        ensure_user("someone", roles=roles)
    Auth(client).login("someone")
    for url in (f"/admin/exams/{sat}/analysis", f"/admin/exams/{sat}/analysis.csv"):
        assert client.get(url).status_code == 403
    assert app.test_client().get(f"/admin/exams/{sat}/analysis").status_code == 302


def test_the_cli_prints_the_figures_as_json(app, sat, runner):
    result = runner.invoke(args=["analysis", "exam", str(sat), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"attempts", "mean", "sd", "alpha", "sem", "questions"} <= set(data)
    assert data["attempts"] == 3 and data["waiting"] == 1 and 0 <= data["mean"] <= 1
    first = data["questions"][0]
    assert {"position", "version_id", "n", "facility", "sd", "discrimination_index",
            "discriminative_efficiency", "flags"} <= set(first)
    assert [q["position"] for q in data["questions"]] == [1, 2, 3, 4, 5, 6]
    assert all(q["facility"] is None or 0 <= q["facility"] <= 1 for q in data["questions"])
    readable = runner.invoke(args=["analysis", "exam", str(sat)])
    assert readable.exit_code == 0 and "3 attempts counted" in readable.output


def test_the_cli_refuses_an_unknown_exam(runner, app):
    result = runner.invoke(args=["analysis", "exam", "4242", "--json"])
    assert result.exit_code == 1 and "No exam with id 4242" in result.output
    with app.app_context():
        assert db.session.execute(db.text("select 1")).scalar() == 1
