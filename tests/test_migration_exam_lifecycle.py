"""Migration a1b2c3d4e5f6: exams that existed before exams had a lifecycle are live today, so the
upgrade publishes them (published_at = their creation time); exams created afterwards start as drafts."""
from __future__ import annotations

from datetime import datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from examengine.extensions import db
from examengine.models import Exam
from tests.exam_builders import build_exam
from tests.migration_helpers import previous_revision

REVISION = "a1b2c3d4e5f6"
CREATED = datetime(2026, 11, 2, 8, 30)


def test_the_upgrade_publishes_existing_exams(migrated_app):
    exam_id = build_exam(users=["ann"], status="draft", created_at=CREATED).id
    db.session.remove()
    downgrade(revision=previous_revision(REVISION))
    assert "status" not in {column["name"] for column in inspect(db.engine).get_columns("exams")}

    upgrade(revision=REVISION)
    upgrade()  # the later revisions add columns the model reads; they leave the status alone

    db.session.remove()
    exam = db.session.get(Exam, exam_id)
    assert (exam.status, exam.published_at, exam.published_by_id) == ("published", CREATED, None)
    assert exam.archived_at is None and exam.closed_early_at is None
    fresh = build_exam(bank_md=None, title="After the upgrade", status="draft")
    assert db.session.scalar(select(Exam.status).where(Exam.id == fresh.id)) == "draft"


def test_a_new_row_without_a_status_is_a_draft(migrated_app):
    # The server default matters to rows written by other tools (and by old code during a rolling deploy).
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO exams (title, instructions, time_limit_minutes, opens_at, closes_at, attempts_allowed, "
            "pass_percent, multiple_scoring, shuffle_questions, "
            "shuffle_options, double_marking, double_marking_tolerance, dimension_weights, appeal_days, created_at) "
            "VALUES ('raw', '', 60, '2030-01-01 00:00:00', '2030-01-02 00:00:00', 1, 60, "
            "'all-or-nothing', TRUE, TRUE, FALSE, 20, '{}', 7, '2030-01-01 00:00:00')")
    assert db.session.scalar(select(Exam.status).where(Exam.title == "raw")) == "draft"
