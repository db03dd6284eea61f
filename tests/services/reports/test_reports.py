"""Question reports: only the owner, only a slot of their paper, during or after the attempt; one open
report per slot (a second replaces its comment); validated comments with nothing half-written; admins
resolve once; the statistics beside them come from one query."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import refresh
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from examengine.extensions import db
from examengine.models import Attempt, QuestionReport
from examengine.models._time import utcnow
from examengine.services import attempts as attempt_service
from examengine.services import reports
from examengine.services.reports import ReportFilters, ReportRefused, report_question, resolve
from tests.appeal_builders import slot
from tests.exam_builders import CORRECT, build_exam, ensure_user
from tests.results_builders import sit_attempt


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def in_progress(username: str = "ann", **exam_fields) -> Attempt:
    exam = build_exam(users=[username], **exam_fields)
    return attempt_service.start_or_resume(exam.id, ensure_user(username))


def refused(call, *args, **kwargs) -> ReportRefused:
    with pytest.raises(ReportRefused) as error:
        call(*args, **kwargs)
    db.session.rollback()
    return error.value


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(QuestionReport))


def admin():
    return ensure_user("boss", roles=("admin",))


def test_the_owner_reports_a_question_during_the_attempt_and_a_second_report_replaces_the_comment(ctx):
    attempt = in_progress()
    ann = ensure_user("ann")
    target = slot(attempt.id, "single")
    report, created = report_question(attempt, target.position, ann, "  Two options are correct.\r\n")
    assert created and report.state == "open" and report.comment == "Two options are correct."
    assert (report.slot_id, report.attempt_id, report.user_id) == (target.id, attempt.id, ann.id)
    assert report.version_id == target.question_version_id
    assert report.question_id == target.version.question_id
    again, created = report_question(attempt, target.position, ann, "Options B and C are both right.")
    assert not created and again.id == report.id and again.comment == "Options B and C are both right."
    assert count() == 1
    assert reports.attempt_reports(attempt)[target.position].comment == "Options B and C are both right."


def test_a_finalized_attempt_can_be_reported_from_its_review(ctx):
    attempt = in_progress()
    attempt_service.submit(attempt)
    report, created = report_question(attempt, 0, ensure_user("ann"), "The stem is ambiguous.")
    assert created and report.state == "open"


def test_an_attempt_past_its_cutoff_but_not_finalized_takes_no_report(ctx):
    attempt = in_progress()
    late = utcnow() + timedelta(hours=3)
    error = refused(report_question, attempt, 0, ensure_user("ann"), "Wrong key.", now=late)
    assert error.reason == "too_late" and count() == 0


def test_only_the_owner_and_only_a_slot_of_the_paper(ctx):
    attempt = in_progress()
    ensure_user("bob")
    build_exam(bank_md=None, users=["bob"])
    assert refused(report_question, attempt, 0, ensure_user("bob"), "Not mine.").reason == "not_found"
    for position in (6, -1, 2**31, "0", True, None, 1.0):
        assert refused(report_question, attempt, position, ensure_user("ann"), "Where?").reason == "not_found"
    assert count() == 0


@pytest.mark.parametrize(("comment", "english", "chinese"), [
    ("   \r\n ", "Write what seems wrong with this question.", "请写明这道题哪里有问题。"),
    ("x" * 1001, "The report is too long: at most 1,000 characters.", "反馈说明过长：最多 1,000 个字符。"),
    ("bad\x00byte", "NUL character", "NUL"),
    ("half \ud800", "unpaired surrogate", "代理"),
])
def test_a_bad_comment_is_refused_in_the_users_language_and_nothing_is_written(ctx, comment, english, chinese):
    attempt = in_progress()
    ann = ensure_user("ann")
    for language, expected in (("en", english), ("zh-CN", chinese)):
        with ctx.test_request_context(headers={"Accept-Language": language}):
            refresh()  # the app context outlives the request: forget the language chosen before
            error = refused(report_question, attempt, 0, ann, comment)
        assert error.reason == "bad_input" and expected in error.message, (language, error.message)
    assert count() == 0
    assert report_question(attempt, 0, ann, "x" * 1000)[1]  # the limit itself is fine


def test_the_database_keeps_one_open_report_per_slot(ctx):
    attempt = in_progress()
    report, _created = report_question(attempt, 0, ensure_user("ann"), "First.")
    db.session.add(QuestionReport(slot_id=report.slot_id, attempt_id=attempt.id, version_id=report.version_id,
                                  question_id=report.question_id, user_id=report.user_id, comment="Second."))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert count() == 1


def test_an_admin_resolves_once_and_the_examinee_may_report_again(ctx, caplog):
    attempt = in_progress()
    ann = ensure_user("ann")
    report, _created = report_question(attempt, 0, ann, "Typo in the stem.")
    assert refused(resolve, report, ann, "I am not an admin.").reason == "not_found"
    assert refused(resolve, report, admin(), "n" * 2001).reason == "bad_input"
    assert refused(resolve, 10**12, admin(), "").reason == "not_found"
    assert db.session.get(QuestionReport, report.id).state == "open"
    with caplog.at_level("INFO", logger="examengine.audit"):
        done = resolve(report.id, admin(), "  Fixed in version 2.  ")
    assert (done.state, done.resolved_by_id, done.resolution_note) == ("resolved", admin().id, "Fixed in version 2.")
    assert done.resolved_at is not None
    assert f"question report {report.id}" in caplog.text and f"by user {admin().id}" in caplog.text
    assert refused(resolve, report, admin(), "again").reason == "resolved"
    assert db.session.get(QuestionReport, report.id).resolution_note == "Fixed in version 2."
    assert reports.attempt_reports(attempt)[0].state == "resolved"
    new, created = report_question(attempt, 0, ann, "Still a typo in the options.")
    assert created and new.id != report.id and count() == 2
    assert reports.attempt_reports(attempt)[0].id == new.id  # the open one is shown


def test_the_list_puts_open_reports_first_filters_and_pages(ctx):
    attempt = in_progress()
    ann = ensure_user("ann")
    first, _ = report_question(attempt, 0, ann, "One.")
    second, _ = report_question(attempt, 1, ann, "Two.")
    third, _ = report_question(attempt, 2, ann, "Three.")
    resolve(third, admin(), "")
    everything = reports.open_reports(1)
    assert [row.report.id for row in everything.items] == [second.id, first.id, third.id]
    assert everything.counts == {"open": 2, "resolved": 1} and everything.total == 3
    row = everything.items[0]
    assert (row.examinee, row.exam_title, row.position, row.bank_label) == ("ann", "Test exam", 1, "Standard test bank")
    assert everything.items[2].resolved_by == "boss"
    assert [r.report.id for r in reports.open_reports(1, ReportFilters.from_text("resolved")).items] == [third.id]
    assert ReportFilters.from_text("nonsense").state is None
    paged = reports.open_reports(2, ReportFilters.from_text("open"), per_page=1)
    assert (paged.page, paged.pages, [r.report.id for r in paged.items]) == (2, 2, [first.id])
    assert reports.open_reports(99, per_page=2).page == 2  # clamped to the last page
    by_question = reports.reports_for_question(first.question_id)
    assert [r.report.id for r in by_question] == [first.id]


def test_the_report_pages_show_the_reported_versions_pooled_item_analysis(app, ctx):
    from tests.conftest import Auth, english_client
    exam_id = build_exam(users=["ann", "bob", "cid"]).id
    sit_attempt(exam_id, "cid", submit=False)  # in progress: not counted
    ids = {name: sit_attempt(exam_id, name, answers={**CORRECT, **given}, written={"short": 3.0, "analysis": 5.0},
                             reviewer="rita")
           for name, given in (("ann", {}), ("bob", {"single": 0}))}
    single = slot(ids["ann"], "single")
    report_question(db.session.get(Attempt, ids["ann"]), single.position, ensure_user("ann"), "Two keys?")
    question_id = db.session.scalar(select(QuestionReport.question_id))
    admin()
    db.session.commit()
    client = english_client(app)
    Auth(client).login("boss")
    for url in ("/admin/questions/reports", f"/admin/questions/{question_id}"):
        page = client.get(url).text
        assert "2 answers · facility 50%" in page, url  # 2 of 4 points, over the two submitted attempts
        assert 'data-flag="small_sample"' in page  # 2 answers: a warning, not figures presented as fact
