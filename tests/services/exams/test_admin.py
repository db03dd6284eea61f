"""Defining exams: validation, the pool check, the lock, copy, delete, overrides and the preview."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import OperationalError

from examengine.extensions import db
from examengine.models import Attempt, Exam, ExamOverride, ExamRule, ExamSection, Group, Question
from examengine.models._time import utcnow
from examengine.services.accounts import create_user
from examengine.services.exams import rules as exam_rules
from examengine.services.exams.admin import (
    ExamError,
    ExamSettings,
    copy_exam,
    create_exam,
    delete_exam,
    is_locked,
    update_exam,
)
from examengine.services.exams.lifecycle import publish
from examengine.services.exams.listing import exam_rows, exam_status
from examengine.services.exams.overrides import assigned_users, set_override
from examengine.services.exams.rules import RuleInput, add_rule, add_section
from examengine.services.exams.samples import preview
from tests.conftest import SERVER_DATABASE_URL
from tests.exam_admin_samples import load, singles

OPENS = datetime(2030, 3, 1, 1, 0)
CLOSES = datetime(2030, 3, 8, 1, 0)


@pytest.fixture
def ctx(app):
    """An English request context: service messages are translated with the request's language."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield app


def settings(**changes) -> ExamSettings:
    return replace(ExamSettings(title="Network basics", opens_at=OPENS, closes_at=CLOSES), **changes)


def new_exam(**changes) -> Exam:
    return create_exam(settings(**changes))


def exam_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Exam))


def rule_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ExamRule))


def add_attempt(exam: Exam, username: str = "sitter") -> None:
    user = create_user(username, password="password-123")
    db.session.add(Attempt(exam_id=exam.id, user_id=user.id, number=1, code=f"C{exam.id}{user.id}", seed=7,
                           deadline=utcnow() + timedelta(hours=1)))
    db.session.commit()


# --- settings ---

def test_create_stores_the_settings(ctx):
    exam = new_exam(title="  Network basics  ", instructions="Read **carefully**.", pass_percent=75.5)
    stored = db.session.get(Exam, exam.id)
    assert (stored.title, stored.instructions, stored.pass_percent) == ("Network basics", "Read **carefully**.", 75.5)
    assert (stored.opens_at, stored.closes_at) == (OPENS, CLOSES)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": "  "}, "title", "Enter a title."),
    ({"title": "x" * 201}, "title", "The title can have at most 200 characters."),
    ({"time_limit_minutes": 0}, "time_limit_minutes", "The time limit must be at least 1 minute."),
    ({"time_limit_minutes": None}, "time_limit_minutes", "The time limit must be at least 1 minute."),
    ({"time_limit_minutes": 1441}, "time_limit_minutes", "The time limit can be at most 1440 minutes."),
    ({"closes_at": OPENS}, "closes_at", "The exam must close after it opens."),
    ({"closes_at": OPENS - timedelta(minutes=1)}, "closes_at", "The exam must close after it opens."),
    ({"opens_at": None}, "opens_at", "Enter when the exam opens."),
    ({"attempts_allowed": 0}, "attempts_allowed", "Allow from 1 to 100 attempts."),
    ({"pass_percent": 100.5}, "pass_percent", "The pass mark must be a percentage from 0 to 100."),
    ({"pass_percent": -1}, "pass_percent", "The pass mark must be a percentage from 0 to 100."),
    ({"release_score": "sometimes"}, "release_score", "Choose when this is shown to the examinee."),
    ({"release_answers": None}, "release_answers", "Choose when this is shown to the examinee."),
    ({"multiple_scoring": "generous"}, "multiple_scoring", "Choose how multiple-choice questions are scored."),
])
def test_each_invalid_setting_is_refused_with_a_clear_message_and_nothing_stored(ctx, changes, field, message):
    with pytest.raises(ExamError) as refused:
        new_exam(**changes)
    assert refused.value.errors == {field: [message]}
    assert exam_count() == 0


@pytest.mark.parametrize(("instructions", "message"), [
    ("x" * 20_001, "The instructions can have at most 20000 characters."),
    ("- a\n" * 1_001, "The instructions can have at most 1000 lines."),
    ("ok\n" + "x" * 4_001, "Line 2 of the instructions is longer than 4000 characters."),
    ("\n".join("    " * n + "- x" for n in range(25)), "Line 21 of the instructions nests lists or quotes more "
                                                       "than 20 levels deep."),
    ("[" * 1_000, "Line 1 of the instructions nests brackets more than 20 deep (or leaves them open)."),
    ("<b><i>" * 500, "Line 1 of the instructions nests HTML tags more than 20 deep (or leaves them open)."),
    ("|" + "a|" * 51, "Line 1 of the instructions has a table row with more than 50 columns."),
    ("\n".join(["*a" * 1_000] * 4), "The instructions have more than 3000 markup characters (* _ ` [ ] < | &)."),
    ("**a " * 100 + "x" + " a**" * 100, "The formatting of the instructions is nested more than 80 levels deep."),
])
def test_instructions_past_the_markup_limits_are_refused(ctx, instructions, message):
    with pytest.raises(ExamError) as refused:
        new_exam(instructions=instructions)
    assert refused.value.errors == {"instructions": [message]}
    assert exam_count() == 0


def test_an_invalid_edit_changes_nothing(ctx):
    exam = new_exam()
    with pytest.raises(ExamError):
        update_exam(exam, settings(title="Renamed", time_limit_minutes=0))
    db.session.expire_all()
    assert (exam.title, exam.time_limit_minutes) == ("Network basics", 60)


def test_assignments_are_saved_and_unknown_ones_refused(ctx):
    group = Group(name="Ops")
    db.session.add(group)
    db.session.commit()
    alice, bob = create_user("alice", password="password-1"), create_user("bob", password="password-1")
    group.users.append(bob)
    db.session.commit()
    exam = create_exam(settings(), group_ids=[group.id], user_ids=[alice.id])
    assert [u.username for u in assigned_users(exam)] == ["alice", "bob"]
    with pytest.raises(ExamError) as refused:
        update_exam(exam, settings(), group_ids=[group.id], user_ids=[alice.id, 9999])
    assert refused.value.errors == {"users": ["A chosen user no longer exists."]}
    update_exam(exam, settings(), user_ids=[bob.id])
    assert [u.username for u in db.session.get(Exam, exam.id).users] == ["bob"]


def test_status_is_draft_until_published_then_follows_the_window(ctx):
    load("net", singles(3))
    alice = create_user("alice", password="password-1")
    exam = create_exam(settings(), user_ids=[alice.id])
    add_rule(add_section(exam), RuleInput(count=2))
    assert exam_status(exam, OPENS) == "draft"  # questions and examinees, but not published
    publish(exam, actor_id=None)
    assert exam_status(exam, OPENS - timedelta(seconds=1)) == "scheduled"
    assert exam_status(exam, OPENS) == "open"
    assert exam_status(exam, CLOSES) == "closed"
    [row] = exam_rows(OPENS)
    assert (row.status, row.attempts, row.locked) == ("open", 0, False)


# --- rules ---

@pytest.mark.parametrize(("data", "field", "message"), [
    (RuleInput(count=0), "count", "A rule draws at least 1 question."),
    (RuleInput(count=None), "count", "A rule draws at least 1 question."),
    (RuleInput(count=501), "count", "A rule draws at most 500 questions."),
    (RuleInput(difficulty_min=4, difficulty_max=2), "difficulty_min",
     "The lowest difficulty cannot be above the highest."),
    (RuleInput(difficulty_min=0), "difficulty_min", "Difficulty goes from 1 to 5."),
    (RuleInput(bank_keys=["net", "nope"]), "bank_keys", "Unknown bank: nope"),
    (RuleInput(qtype="essay"), "qtype", "Unknown question type: essay"),
    (RuleInput(points=0), "points", "Points must be more than 0 and at most 1000."),
    (RuleInput(points=-2), "points", "Points must be more than 0 and at most 1000."),
    (RuleInput(kind="fixed", question_keys=["", " "]), "question_keys",
     "List at least one question as bank/id, one per line."),
    (RuleInput(kind="fixed", question_keys=["net/q1", "q2"]), "question_keys", "Not a question key (bank/id): q2"),
    (RuleInput(kind="fixed", question_keys=["net/q1", "net/q1"]), "question_keys", "Listed twice: net/q1"),
    (RuleInput(kind="lottery"), "kind", "Unknown kind of rule."),
])
def test_each_invalid_rule_is_refused_with_a_clear_message_and_nothing_stored(ctx, data, field, message):
    load("net", singles(5))
    section = add_section(new_exam())
    with pytest.raises(ExamError) as refused:
        add_rule(section, data)
    assert refused.value.errors == {field: [message]}
    assert rule_count() == 0


def test_a_rule_the_pool_cannot_fill_is_refused_with_the_exact_shortfall(ctx):
    load("net", singles(7) + [(1, "", None, "truefalse")])
    exam = new_exam()
    section = add_section(exam)
    add_rule(section, RuleInput(count=1, qtype="truefalse"))
    with pytest.raises(ExamError) as refused:
        add_rule(section, RuleInput(count=10, qtype="single"))
    assert refused.value.errors == {"pool": ["section 1, rule 2 needs 10 questions, 7 match"]}
    assert rule_count() == 1
    add_rule(section, RuleInput(count=7, qtype="single"))
    assert rule_count() == 2


def test_rules_that_each_fit_but_overlap_are_refused_together(ctx):
    load("net", singles(5, tags="TLS"))
    section = add_section(new_exam())
    add_rule(section, RuleInput(count=3, tags=["TLS"]))
    with pytest.raises(ExamError) as refused:
        add_rule(section, RuleInput(count=3, qtype="single"))
    assert refused.value.errors == {"pool": [
        "section 1 rule 1 and section 1 rule 2 together need 6 questions but their pools only hold 5 distinct ones"]}
    assert rule_count() == 1


def test_an_edit_the_pool_cannot_fill_leaves_the_rule_as_it_was(ctx):
    load("net", singles(4))
    section = add_section(new_exam())
    rule = add_rule(section, RuleInput(count=2))
    with pytest.raises(ExamError):
        exam_rules.update_rule(rule, RuleInput(count=5))
    assert db.session.get(ExamRule, rule.id).count == 2
    exam_rules.update_rule(rule, RuleInput(count=4, points=2.5))
    assert (db.session.get(ExamRule, rule.id).count, db.session.get(ExamRule, rule.id).points) == (4, 2.5)


def test_fixed_rules_name_questions_in_the_pool(ctx):
    load("net", singles(3))
    section = add_section(new_exam())
    with pytest.raises(ExamError) as refused:
        add_rule(section, RuleInput(kind="fixed", question_keys=["net/q0", "net/nope"]))
    assert refused.value.errors == {"pool": ["section 1, rule 1: question net/nope is not in the pool (retired or unknown)"]}
    rule = add_rule(section, RuleInput(kind="fixed", question_keys=[" net/q2 ", "net/q0"], points=3))
    assert (rule.question_keys, rule.points, rule.count) == (["net/q2", "net/q0"], 3.0, 0)
    with pytest.raises(ExamError) as twice:  # a draw rule cannot take the fixed questions again
        add_rule(section, RuleInput(count=2))
    assert twice.value.errors["pool"][0].startswith("section 1, rule 2 needs 2 questions, 1 matches")


def test_after_the_pool_shrinks_only_new_shortfalls_are_refused(ctx):
    load("net", singles(6))
    load("os", singles(4))
    section = add_section(new_exam())
    net = add_rule(section, RuleInput(count=5, bank_keys=["net"]))
    add_rule(section, RuleInput(count=4, bank_keys=["os"]))
    for question in db.session.scalars(select(Question).where(Question.identity.in_(["q0", "q1", "q2"]))):
        question.retired_at = utcnow()  # both banks lose three questions
    db.session.commit()
    assert len(exam_rules.shortfall_messages(db.session.get(Exam, section.exam_id))) == 2
    with pytest.raises(ExamError):  # still short: refused
        exam_rules.update_rule(net, RuleInput(count=4, bank_keys=["net"]))
    exam_rules.update_rule(net, RuleInput(count=3, bank_keys=["net"]))  # fixes one; the other was there before
    assert db.session.get(ExamRule, net.id).count == 3


def test_rules_and_sections_move_and_delete(ctx):
    load("net", singles(6))
    exam = new_exam()
    first, second = add_section(exam, "One"), add_section(exam, "Two")
    a, b = add_rule(first, RuleInput(count=1)), add_rule(first, RuleInput(count=2))
    exam_rules.move_rule(b, -1)
    assert [r.count for r in db.session.get(ExamSection, first.id).rules] == [2, 1]
    exam_rules.move_rule(db.session.get(ExamRule, b.id), -1)  # already first: nothing happens
    exam_rules.move_section(db.session.get(ExamSection, second.id), -1)
    assert [s.title for s in db.session.get(Exam, exam.id).sections] == ["Two", "One"]
    exam_rules.delete_rule(db.session.get(ExamRule, a.id))
    assert [(r.count, r.position) for r in db.session.get(ExamSection, first.id).rules] == [(2, 0)]
    exam_rules.delete_section(db.session.get(ExamSection, first.id))
    assert [(s.title, s.position) for s in db.session.get(Exam, exam.id).sections] == [("Two", 0)]
    assert rule_count() == 0
    with pytest.raises(ExamError):
        add_section(exam, "x" * 201)


# --- the lock, copy and delete ---

def test_an_attempt_locks_rules_and_scoring_but_not_the_rest(ctx):
    load("net", singles(6))
    alice = create_user("alice", password="password-1")
    exam = create_exam(settings(), user_ids=[alice.id])
    section = add_section(exam, "Part 1")
    rule = add_rule(section, RuleInput(count=2))
    add_attempt(exam)
    assert is_locked(exam)
    locked_changes = [lambda: add_rule(section, RuleInput(count=1)), lambda: exam_rules.delete_rule(rule),
                      lambda: exam_rules.update_rule(rule, RuleInput(count=1)), lambda: exam_rules.move_rule(rule, 1),
                      lambda: add_section(exam), lambda: exam_rules.rename_section(section, "New"),
                      lambda: exam_rules.delete_section(section)]
    for change in locked_changes:
        with pytest.raises(ExamError, match="Attempts exist, so the sections and rules are locked"):
            change()
    for name, value in [("time_limit_minutes", 90), ("pass_percent", 50.0), ("multiple_scoring", "partial"),
                        ("shuffle_questions", False), ("shuffle_options", False)]:
        with pytest.raises(ExamError) as refused:
            update_exam(exam, settings(**{name: value}), user_ids=[alice.id])
        assert refused.value.errors == {name: ["Attempts exist, so this setting is locked. Copy the exam to change it."]}
    with pytest.raises(ExamError, match="cannot be deleted"):
        delete_exam(exam)
    update_exam(exam, settings(title="Renamed", instructions="New", closes_at=CLOSES + timedelta(days=1),
                               attempts_allowed=2, release_score="never", release_answers="manual"), group_ids=[])
    stored = db.session.get(Exam, exam.id)
    assert (stored.title, stored.attempts_allowed, stored.release_score, stored.release_answers, stored.users) == (
        "Renamed", 2, "never", "manual", [])
    assert rule_count() == 1 and stored.sections[0].title == "Part 1"


@pytest.mark.skipif(not SERVER_DATABASE_URL, reason="row locks need PostgreSQL")
def test_no_attempt_can_start_while_a_change_checks_the_lock(ctx):
    """A change holds the exam's row (FOR UPDATE) from its lock check to its commit; inserting an
    attempt needs a key-share lock on that row, so it waits instead of slipping in between."""
    exam = new_exam()
    user = create_user("sitter", password="password-123")
    exam_id, user_id = exam.id, user.id
    assert not is_locked(exam, for_update=True)  # the change's check; its transaction stays open
    with db.engine.connect() as other:
        other.execute(text("SET lock_timeout = '300ms'"))
        with pytest.raises(OperationalError, match="lock timeout"):
            other.execute(insert(Attempt).values(exam_id=exam_id, user_id=user_id, number=1, code="RACE",
                                                 seed=1, state="in_progress", started_at=utcnow(),
                                                 deadline=utcnow(), max_score=0))
        other.rollback()
    db.session.rollback()


def test_a_copy_is_unlocked_with_the_same_rules_and_assignments(ctx):
    load("net", singles(6))
    alice = create_user("alice", password="password-1")
    group = Group(name="Ops")
    db.session.add(group)
    db.session.commit()
    exam = create_exam(settings(), group_ids=[group.id], user_ids=[alice.id])
    add_rule(add_section(exam, "Part 1"), RuleInput(count=2, tags=[], points=2))
    set_override(exam, alice.id, extra_minutes=15)
    add_attempt(exam)
    copy = copy_exam(db.session.get(Exam, exam.id))
    assert copy.id != exam.id and copy.title == "Network basics (copy)"
    assert not is_locked(copy)
    assert [g.name for g in copy.groups] == ["Ops"] and [u.username for u in copy.users] == ["alice"]
    assert [(s.title, [(r.count, r.points) for r in s.rules]) for s in copy.sections] == [("Part 1", [(2, 2.0)])]
    assert [(o.user_id, o.extra_minutes) for o in copy.overrides] == [(alice.id, 15)]
    assert db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.exam_id == copy.id)) == 0
    add_rule(copy.sections[0], RuleInput(count=1))  # the copy's rules can change
    update_exam(copy, settings(title=copy.title, time_limit_minutes=30))
    assert db.session.get(Exam, exam.id).sections[0].rules[0].count == 2


def test_delete_without_attempts_removes_everything(ctx):
    load("net", singles(3))
    alice = create_user("alice", password="password-1")
    exam = create_exam(settings(), user_ids=[alice.id])
    add_rule(add_section(exam), RuleInput(count=1))
    set_override(exam, alice.id, extra_attempts=1)
    delete_exam(exam)
    assert exam_count() == rule_count() == 0
    assert db.session.scalar(select(func.count()).select_from(ExamOverride)) == 0


# --- overrides ---

def test_overrides_are_validated_replaced_and_removed(ctx):
    alice, carol = create_user("alice", password="password-1"), create_user("carol", password="password-1")
    exam = create_exam(settings(), user_ids=[alice.id])
    set_override(exam, alice.id, extra_minutes=30, extra_attempts=1, closes_at=CLOSES + timedelta(hours=2))
    set_override(exam, alice.id, extra_minutes=10)
    [override] = db.session.scalars(select(ExamOverride)).all()
    assert (override.extra_minutes, override.extra_attempts, override.closes_at) == (10, 0, None)
    cases = [
        ({"extra_minutes": -1}, "extra_minutes", "Extra time is from 0 to 1440 minutes."),
        ({"extra_attempts": 101}, "extra_attempts", "Extra attempts are from 0 to 100."),
        ({"closes_at": CLOSES}, "closes_at", "The later close must be after the exam closes (2030-03-08 09:00)."),
    ]
    for values, field, message in cases:
        with pytest.raises(ExamError) as refused:
            set_override(exam, alice.id, **values)
        assert refused.value.errors == {field: [message]}
    with pytest.raises(ExamError) as stranger:
        set_override(exam, carol.id, extra_minutes=5)
    assert stranger.value.errors == {"user_id": ["Choose a user the exam is assigned to."]}
    set_override(exam, alice.id, closes_at=CLOSES + timedelta(hours=2))
    with pytest.raises(ExamError) as cut_short:  # the exam may not close after alice's "later" close
        update_exam(exam, settings(closes_at=CLOSES + timedelta(hours=2)), user_ids=[alice.id])
    assert cut_short.value.errors == {"closes_at": [
        "The later close of these users' overrides would no longer be later: alice. "
        "Change or remove those overrides first."]}
    assert set_override(exam, alice.id) is None  # nothing extra: removed
    assert db.session.scalar(select(func.count()).select_from(ExamOverride)) == 0


# --- preview ---

def test_the_preview_is_reproducible_and_reports_the_spread(ctx):
    load("net", singles(4, difficulty=1) + singles(4, difficulty=3) + singles(4, difficulty=5))
    exam = new_exam()
    add_rule(add_section(exam), RuleInput(count=6, points=2))
    sample = preview(exam, seed=42)
    again = preview(exam, seed=42)
    assert [item.slot for item in sample.items] == [item.slot for item in again.items]
    assert len(sample.items) == 6 and sample.total_points == 12
    assert sample.spread.samples == 200 and sample.spread.min == sample.spread.max == 18  # two of each level
    assert not sample.points_vary and not sample.shortfalls


def test_the_preview_flags_totals_that_differ_and_rules_it_cannot_fill(ctx):
    load("net", [(2, "", 1, "single"), (2, "", 5, "single"), (2, "", 3, "single")])
    exam = new_exam()
    rule = add_rule(add_section(exam), RuleInput(count=1))
    sample = preview(exam, seed=1)
    assert sample.points_vary and (sample.spread.points_min, sample.spread.points_max) == (1, 5)
    for question in db.session.scalars(select(Question)):
        question.retired_at = utcnow()
    db.session.commit()
    assert preview(db.session.get(Exam, exam.id)).shortfalls == ["section 1, rule 1 needs 1 question, 0 match"]
    assert rule.id
