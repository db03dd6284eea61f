"""Pure timing (deadline, grace, overdue, window) and scoring (total, percent, pass) rules."""
from __future__ import annotations

from datetime import datetime, timedelta

from examengine.core.scoring import SlotGrade, attempt_total, max_score, passed, percent
from examengine.core.timing import attempt_deadline, is_overdue, save_cutoff, seconds_left, window_state

T0 = datetime(2026, 3, 1, 2, 0, 0)  # naive UTC


def test_deadline_is_start_plus_limit_plus_extra():
    assert attempt_deadline(T0, 60, 0, T0 + timedelta(days=1)) == T0 + timedelta(minutes=60)
    assert attempt_deadline(T0, 60, 15, T0 + timedelta(days=1)) == T0 + timedelta(minutes=75)


def test_close_time_cuts_the_limit_short():
    close = T0 + timedelta(minutes=20)
    assert attempt_deadline(T0, 60, 0, close) == close
    assert attempt_deadline(T0, 60, 30, close) == close


def test_zero_limit_means_until_close_and_negative_extra_is_ignored():
    close = T0 + timedelta(hours=5)
    assert attempt_deadline(T0, 0, 0, close) == close
    assert attempt_deadline(T0, 30, -10, close) == T0 + timedelta(minutes=30)


def test_grace_and_overdue():
    deadline = T0 + timedelta(minutes=30)
    assert save_cutoff(deadline, 60) == deadline + timedelta(seconds=60)
    assert not is_overdue(deadline, deadline, 60)
    assert not is_overdue(deadline, deadline + timedelta(seconds=60), 60)  # the last second still counts
    assert is_overdue(deadline, deadline + timedelta(seconds=60, microseconds=1), 60)
    assert is_overdue(deadline, deadline + timedelta(microseconds=1), 0)


def test_seconds_left_never_negative():
    deadline = T0 + timedelta(minutes=1)
    assert seconds_left(deadline, T0) == 60
    assert seconds_left(deadline, T0 + timedelta(seconds=59, milliseconds=500)) == 0
    assert seconds_left(deadline, T0 + timedelta(hours=1)) == 0


def test_window_state_bounds():
    opens, closes = T0, T0 + timedelta(hours=2)
    assert window_state(opens - timedelta(seconds=1), opens, closes) == "upcoming"
    assert window_state(opens, opens, closes) == "open"
    assert window_state(closes - timedelta(microseconds=1), opens, closes) == "open"
    assert window_state(closes, opens, closes) == "closed"


def test_total_is_open_while_anything_needs_grading():
    graded = [SlotGrade(2, 2), SlotGrade(4, 2), SlotGrade(1, 0)]
    assert attempt_total(graded) == 4
    assert max_score(graded) == 7
    assert attempt_total([*graded, SlotGrade(5, None, True)]) is None
    assert attempt_total([*graded, SlotGrade(5, 3, False)]) == 7
    assert attempt_total([]) == 0
    assert attempt_total([SlotGrade(0.1, 0.1)] * 3) == 0.3  # no float drift


def test_percent_and_pass():
    assert percent(6, 10) == 60
    assert percent(2, 3) == 66.67
    assert percent(None, 10) is None and percent(5, 0) is None
    assert passed(60.0, 60) is True
    assert passed(59.99, 60) is False
    assert passed(None, 60) is None
    assert passed(percent(3, 5), 60) is True  # 60.0 exactly, no float surprise
