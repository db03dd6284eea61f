"""`flask analysis exams ID ID... [--json]`: the analysis of a set of exams, with the keys of `analysis exam`."""
from __future__ import annotations

import json

import pytest

from tests.analysis_builders import KEYS, graded_pattern, make, sit_by_rule


@pytest.fixture
def exams(app):
    with app.app_context():
        ids = []
        for name, keys in (("A", KEYS), ("B", KEYS[:4])):
            users = [f"{name}{n}" for n in range(3)]
            exam = make(keys, users, title=f"Exam {name}")
            sit_by_rule(exam, users, lambda k, i: graded_pattern(k * 10, i))
            ids.append(exam.id)
        return ids


def test_the_json_has_the_keys_of_one_exam(runner, exams):
    single = json.loads(runner.invoke(args=["analysis", "exam", str(exams[0]), "--json"]).output)
    result = runner.invoke(args=["analysis", "exams", *map(str, exams), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(single) == set(data)
    assert data["exam_id"] is None and data["exam_ids"] == sorted(exams) and data["items"] == "versions"
    assert data["test_scope"] == "per_exam" and data["alpha"] is None and data["attempts"] == 6
    assert [own["attempts"] for own in data["per_exam"]] == [3, 3]
    by_version = {q["version_id"]: q for q in data["questions"]}
    assert len(by_version) == 6 and {q["n"] for q in data["questions"]} == {6, 3}
    readable = runner.invoke(args=["analysis", "exams", *map(str, exams)])
    assert readable.exit_code == 0 and "6 attempts counted" in readable.output
    assert "test figures per exam only" in readable.output


def test_an_unknown_id_is_refused(runner, exams):
    result = runner.invoke(args=["analysis", "exams", str(exams[0]), "4242", "--json"])
    assert result.exit_code == 1 and "No exam with id 4242." in result.output
    assert runner.invoke(args=["analysis", "exams"]).exit_code == 2  # at least one id
