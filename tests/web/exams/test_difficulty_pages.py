"""Admin pages and empirical difficulty: the setting on the form, its lock, and the preview showing
the author's and the measured difficulty."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from examengine.extensions import db
from examengine.models import Exam, Question, QuestionVersion
from examengine.services import attempts as attempt_service
from tests.conftest import PASSWORD
from tests.exam_admin_samples import bank_md
from tests.exam_builders import build_exam, ensure_user
from tests.services.exams.test_difficulty import MIN, record
from tests.web.exams.test_admin_exams import FORM, create

BANK = bank_md("emp", [(1, "", None, "single"), (4, "", None, "single")])


@pytest.fixture
def app(app_factory):
    return app_factory(EXAMENGINE_EMPIRICAL_DIFFICULTY_MIN_RESPONSES=MIN)


def version_ids() -> dict[str, int]:
    return dict(db.session.execute(
        select(Question.identity, QuestionVersion.id).join(QuestionVersion, QuestionVersion.question_id == Question.id)
        .where(QuestionVersion.is_current.is_(True))).all())


def test_the_settings_form_offers_both_sources_and_saves_the_choice(app, admin_client):
    page = admin_client.get("/admin/exams/new").text
    assert 'name="difficulty_source"' in page
    assert "The author" in page and "s difficulty labels" in page and "Measured difficulty where available" in page
    assert f"at least {MIN} graded responses" in page and "85% or more is level 1" in page
    exam_id = create(admin_client, difficulty_source="measured")
    with app.app_context():
        assert db.session.get(Exam, exam_id).difficulty_source == "measured"
    assert create(admin_client, title="Default") != exam_id
    with app.app_context():
        assert db.session.scalar(select(Exam.difficulty_source).where(Exam.title == "Default")) == "author"
    refused = admin_client.post("/admin/exams/new", data={**FORM, "difficulty_source": "guess"})
    assert refused.status_code == 400


def test_the_source_is_locked_on_the_form_once_attempts_exist(app, admin_client):
    with app.app_context():
        exam_id = build_exam(bank_md=BANK, rules=[{"count": 1}], difficulty_source="measured", users=["u0"]).id
        attempt_service.start_or_resume(exam_id, ensure_user("u0"))
    page = admin_client.get(f"/admin/exams/{exam_id}").text
    assert re.search(r'<select[^>]*disabled[^>]*name="difficulty_source"|<select[^>]*name="difficulty_source"[^>]*disabled',
                     page)
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        data = {**FORM, "title": "Renamed", "opens_at": "2020-01-01T09:00", "closes_at": "2099-01-01T09:00",
                "difficulty_source": "author"}
    saved = admin_client.post(f"/admin/exams/{exam_id}", data=data)
    assert saved.status_code == 302  # the locked field keeps the exam's value; the rest is saved
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert (exam.title, exam.difficulty_source) == ("Renamed", "measured")


def test_the_preview_shows_author_and_measured_difficulty(app, admin_client):
    with app.app_context():
        past = build_exam(bank_md=BANK, rules=[{"count": 1}], title="Past")
        v = version_ids()
        record(past, {v["q0"]: [0.0, 0.0, 1.0], v["q1"]: [1.0]})  # q0: facility 0.33 over 3 -> level 4
        exam_id = build_exam(bank_md=None, rules=[{"question_keys": ["emp/q0", "emp/q1"]}],
                             difficulty_source="measured").id
    page = admin_client.get(f"/admin/exams/{exam_id}/preview?seed=5").text
    assert "Author difficulty 1" in page and "Author difficulty 4" in page
    assert "Measured difficulty 4 (facility 0.33, 3 responses)" in page
    assert f"Measured difficulty: not enough responses (1 of {MIN})" in page
    assert "Balanced as level 4" in page and "Balanced on measured difficulty where available" in page
    assert "frozen when the first attempt starts" in page
    assert re.search(r'data-testid="spread-min">8<', page)  # 4 measured + 4 label
    with app.app_context():
        db.session.get(Exam, exam_id).difficulty_source = "author"
        db.session.commit()
    page = admin_client.get(f"/admin/exams/{exam_id}/preview?seed=5").text
    assert "s difficulty labels." in page and "Balanced as level" not in page
    assert re.search(r'data-testid="spread-min">5<', page) and "Measured difficulty 4" in page


def test_the_preview_in_chinese(app, make_user):
    make_user("admin", roles=("admin",))
    with app.app_context():
        exam_id = build_exam(bank_md=BANK, rules=[{"count": 1}], difficulty_source="measured").id
    client = app.test_client()
    assert client.post("/login", data={"username": "admin", "password": PASSWORD}).status_code == 302
    page = client.get(f"/admin/exams/{exam_id}/preview?seed=1").text
    assert "标注难度" in page and f"实测难度：作答不足（0 / {MIN}）" in page and "第一次作答开始时将冻结" in page
    assert "Author difficulty" not in page and "Measured difficulty" not in page
    settings = client.get(f"/admin/exams/{exam_id}").text
    assert "试卷难度均衡依据" in settings and f"已评分的作答达到 {MIN} 份" in settings and "85% 及以上为 1 级" in settings
