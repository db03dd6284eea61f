"""The question browser's pooled item analysis: n / facility / discrimination with flag badges, the
"flagged questions only" filter, the figures per version on the question page, and no stale figures."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from examengine.extensions import db
from examengine.models import Attempt, AttemptSlot, QuestionVersion
from examengine.services.attempts.submission import update_total
from examengine.services.audit import record_score_change
from tests.analysis_builders import KEYS, graded_pattern, make, sit_by_rule
from tests.conftest import Auth, english_client
from tests.exam_builders import ensure_user

USERS = [f"e{n:02d}" for n in range(30)]


@pytest.fixture
def sat(app):
    """30 examinees of all six questions: Q4 discriminates negatively, Q5 is too easy, Q0–Q3 are fine."""
    with app.app_context():
        exam = make(KEYS, USERS)
        sit_by_rule(exam, USERS, graded_pattern)
        return {title: version_id for version_id, title in db.session.execute(
            select(QuestionVersion.id, QuestionVersion.title))}


def admin(app):
    client = english_client(app)
    with app.app_context():
        ensure_user("boss", roles=("admin",))
    assert Auth(client).login("boss").status_code == 302
    return client


def rows(html: str) -> dict[int, str]:
    return {int(m.group(1)): m.group(2) for m in re.finditer(
        r'<tr data-testid="question-row" data-version="(\d+)">(.*?)</tr>', html, re.S)}


def cell(row: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">([^<]*)<', row).group(1).strip()


def test_the_browser_shows_pooled_figures_and_flags(app, sat):
    html = admin(app).get("/admin/questions").text
    found = rows(html)
    assert set(found) == set(sat.values())
    q0, q4, q5 = found[sat["Q0"]], found[sat["Q4"]], found[sat["Q5"]]
    assert cell(q0, "stat-n") == "30" and cell(q0, "stat-facility") == "83.3%"
    assert 'data-flag="negative_discrimination"' in q4 and "Negative discrimination" in q4
    assert 'data-flag="too_easy"' in q5 and cell(q5, "stat-facility") == "100%"
    assert "data-flag=" not in q0
    assert 'name="flagged"' in html


def test_flagged_only_shows_only_flagged_questions(app, sat):
    client = admin(app)
    flagged = rows(client.get("/admin/questions?flagged=1").text)
    assert set(flagged) == {sat["Q4"], sat["Q5"]}
    assert set(rows(client.get("/admin/questions?flagged=1&q=Question 4").text)) == {sat["Q4"]}
    assert "No flagged questions match these filters." in client.get("/admin/questions?flagged=1&q=Question 1").text


def test_the_question_page_shows_the_figures_per_version(app, sat):
    client = admin(app)
    assert "Not used yet" not in client.get("/admin/questions").text
    with app.app_context():
        question_id = db.session.get(QuestionVersion, sat["Q1"]).question_id
    page = client.get(f"/admin/questions/{question_id}").text
    assert 'data-testid="version-statistics"' in page
    stats_row = re.search(r'data-testid="version-stats-row" data-version="1".*?</tr>', page, re.S).group(0)
    assert ">30<" in stats_row and ">66.7%<" in stats_row


def test_a_regrade_shows_on_the_next_view(app, sat):
    client = admin(app)
    assert cell(rows(client.get("/admin/questions").text)[sat["Q3"]], "stat-facility") == "33.3%"  # 10 of 30
    with app.app_context():
        slots = db.session.scalars(select(AttemptSlot).join(Attempt).where(
            AttemptSlot.question_version_id == sat["Q3"], AttemptSlot.score == 0)).all()
        for slot in slots[:3]:
            old, slot.score = slot.score, float(slot.points)
            record_score_change(attempt_id=slot.attempt_id, slot_id=slot.id, source="regrade", old=old,
                                new=float(slot.points), actor_id=None, reason="test")
            update_total(slot.attempt_id)
        db.session.commit()
    assert cell(rows(client.get("/admin/questions").text)[sat["Q3"]], "stat-facility") == "43.3%"  # 13 of 30


def test_nothing_answered_yet(app):
    client = admin(app)
    with app.app_context():
        make(KEYS, ["y1"])
    html = client.get("/admin/questions").text
    assert html.count('data-testid="never-used"') == 6
    assert "No flagged questions match these filters." in client.get("/admin/questions?flagged=1").text
