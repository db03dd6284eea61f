"""Migration c9d0e1f2a3b4: exams get an optional unique key (exams as files); existing exams keep
working without one, and the downgrade drops it keeping the exams."""
from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from examengine.extensions import db, migrate
from examengine.models import Exam
from tests.exam_builders import build_exam
from tests.migration_helpers import previous_revision

REVISION = "c9d0e1f2a3b4"


def exam_columns() -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns("exams")}


def test_the_history_has_one_head_and_this_follows_the_rendered_html(app):
    with app.app_context():
        script = ScriptDirectory.from_config(migrate.get_config())
        assert len(script.get_heads()) == 1, script.get_heads()
        assert previous_revision(REVISION) == "a7b8c9d0e1f2"


def test_existing_exams_get_no_key_and_keys_are_unique(migrated_app):
    db.session.remove()
    downgrade(revision=previous_revision(REVISION))
    assert "key" not in exam_columns()
    with db.engine.begin() as connection:
        for title in ("old one", "old two"):
            connection.exec_driver_sql(
                "INSERT INTO exams (title, instructions, time_limit_minutes, opens_at, closes_at, attempts_allowed, "
                "pass_percent, multiple_scoring, shuffle_questions, shuffle_options, double_marking, "
                "double_marking_tolerance, dimension_weights, appeal_days, created_at) "
                f"VALUES ('{title}', '', 60, '2030-01-01 00:00:00', '2030-01-02 00:00:00', 1, 60, 'all-or-nothing', "
                "TRUE, TRUE, FALSE, 20, '{}', 7, '2030-01-01 00:00:00')")
    upgrade(revision=REVISION)
    assert "key" in exam_columns()
    db.session.remove()
    assert db.session.execute(select(Exam.title, Exam.key).order_by(Exam.id)).all() == [
        ("old one", None), ("old two", None)]
    build_exam(bank_md=None, status="draft", key="midterm-2026")
    with pytest.raises(IntegrityError):
        build_exam(bank_md=None, status="draft", key="midterm-2026")
    db.session.rollback()

    downgrade(revision=previous_revision(REVISION))
    assert "key" not in exam_columns()
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM exams").scalar() == 3
    upgrade()
