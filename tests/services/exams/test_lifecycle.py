"""The exam lifecycle (services/exams/lifecycle.py): publish with its checks, unpublish, close now,
archive and restore; refusals in English and Chinese, and nothing stored when refused."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from examengine.extensions import db
from examengine.models import Attempt, Exam, ExamOverride
from examengine.models._time import utcnow
from examengine.services import attempts as attempt_service
from examengine.services.exams import (
    ExamError,
    ExamSettings,
    archive,
    close_now,
    grace_seconds,
    lifecycle_state,
    publish,
    publish_check,
    restore,
    set_override,
    unpublish,
    update_exam,
)
from tests.exam_builders import build_exam, ensure_user


@pytest.fixture
def en(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield app


@pytest.fixture
def zh(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        yield app


def refusal(action, exam, *args, **kwargs) -> list[str]:
    status = exam.status
    with pytest.raises(ExamError) as error:
        action(exam, *args, **kwargs)
    db.session.expire_all()
    assert exam.status == status  # nothing stored
    return error.value.messages


def test_a_new_exam_is_a_draft_and_publishing_records_who_and_when(en, caplog):
    admin = ensure_user("boss", roles=("admin",))
    exam = build_exam(users=["ann"], status="draft")
    assert lifecycle_state(exam) == "draft" and exam.published_at is None
    check = publish_check(exam)
    assert check.ok and check.question_count == 6 and check.examinees == 1
    assert check.points_min == check.points_max == 24 and check.preview.spread.samples > 0
    with caplog.at_level(logging.INFO, logger="examengine.audit"):
        publish(exam, actor_id=admin.id)
    assert (exam.status, exam.published_by_id) == ("published", admin.id) and exam.published_at is not None
    assert lifecycle_state(exam) == "open"
    assert f"exam_publish by user {admin.id} on exam {exam.id}" in caplog.text


@pytest.mark.parametrize(("build", "english", "chinese"), [
    ({"rules": [], "users": ["ann"]}, "The exam has no rules yet", "该考试还没有抽题规则"),
    ({"users": []}, "Nobody is assigned", "尚未指派考生"),
    ({"users": ["ann"], "rules": [{"count": 3, "qtype": "single"}]},
     "The question pool cannot fill the rules", "题库无法满足抽题规则"),
])
def test_publishing_is_refused_with_a_clear_message(app, build, english, chinese):
    with app.app_context():
        exam_id = build_exam(status="draft", **build).id
    for language, expected in (("en", english), ("zh-CN", chinese)):
        with app.test_request_context(headers={"Accept-Language": language}):
            exam = db.session.get(Exam, exam_id)
            assert any(expected in message for message in publish_check(exam).problems)
            assert any(expected in message for message in refusal(publish, exam, actor_id=None))
            assert exam.status == "draft"


def test_a_group_without_members_counts_as_nobody_assigned(en):
    exam = build_exam(groups=["empty"], status="draft")
    assert any("Nobody is assigned" in m for m in refusal(publish, exam, actor_id=None))


def test_publishing_an_exam_whose_window_is_over_is_refused(en):
    now = utcnow()
    exam = build_exam(users=["ann"], status="draft", opens_at=now - timedelta(days=2),
                      closes_at=now - timedelta(days=1))
    assert any("already over" in m for m in refusal(publish, exam, actor_id=None))


def test_only_a_draft_is_published(zh):
    exam = build_exam(users=["ann"])
    assert refusal(publish, exam, actor_id=None) == ["只有草稿可以发布；该考试不是草稿。"]


def test_unpublish_only_while_no_attempt_exists(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        exam = build_exam(users=["ann"])
        unpublish(exam, actor_id=None)
        assert exam.status == "draft" and exam.published_at is None
        publish(exam, actor_id=None)
        attempt_service.start_or_resume(exam.id, ensure_user("ann"))
        assert refusal(unpublish, exam, actor_id=None) == [
            "Attempts exist, so the exam cannot go back to draft. Close it now or archive it once it is closed."]
        exam_id = exam.id
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        exam = db.session.get(Exam, exam_id)
        assert refusal(unpublish, exam, actor_id=None) == ["已有作答记录，考试不能撤回为草稿。可以立即截止，截止后再归档。"]


def test_close_now_ends_the_window_for_everyone_and_times_out_attempts_in_progress(en):
    now = utcnow().replace(microsecond=0)
    admin = ensure_user("boss", roles=("admin",))
    exam = build_exam(users=["ann", "bob"], overrides={"bob": {"closes_at": now + timedelta(days=3)}})
    attempt = attempt_service.start_or_resume(exam.id, ensure_user("ann"))
    assert attempt.deadline > now + timedelta(minutes=30)
    close_now(exam, actor_id=admin.id, now=now)
    db.session.expire_all()
    assert exam.closes_at == now and exam.closed_early_by_id == admin.id
    assert db.session.get(ExamOverride, (exam.id, ensure_user("bob").id)).closes_at is None
    assert db.session.get(Attempt, attempt.id).deadline == now  # as if time ran out now
    assert lifecycle_state(exam, now) == "closed"
    with pytest.raises(attempt_service.AttemptRefused) as refused:
        attempt_service.start_or_resume(exam.id, ensure_user("bob"), now=now + timedelta(seconds=1))
    assert refused.value.reason == "closed"
    # The save grace still applies; then the usual overdue run submits it as a timeout.
    run = attempt_service.close_overdue(now + timedelta(seconds=grace_seconds() + 1))
    assert run.finalized == 1
    finished = db.session.get(Attempt, attempt.id)
    assert finished.state != "in_progress" and finished.submitted_by == "timeout"


def test_close_now_is_refused_unless_the_exam_is_open(en):
    later = utcnow() + timedelta(days=1)
    scheduled = build_exam(users=["ann"], opens_at=later, closes_at=later + timedelta(days=1))
    assert refusal(close_now, scheduled, actor_id=None) == ["Only an open exam can be closed now."]
    draft = build_exam(bank_md=None, users=["ann"], status="draft")
    assert refusal(close_now, draft, actor_id=None) == ["Only an open exam can be closed now."]


def test_archive_when_closed_read_only_then_restore(en):
    exam = build_exam(users=["ann"])
    assert "once it is closed" in refusal(archive, exam, actor_id=None)[0]
    close_now(exam, actor_id=None)
    archive(exam, actor_id=None)
    assert lifecycle_state(exam) == "archived" and exam.archived_at is not None
    settings = ExamSettings.of(exam)
    settings.title = "Renamed"
    assert refusal(update_exam, exam, settings) == ["The exam is archived, so it cannot be changed. Restore it first."]
    with pytest.raises(ExamError):
        set_override(exam, ensure_user("ann").id, extra_minutes=5)
    assert refusal(archive, exam, actor_id=None) == ["The exam is archived already."]
    restore(exam, actor_id=None)
    assert exam.status == "published" and lifecycle_state(exam) == "closed"
    assert refusal(restore, exam, actor_id=None) == ["Only an archived exam can be restored."]


def test_an_archived_draft_is_restored_as_a_draft(zh):
    exam = build_exam(users=["ann"], status="draft")
    archive(exam, actor_id=None)
    assert refusal(update_exam, exam, ExamSettings.of(exam)) == ["该考试已归档，不能修改。请先恢复。"]
    restore(exam, actor_id=None)
    assert exam.status == "draft"
