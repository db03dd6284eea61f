"""Exams as files (services/exams/files.py): apply creates, applying again changes nothing, a changed
file updates, every kind of problem at its line with nothing stored, the lock, the lifecycle through
`status:`, export -> apply is "unchanged", and giving an exam made on the web its key."""
from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text

from examengine.extensions import db
from examengine.models import AttemptSlot, Exam, ExamOverride, Question
from examengine.models._time import utcnow
from examengine.services import attempts as attempt_service
from examengine.services.exams import (
    ExamError,
    apply_exam_file,
    archive,
    close_now,
    exam_by_key,
    export_exam_file,
    key_exam,
)
from tests.exam_admin_samples import bank_md, load, singles
from tests.exam_builders import STANDARD_BANK, build_exam, ensure_group, ensure_user, import_bank

# Times in the site's zone (Asia/Shanghai, UTC+8).
FILE = """\
key: net-midterm
title: 网络基础期中考试
instructions: 请独立完成。
window:
  opens: 2030-03-02 09:00
  closes: 2030-03-06 18:00
time_limit_minutes: 90
attempts: 2
pass_percent: 75.5
shuffle:
  questions: false
  options: true
release:
  answers: never
groups: [销售部]
users: [alice]
sections:
  - title: 第一部分
    rules:
      - count: 4
        banks: [net]
        qtype: single
        points: 2
  - title: 第二部分
    rules:
      - questions: [std/short-triage]
dimension_weights:
  Basics: 40
  "": 60
grade_bands:
  优秀: 85
  合格: 60
  不合格: 0
appeal_days: 3
double_marking: true
double_marking_tolerance: 15
reviewers: [rita]
"""
TABLES = ("exams", "exam_sections", "exam_rules", "exam_groups", "exam_users", "exam_reviewers", "exam_overrides")


@pytest.fixture
def ctx(app):
    """English service messages; the net bank (6 single-choice, no dimension), the standard bank
    (dimension Basics), alice in 销售部's reach, rita a reviewer."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        load("net", singles(6))
        import_bank(None, STANDARD_BANK)
        ensure_user("alice")
        ensure_group("销售部")
        ensure_user("rita", roles=("reviewer",))
        yield app


def apply(file_text: str, **kwargs):
    return apply_exam_file(file_text.encode("utf-8"), **kwargs)


def changed(file_text: str, old: str, new: str) -> str:
    assert old in file_text, old
    return file_text.replace(old, new, 1)


def line_of(file_text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(file_text.splitlines(), 1) if fragment in line)


def problems(result) -> list[tuple[int, str]]:
    return [(problem.line, str(problem.message)) for problem in result.problems]


def snapshot() -> dict:
    db.session.expire_all()
    return {table: db.session.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2")).all() for table in TABLES}


def add_attempt(exam: Exam, username: str = "alice"):
    """A started attempt (the exam must be published and open, the user assigned)."""
    return attempt_service.start_or_resume(exam.id, ensure_user(username))


OPEN_NOW = ("  opens: 2030-03-02 09:00\n  closes: 2030-03-06 18:00\n",
            "  opens: 2020-01-01 09:00\n  closes: 2099-01-01 09:00\n")  # (the file's window, one open now)


# --- create, unchanged, update ---

def test_apply_creates_the_exam_with_everything_the_file_says(ctx):
    result = apply(FILE)
    assert (result.ok, result.outcome, result.key, result.title) == (True, "created", "net-midterm", "网络基础期中考试")
    exam = exam_by_key("net-midterm")
    assert exam.id == result.exam_id and exam.status == "draft" and exam.published_at is None
    assert (exam.title, exam.instructions, exam.time_limit_minutes, exam.attempts_allowed, exam.pass_percent) == (
        "网络基础期中考试", "请独立完成。", 90, 2, 75.5)
    assert (exam.opens_at, exam.closes_at) == (datetime(2030, 3, 2, 1, 0), datetime(2030, 3, 6, 10, 0))  # UTC
    assert (exam.shuffle_questions, exam.shuffle_options, exam.release_answers, exam.release_score) == (
        False, True, "never", "after_grading")
    assert [g.name for g in exam.groups] == ["销售部"] and [u.username for u in exam.users] == ["alice"]
    assert [(s.position, s.title) for s in exam.sections] == [(0, "第一部分"), (1, "第二部分")]
    draw, fixed = exam.sections[0].rules[0], exam.sections[1].rules[0]
    assert (draw.kind, draw.count, draw.bank_keys, draw.qtype, draw.points) == ("draw", 4, ["net"], "single", 2.0)
    assert (fixed.kind, fixed.question_keys, fixed.points) == ("fixed", ["std/short-triage"], None)
    assert exam.dimension_weights == {"Basics": 40.0, "": 60.0}
    assert exam.grade_bands == [["优秀", 85.0], ["合格", 60.0], ["不合格", 0.0]] and exam.appeal_days == 3
    assert (exam.double_marking, exam.double_marking_tolerance) == (True, 15.0)
    assert [u.username for u in exam.reviewers] == ["rita"]


def test_applying_the_same_file_again_changes_nothing(ctx):
    apply(FILE)
    before = snapshot()
    result = apply(FILE)
    assert (result.ok, result.outcome, result.changes) == (True, "unchanged", [])
    assert snapshot() == before


def test_a_changed_file_updates_what_changed(ctx):
    exam_id = apply(FILE).exam_id
    edited = changed(FILE, "title: 网络基础期中考试", "title: 网络基础期中考试（补考）")
    edited = changed(edited, "      - count: 4\n", "      - count: 5\n")
    edited = changed(edited, "users: [alice]", "users: [Alice, bob]")
    ensure_user("bob")
    result = apply(edited)
    assert (result.ok, result.outcome, result.exam_id) == (True, "updated", exam_id)
    assert result.changes == ["title", "users", "sections"]
    exam = db.session.get(Exam, exam_id)
    assert exam.title == "网络基础期中考试（补考）" and exam.sections[0].rules[0].count == 5
    assert [u.username for u in exam.users] == ["alice", "bob"]  # usernames match as at login
    assert apply(edited).outcome == "unchanged"


def test_a_key_left_out_takes_its_default_on_update_but_the_status_is_kept(ctx):
    apply(changed(FILE, "key: net-midterm\n", "key: net-midterm\nstatus: published\n"))
    lean = changed(FILE, "attempts: 2\n", "")
    lean = changed(lean, "instructions: 请独立完成。\n", "")
    lean = lean[:lean.index("dimension_weights:")]
    result = apply(lean)
    assert result.ok and set(result.changes) == {"instructions", "attempts", "dimension_weights", "grade_bands",
                                                 "appeal_days", "double_marking", "double_marking_tolerance",
                                                 "reviewers"}
    exam = exam_by_key("net-midterm")
    assert (exam.status, exam.attempts_allowed, exam.instructions, exam.grade_bands, exam.appeal_days) == (
        "published", 1, "", None, 7)
    assert exam.dimension_weights == {} and exam.reviewers == [] and exam.double_marking is False


def test_naive_times_are_in_the_configured_time_zone(app_factory):
    app = app_factory(EXAMENGINE_TIMEZONE="Europe/Berlin")
    with app.test_request_context():
        load("net", singles(6))
        exam = exam_by_key(apply(FILE[:FILE.index("groups:")]).key)
        assert exam.opens_at == datetime(2030, 3, 2, 8, 0)  # 09:00 in Berlin (winter time)
        assert "timezone: Europe/Berlin" in export_exam_file("net-midterm")


def test_a_dry_run_says_what_would_happen_and_stores_nothing(ctx):
    before = snapshot()
    result = apply(FILE, dry_run=True)
    assert (result.ok, result.outcome, result.dry_run, result.exam_id) == (True, "created", True, None)
    assert snapshot() == before


# --- problems: at their lines, all at once, nothing stored ---

@pytest.mark.parametrize("old, new, fragment, message", [
    ("groups: [销售部]", "groups: [销售部, 市场部]", "groups:", "There is no group 市场部."),
    ("users: [alice]", "users: [alice, nobody]", "users:", "There is no user nobody."),
    ("reviewers: [rita]", "reviewers: [alice]", "reviewers:",
     "alice cannot review: give the account the reviewer role first, or remove it from reviewers."),
    ("banks: [net]", "banks: [nett]", "banks:", "Unknown bank: nett"),
    ("[std/short-triage]", "[std/short-triage, std/missing]", "std/missing",
     "There is no question std/missing: check the bank's id and the question's id."),
    ("[std/short-triage]", "[short-triage]", "short-triage", "Not a question key (bank/id): short-triage"),
    ("      - count: 4\n", "      - count: 7\n", "count: 7", "section 1, rule 1 needs 7 questions, 6 match"),
    ("      - count: 4\n", "      - count: 0\n", "count: 0", "A rule draws at least 1 question."),
    ("        points: 2\n", "        points: 2\n        difficulty: [4, 2]\n", "difficulty:",
     "The lowest difficulty cannot be above the highest."),
    ("  closes: 2030-03-06 18:00", "  closes: 2030-03-02 08:00", "closes:", "The exam must close after it opens."),
    ("attempts: 2", "attempts: 0", "attempts:", "Allow from 1 to 100 attempts."),
    ("time_limit_minutes: 90", "time_limit_minutes: 2000", "time_limit_minutes",
     "The time limit can be at most 1440 minutes."),
    ("answers: never", "answers: later", "answers:",
     "answers must be one of: immediately, after_close, after_grading, manual, never."),
    ("title: 网络基础期中考试", "title: " + "长" * 201, "title:", "The title can have at most 200 characters."),
    ("  Basics: 40", "  Basics: 30", "dimension_weights:",
     "The weights must add up to exactly 100; now they add up to 90."),
    ("  合格: 60", "  合格: 90", "合格:", "The threshold of band 2 must be lower than the band above it."),
    ("appeal_days: 3", "appeal_days: 400", "appeal_days", "The appeal window must be a whole number of days between 0 "
                                                          "and 365."),
    ("double_marking_tolerance: 15", "double_marking_tolerance: 150", "double_marking_tolerance",
     "The tolerance is a percentage from 0 to 100."),
])
def test_each_problem_is_reported_at_its_line_and_nothing_is_stored(ctx, old, new, fragment, message):
    bad = changed(FILE, old, new)
    result = apply(bad)
    assert not result.ok and result.outcome is None
    assert problems(result) == [(line_of(bad, fragment), message)]
    assert exam_by_key("net-midterm") is None and db.session.scalar(select(Exam.id)) is None


def test_every_problem_of_the_file_is_reported_at_once(ctx):
    bad = changed(FILE, "groups: [销售部]", "groups: [市场部]")
    bad = changed(bad, "  closes: 2030-03-06 18:00", "  closes: 2030-03-01 18:00")
    bad = changed(bad, "      - count: 4\n", "      - count: 9\n")
    bad = changed(bad, "  Basics: 40", "  Basics: 50")
    result = apply(bad)
    assert problems(result) == [
        (line_of(bad, "closes:"), "The exam must close after it opens."),
        (line_of(bad, "groups:"), "There is no group 市场部."),
        (line_of(bad, "count: 9"), "section 1, rule 1 needs 9 questions, 6 match"),
        (line_of(bad, "dimension_weights:"), "The weights must add up to exactly 100; now they add up to 110."),
    ]


def test_a_weight_for_a_dimension_the_rules_cannot_draw(ctx):
    bad = changed(FILE, "  Basics: 40", "  Basic: 40")
    assert problems(apply(bad)) == [
        (line_of(bad, "dimension_weights:"), "Give Basics a weight too (0 leaves it out), or leave every weight empty."),
        (line_of(bad, "Basic:"), "No rule of the exam draws questions of the dimension Basic: remove its weight."),
    ]


def test_problems_of_shape_come_with_the_unknown_names(ctx):
    bad = changed(FILE, "attempts: 2", "attempts: two")
    bad = changed(bad, "users: [alice]", "users: [nobody]")
    bad = changed(bad, "banks: [net]", "banks: [nett]\n        tag: x")
    result = apply(bad)
    assert problems(result) == [
        (line_of(bad, "attempts:"), "attempts must be a whole number, not 'two'"),
        (line_of(bad, "users:"), "There is no user nobody."),
        (line_of(bad, "banks:"), "Unknown bank: nett"),
        (line_of(bad, "tag: x"), "unknown key 'tag'; the keys here are: count, questions, banks, qtype, tags, "
                                 "dimension, difficulty, points"),
    ]
    assert db.session.scalar(select(Exam.id)) is None


def test_a_failed_update_leaves_the_stored_exam_as_it_was(ctx):
    apply(FILE)
    before = snapshot()
    bad = changed(FILE, "title: 网络基础期中考试", "title: 新标题")
    bad = changed(bad, "reviewers: [rita]", "reviewers: [ghost]")
    assert problems(apply(bad)) == [(line_of(bad, "reviewers:"), "There is no user ghost.")]
    assert snapshot() == before


def test_retired_and_deactivated_names_are_refused(ctx):
    question = db.session.scalar(select(Question).where(Question.identity == "short-triage"))
    question.retired_at = utcnow()
    ensure_user("carol").active = False
    db.session.commit()
    bad = changed(FILE, "users: [alice]", "users: [alice, carol]")
    assert problems(apply(bad)) == [
        (line_of(bad, "users:"), "The user carol is deactivated: reactivate the account or remove it from users."),
        (line_of(bad, "std/short-triage"), "The question std/short-triage is retired: import its bank with it again, "
                                           "or remove it from the rule."),
    ]


def test_weights_the_stored_exam_fails_as_well_do_not_refuse_an_unchanged_file(ctx):
    apply(FILE)
    # The net bank's first question gains a dimension: the stored weights now miss one, as the file's do.
    reworked = bank_md("net", singles(6)).replace("id: q0\n", "id: q0\ndimension: 路由\n", 1)
    import_bank(None, reworked, name="net.md")
    assert apply(FILE).outcome == "unchanged"
    bad = changed(FILE, "appeal_days: 3", "appeal_days: 4")
    assert apply(bad).outcome == "updated"  # a change elsewhere is not held up by it either


def test_bands_equal_to_the_defaults_are_stored_as_the_defaults(ctx):
    bands = FILE[FILE.index("grade_bands:"):FILE.index("appeal_days:")]
    result = apply(changed(FILE, bands, "grade_bands: {Excellent: 90, Good: 80, Pass: 60, Fail: 0}\n"))
    assert result.ok and exam_by_key("net-midterm").grade_bands is None
    assert "grade_bands" not in export_exam_file("net-midterm")


# --- the lock ---

def started(file_text: str = FILE) -> Exam:
    """The file's exam, published, open now, with alice's attempt started."""
    published = changed(changed(file_text, *OPEN_NOW), "key: net-midterm\n", "key: net-midterm\nstatus: published\n")
    assert apply(published).ok
    exam = exam_by_key("net-midterm")
    add_attempt(exam)
    return exam


def test_settings_locked_by_attempts_are_refused_at_their_lines(ctx):
    started()
    current = changed(changed(FILE, *OPEN_NOW), "key: net-midterm\n", "key: net-midterm\nstatus: published\n")
    before = snapshot()
    bad = changed(current, "time_limit_minutes: 90", "time_limit_minutes: 60")
    bad = changed(bad, "  questions: false", "  questions: true")
    bad = changed(bad, "      - count: 4\n", "      - count: 3\n")
    assert problems(apply(bad)) == [
        (line_of(bad, "time_limit_minutes"), "Attempts exist, so this setting is locked. Copy the exam to change it."),
        (line_of(bad, "  questions: true"), "Attempts exist, so this setting is locked. Copy the exam to change it."),
        (line_of(bad, "sections:"), "Attempts exist, so the sections and rules are locked. Copy the exam to change "
                                    "them."),
    ]
    assert snapshot() == before
    allowed = changed(current, "title: 网络基础期中考试", "title: 网络基础期中考试（延长）")
    allowed = changed(allowed, "  closes: 2099-01-01 09:00", "  closes: 2099-02-01 09:00")
    result = apply(allowed)
    assert (result.outcome, result.changes) == ("updated", ["title", "window.closes"])
    assert exam_by_key("net-midterm").title == "网络基础期中考试（延长）"


def test_double_marking_stays_once_answers_are_marked(ctx):
    exam = started()
    current = export_exam_file("net-midterm")
    slot = db.session.scalars(select(AttemptSlot).where(AttemptSlot.attempt.has(exam_id=exam.id))).first()
    slot.needs_grading, slot.mark_count = True, 1  # a written answer with its first mark
    db.session.commit()
    bad = changed(current, "double_marking: true", "double_marking: false")
    assert problems(apply(bad)) == [(line_of(bad, "double_marking: false"), (
        "Answers of this exam are marked already, so double marking is changed on the exam's Reviewers page, which "
        "settles those marks by the new rule."))]


def test_a_users_later_close_must_stay_later(ctx):
    exam = exam_by_key(apply(FILE).key)
    exam.overrides.append(ExamOverride(user_id=ensure_user("alice").id, closes_at=datetime(2030, 3, 7)))
    db.session.commit()
    bad = changed(FILE, "  closes: 2030-03-06 18:00", "  closes: 2030-03-09 18:00")
    assert problems(apply(bad)) == [(line_of(bad, "closes:"), (
        "The later close of these users' overrides would no longer be later: alice. Change or remove those "
        "overrides first."))]


# --- the lifecycle ---

def test_status_published_publishes_through_the_publish_checks(ctx, caplog):
    admin = ensure_user("boss", roles=("admin",))
    with caplog.at_level(logging.INFO, logger="examengine.audit"):
        result = apply(changed(FILE, "key: net-midterm\n", "key: net-midterm\nstatus: published\n"),
                       actor_id=admin.id)
    assert (result.ok, result.outcome) == (True, "created")
    exam = exam_by_key("net-midterm")
    assert (exam.status, exam.published_by_id) == ("published", admin.id) and exam.published_at is not None
    assert f"exam_publish by user {admin.id} on exam {exam.id}" in caplog.text


def test_publishing_is_refused_at_the_status_line_when_the_checks_fail(ctx):
    bad = changed(FILE, "key: net-midterm\n", "key: net-midterm\nstatus: published\n")
    bad = changed(bad, "groups: [销售部]\nusers: [alice]\n", "")
    assert problems(apply(bad)) == [(2, "The exam cannot be published: Nobody is assigned: choose groups or users on "
                                        "the “Settings” tab.")]
    assert db.session.scalar(select(Exam.id)) is None
    over = changed(changed(FILE, "key: net-midterm\n", "key: net-midterm\nstatus: published\n"), *(
        OPEN_NOW[0], "  opens: 2020-01-01 09:00\n  closes: 2020-01-02 09:00\n"))
    assert problems(apply(over)) == [(2, "The exam cannot be published: The exam's window is already over: move its "
                                         "close time later first.")]


def test_status_draft_unpublishes_only_while_no_attempt_exists(ctx):
    published = changed(FILE, "key: net-midterm\n", "key: net-midterm\nstatus: published\n")
    apply(published)
    result = apply(changed(published, "status: published", "status: draft"))
    assert (result.outcome, result.changes) == ("updated", ["status"])
    assert exam_by_key("net-midterm").status == "draft"
    started()
    current = export_exam_file("net-midterm")
    bad = changed(current, "status: published", "status: draft")
    assert problems(apply(bad)) == [(line_of(bad, "status:"), (
        "Attempts exist, so the exam cannot go back to draft: keep status: published (close it now or archive it on "
        "the web)."))]
    assert exam_by_key("net-midterm").status == "published"


def test_an_archived_exam_is_not_changed_by_a_file(ctx):
    exam = started()
    close_now(exam, actor_id=None)
    archive(exam, actor_id=None)
    current = export_exam_file("net-midterm")
    assert "status: published" in current  # what restoring it would give
    assert problems(apply(current)) == [(line_of(current, "key:"), "The exam is archived, so it cannot be changed. Restore it first.")]


# --- export ---

def test_export_then_apply_is_unchanged(ctx):
    apply(FILE)
    before = snapshot()
    exported = export_exam_file("net-midterm")
    assert "title: 网络基础期中考试" in exported and "opens: 2030-03-02 09:00" in exported
    assert "timezone: Asia/Shanghai" in exported and "groups: [销售部]" in exported
    assert "  优秀: 85\n" in exported and "reviewers: [rita]" in exported
    result = apply(exported)
    assert (result.ok, result.outcome) == (True, "unchanged")
    assert snapshot() == before


def test_an_exam_made_on_the_web_exports_once_it_has_a_key(ctx):
    now = utcnow().replace(second=0, microsecond=0)
    exam = build_exam(bank_md=None, users=["alice"], groups=["销售部"], status="draft", title="网页上建的考试",
                      rules=[{"count": 2, "bank_keys": ["net"], "section": "一"},
                             {"question_keys": ["std/single-https"], "points": 3, "section": "二"}],
                      opens_at=now + timedelta(seconds=17), closes_at=now + timedelta(days=2))
    exam.key = "web-made"
    exam.reviewers = [ensure_user("rita")]
    exam.dimension_weights = {"Basics": 60, "": 40}
    db.session.commit()
    before = snapshot()
    exported = export_exam_file("web-made")
    assert "title: 网页上建的考试" in exported and "status: draft" in exported
    result = apply(exported)
    assert result.ok, problems(result)
    assert (result.outcome, snapshot()) == ("unchanged", before)


def test_export_needs_a_known_key(ctx):
    with pytest.raises(ExamError, match="There is no exam with the key nope."):
        export_exam_file("nope")


# --- giving an exam made on the web its key ---

def web_exam(title: str = "网页上建的考试") -> Exam:
    """An exam as the settings page creates it: no key."""
    now = utcnow().replace(second=0, microsecond=0)
    exam = build_exam(bank_md=None, users=["alice"], status="draft", title=title,
                      rules=[{"count": 2, "bank_keys": ["net"], "section": "一"}],
                      opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2))
    assert exam.key is None
    return exam


def test_keying_a_web_exam_stores_the_key_and_its_export_applies_unchanged(ctx):
    exam = web_exam()
    before = snapshot()
    assert key_exam(exam.id, "  期中-2030 ") is exam  # stripped, any script, as a file's key
    db.session.expire_all()
    assert db.session.get(Exam, exam.id).key == "期中-2030"
    after = snapshot()
    assert {table for table in TABLES if before[table] != after[table]} == {"exams"}
    exported = export_exam_file("期中-2030")
    assert "\nkey: 期中-2030\ntitle: 网页上建的考试\nstatus: draft\n" in exported
    result = apply(exported)
    assert result.ok, problems(result)
    assert (result.outcome, result.exam_id, snapshot()) == ("unchanged", exam.id, after)


def test_keying_again_with_the_same_key_changes_nothing(ctx):
    exam = web_exam()
    key_exam(exam.id, "web-made")
    before = snapshot()
    assert key_exam(exam.id, "web-made").key == "web-made"
    assert snapshot() == before


@pytest.mark.parametrize("key, message", [
    ("two words", "exam key 'two words' is not valid: use up to 100 letters, digits, `_`, `-` or `.`, without spaces"),
    ("", "exam key '' is not valid: use up to 100 letters, digits, `_`, `-` or `.`, without spaces"),
    ("x" * 101, "is not valid: use up to 100 letters"),
])
def test_an_invalid_key_is_refused_as_in_a_file(ctx, key, message):
    exam = web_exam()
    with pytest.raises(ExamError, match=re.escape(message)):
        key_exam(exam.id, key)
    db.session.expire_all()
    assert db.session.get(Exam, exam.id).key is None


def test_a_key_another_exam_has_is_refused(ctx):
    assert apply(FILE).ok
    holder = exam_by_key("net-midterm")
    exam = web_exam()
    with pytest.raises(ExamError) as refused:
        key_exam(exam.id, "net-midterm")
    assert refused.value.messages == [f"The key net-midterm belongs to the exam {holder.id} (网络基础期中考试) already: "
                                      "choose another key."]
    db.session.expire_all()
    assert db.session.get(Exam, exam.id).key is None


def test_an_exam_with_another_key_keeps_it(ctx):
    assert apply(FILE).ok
    exam = exam_by_key("net-midterm")
    with pytest.raises(ExamError) as refused:
        key_exam(exam.id, "renamed")
    assert refused.value.messages == [f"The exam {exam.id} has the key net-midterm already, and a key never changes: "
                                      "export it with `exams export net-midterm`."]
    db.session.expire_all()
    assert exam_by_key("net-midterm") is not None and exam_by_key("renamed") is None


def test_an_unknown_exam_id_is_refused(ctx):
    with pytest.raises(ExamError, match=re.escape("There is no exam with the id 999: `flask exams list` shows the ids.")):
        key_exam(999, "web-made")
