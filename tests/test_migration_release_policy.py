"""The release-policy migration maps each exam's old review settings to the closest policy, and back."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from examengine.extensions import db
from tests.migration_helpers import previous_revision

REVISION = "b2c3d4e5f6a7"
OLD = [  # (show_score, show_correctness, show_answers) -> (score, marks, answers, feedback)
    (("immediately", True, True), ("immediately", "immediately", "after_close", "after_close")),
    (("after_grading", True, False), ("after_grading", "after_grading", "never", "never")),
    (("never", False, True), ("never", "never", "after_close", "after_close")),
]


def test_old_settings_become_the_closest_policy_and_back(migrated_app):
    downgrade(revision=previous_revision(REVISION))
    with db.engine.begin() as connection:
        for number, ((score, correctness, answers), _policy) in enumerate(OLD, start=1):
            connection.execute(text(
                "INSERT INTO exams (id, title, instructions, time_limit_minutes, opens_at, closes_at, "
                "attempts_allowed, pass_percent, show_score, show_correctness, show_answers, multiple_scoring, "
                "shuffle_questions, shuffle_options, double_marking, double_marking_tolerance, dimension_weights, "
                "appeal_days, created_at) VALUES (:id, 'Old', '', 60, '2030-01-01', '2030-01-02', 1, 60, :score, "
                ":correctness, :answers, 'all-or-nothing', true, true, false, 20, '{}', 7, '2029-12-01')"),
                {"id": number, "score": score, "correctness": correctness, "answers": answers})
    upgrade(revision=REVISION)
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT release_score, release_marks, release_answers, release_feedback, "
                                       "results_released_at FROM exams ORDER BY id")).all()
    assert [tuple(row[:4]) for row in rows] == [policy for _old, policy in OLD]
    assert all(row[4] is None for row in rows)
    downgrade(revision=previous_revision(REVISION))
    with db.engine.connect() as connection:
        back = connection.execute(text("SELECT show_score, show_correctness, show_answers FROM exams ORDER BY id")).all()
    assert [(s, bool(c), bool(a)) for s, c, a in back] == [old for old, _policy in OLD]
    upgrade()
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM exams"))
