"""The analysis page of a set of exams: picking exams, the report tables, unknown ids, and who may see it."""
from __future__ import annotations

import pytest

from tests.analysis_builders import KEYS, graded_pattern, make, sit_by_rule
from tests.conftest import Auth, english_client
from tests.exam_builders import ensure_user


@pytest.fixture
def exams(app):
    """A: all six questions; B: the first four (a different paper); C: like A (the same paper)."""
    with app.app_context():
        ids = {}
        for name, keys in (("A", KEYS), ("B", KEYS[:4]), ("C", KEYS)):
            users = [f"{name}{n}" for n in range(4)]
            exam = make(keys, users, title=f"Exam {name}")
            sit_by_rule(exam, users, lambda k, i: graded_pattern(k * 7, i))
            ids[name] = exam.id
        return ids


def admin(app):
    client = english_client(app)
    with app.app_context():
        ensure_user("boss", roles=("admin",))
    assert Auth(client).login("boss").status_code == 302
    return client


def test_the_picker_lists_the_exams_and_asks_for_two(app, exams):
    client = admin(app)
    html = client.get("/admin/exams/analysis").text
    assert html.count('name="exam"') == 3 and "Exam A" in html and "4 attempts" in html
    assert 'data-testid="choose-exams"' in html
    one = client.get(f"/admin/exams/analysis?exam={exams['A']}").text
    assert 'data-testid="choose-exams"' in one and f'value="{exams["A"]}" id="set-exam-{exams["A"]}" checked' in one
    assert 'data-testid="set-analysis-link"' in client.get(f"/admin/exams/{exams['A']}/analysis").text


def test_a_set_with_different_papers_pools_questions_and_gives_test_figures_per_exam(app, exams):
    html = admin(app).get(f"/admin/exams/analysis?exam={exams['A']}&exam={exams['B']}").text
    assert html.count('data-testid="question-row"') == 6
    assert "8 attempts counted." in html and "Several exams: one row per question version" in html
    assert 'data-testid="per-exam-only"' in html and html.count('data-testid="per-exam-row"') == 2
    assert 'data-testid="alpha"' not in html and 'data-testid="small-sample"' in html


def test_a_set_with_the_same_paper_has_pooled_test_figures(app, exams):
    html = admin(app).get(f"/admin/exams/analysis?exam={exams['A']}&exam={exams['C']}&attempts=all").text
    assert 'data-testid="test-figures"' in html and 'data-testid="alpha"' in html
    assert 'data-testid="per-exam-only"' not in html and "8 attempts counted." in html


def test_unknown_or_malformed_ids_are_reported(app, exams):
    client = admin(app)
    response = client.get(f"/admin/exams/analysis?exam={exams['A']}&exam=4242&exam=abc")
    assert response.status_code == 404
    assert "There is no exam with id 4242." in response.text and "There is no exam with id abc." in response.text
    assert 'data-testid="question-row"' not in response.text


@pytest.mark.parametrize("roles", [("reviewer",), ("employee",)])
def test_only_admins_see_it(app, exams, roles):
    client = english_client(app)
    with app.app_context():
        ensure_user("someone", roles=roles)
    Auth(client).login("someone")
    assert client.get(f"/admin/exams/analysis?exam={exams['A']}&exam={exams['B']}").status_code == 403
