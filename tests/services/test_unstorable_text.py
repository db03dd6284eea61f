"""The services refuse text no database can store (a NUL; a lone surrogate, which UTF-8 cannot
encode), whoever calls them (the web, the CLI, a CSV import), with their usual refusal and nothing
written: answers, reviewers' comments (tests/web/grading), appeal reasons and replies, account and
group names, exam titles, instructions, section titles and band labels."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import Appeal, Attempt, AttemptSlot, Exam, User
from examengine.services import appeals, exams
from examengine.services.accounts import AccountError, check_display_name, check_group_name, check_username
from examengine.services.accounts.imports import import_users
from examengine.services.attempts import AttemptRefused, save_changes, start_or_resume
from examengine.services.exams import ExamError, ExamSettings
from tests.appeal_builders import graded_exam, slot
from tests.exam_builders import build_exam, ensure_user

BAD = [("nul", "a\x00b", "NUL character"), ("surrogate", "答\ud800案", "unpaired surrogate")]


@pytest.fixture
def ctx(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.mark.parametrize("kind, text, message", BAD)
def test_answers_are_refused_as_bad_request(ctx, kind, text, message):
    exam = build_exam(users=["ann"])
    attempt = start_or_resume(exam.id, ensure_user("ann"))
    positions = {s.version.qtype: s.position for s in attempt.slots}
    for change in ({"slot": positions["short"], "seq": 1, "response": text},
                   {"slot": positions["fill"], "seq": 1, "response": ["https", text]}):
        with pytest.raises(AttemptRefused) as refused:
            save_changes(attempt, [{"slot": positions["single"], "seq": 1, "response": 1}, change])
        assert refused.value.reason == "bad_request" and message in refused.value.message
    db.session.expire_all()
    assert db.session.scalar(select(func.max(AttemptSlot.response_seq))) == 0  # nothing saved, not even slot 1
    assert db.session.get(Attempt, attempt.id).state == "in_progress"


@pytest.mark.parametrize("kind, text, message", BAD)
def test_appeal_reasons_and_replies_are_refused(ctx, kind, text, message):
    _exam_id, ids = graded_exam({"ann": {}})
    position = slot(ids["ann"], "short").position
    with pytest.raises(appeals.AppealRefused) as refused:
        appeals.create_appeal(ids["ann"], position, ensure_user("ann").id, f"My reason {text}")
    assert refused.value.reason == "bad_input" and message in refused.value.message
    assert db.session.scalar(select(func.count()).select_from(Appeal)) == 0
    appeal = appeals.create_appeal(ids["ann"], position, ensure_user("ann").id, "My answer covers it.")
    with pytest.raises(appeals.AppealRefused) as refused:
        appeals.resolve_appeal(appeal.id, ensure_user("sam", roles=("reviewer",)), "uphold", None, f"No {text}")
    assert refused.value.reason == "bad_input" and message in refused.value.message
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).state == "open"


def test_appeal_scores_follow_the_number_rule(ctx):
    _exam_id, ids = graded_exam({"ann": {}})
    appeal = appeals.create_appeal(ids["ann"], slot(ids["ann"], "short").position, ensure_user("ann").id, "Why 3?")
    sam = ensure_user("sam", roles=("reviewer",))
    with pytest.raises(appeals.AppealRefused) as refused:
        appeals.resolve_appeal(appeal.id, sam, "change", "٤", "Four.")
    assert refused.value.reason == "bad_input" and "digits 0-9" in refused.value.message
    assert appeals.resolve_appeal(appeal.id, sam, "change", "４", "Four.").new_score == 4.0  # full-width


@pytest.mark.parametrize("kind, text, message", BAD)
def test_account_and_group_names_are_refused(ctx, kind, text, message):
    for check in (check_username, check_display_name, check_group_name):
        with pytest.raises(AccountError):
            check(text)
    with pytest.raises(AccountError) as refused:
        check_display_name(text)
    assert message in str(refused.value)
    result = import_users(f"username,display_name\r\nann,Ann {text}\r\n".encode("utf-8", "surrogatepass"))
    assert not result.ok and result.errors[0].row == 2
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("kind, text, message", BAD)
def test_exam_texts_are_refused(ctx, kind, text, message):
    exam = build_exam(users=["ann"])
    settings = ExamSettings.of(exam)
    for field in ("title", "instructions"):
        changed = ExamSettings(**{**settings.__dict__, field: f"Exam {text}"})
        with pytest.raises(ExamError) as refused:
            exams.update_exam(exam, changed)
        assert message in refused.value.errors[field][0]
    with pytest.raises(ExamError) as refused:
        exams.add_section(exam, f"Part {text}")
    assert message in refused.value.errors["title"][0]
    data = exams.ScoringInput(weights={}, bands=[(f"Pass {text}", 60.0), ("Fail", 0.0)], appeal_days=0)
    with pytest.raises(ExamError) as refused:
        exams.save_scoring(exam, data)
    assert message in refused.value.errors["band:0"][0]
    db.session.expire_all()
    assert db.session.get(Exam, exam.id).title == settings.title
