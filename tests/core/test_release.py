"""The release decision (core.release): each condition against the facts, the floors, the legacy mapping
and which reviewer marks the feedback shows."""
from __future__ import annotations

import pytest

from examengine.core.release import (
    CONDITIONS,
    DEFAULT_POLICY,
    ITEMS,
    FeedbackMark,
    ReleaseFacts,
    Visibility,
    condition_holds,
    legacy_policy,
    settled_feedback,
    visibility,
)


def facts(**changes) -> ReleaseFacts:
    values = {"finalized": True, "graded": False, "closed": False, "attempts_left": False,
              "manually_released": False}
    return ReleaseFacts(**{**values, **changes})


# condition -> the facts under which it holds (and the same facts with the deciding one false do not)
@pytest.mark.parametrize(("condition", "holding", "not_holding"), [
    ("immediately", facts(), facts(finalized=False)),
    ("after_close", facts(closed=True), facts()),
    ("after_grading", facts(graded=True), facts(closed=True, manually_released=True)),
    ("manual", facts(manually_released=True), facts(graded=True, closed=True)),
])
def test_each_condition_holds_on_its_fact(condition, holding, not_holding):
    assert condition_holds(condition, holding)
    assert not condition_holds(condition, not_holding)


@pytest.mark.parametrize("condition", CONDITIONS)
def test_nothing_before_the_attempt_is_finalized(condition):
    everything = facts(finalized=False, graded=True, closed=True, manually_released=True)
    assert not condition_holds(condition, everything)
    assert visibility(dict.fromkeys(ITEMS, condition), everything) == Visibility()


def test_never_and_unknown_conditions_never_hold():
    everything = facts(graded=True, closed=True, manually_released=True)
    assert not condition_holds("never", everything)
    assert not condition_holds("sometimes", everything)
    assert visibility({}, everything) == Visibility()  # an item the policy leaves out stays hidden


def test_the_key_and_the_feedback_wait_while_attempts_are_left():
    policy = dict.fromkeys(ITEMS, "immediately")
    shown = visibility(policy, facts(attempts_left=True, graded=True, closed=True))
    assert (shown.score, shown.marks, shown.answers, shown.feedback) == (True, True, False, False)
    assert visibility(policy, facts()) == Visibility(score=True, marks=True, answers=True, feedback=True)


def test_badges_need_the_marks_and_the_answers():
    assert not Visibility(answers=True).badges
    assert not Visibility(marks=True).badges
    assert Visibility(marks=True, answers=True).badges


def test_the_defaults_over_an_attempt_s_life():
    submitted = visibility(DEFAULT_POLICY, facts())
    graded = visibility(DEFAULT_POLICY, facts(graded=True))
    closed = visibility(DEFAULT_POLICY, facts(graded=True, closed=True))
    assert submitted == Visibility()
    assert graded == Visibility(score=True, marks=True, feedback=True)
    assert closed == Visibility(score=True, marks=True, answers=True, feedback=True)
    assert visibility(DEFAULT_POLICY, facts(closed=True)) == Visibility(answers=True)  # graded later


@pytest.mark.parametrize(("old", "policy"), [
    (("immediately", False, False), ("immediately", "never", "never", "never")),
    (("immediately", True, True), ("immediately", "immediately", "after_close", "after_close")),
    (("after_grading", True, False), ("after_grading", "after_grading", "never", "never")),
    (("never", True, True), ("never", "immediately", "after_close", "after_close")),
    (("never", False, True), ("never", "never", "after_close", "after_close")),
    (("bogus", False, False), ("after_grading", "never", "never", "never")),
])
def test_old_settings_map_to_the_closest_policy(old, policy):
    assert legacy_policy(*old) == dict(zip(ITEMS, policy, strict=True))


def mark(round_: str, items=(), comment="") -> FeedbackMark:
    return FeedbackMark(round=round_, rubric_items=tuple(items), comment=comment)


def test_feedback_of_a_single_mark_and_of_two_close_marks():
    assert settled_feedback([]) == []
    assert settled_feedback([mark("first", [0], "ok")]) == [mark("first", [0], "ok")]
    second, first = mark("second", [1], "b"), mark("first", [0], "a")
    assert settled_feedback([second, first]) == [first, second]  # both, in round order


def test_feedback_of_a_deciding_third_mark_alone():
    marks = [mark("first", [0], "a"), mark("second", [1], "b"), mark("third", [0, 1], "c")]
    assert settled_feedback(marks) == [mark("third", [0, 1], "c")]
