"""Leaves from the exam page's events (core.evidence): server times only, reloads, tab switches."""
from __future__ import annotations

from datetime import datetime, timedelta

from examengine.core.evidence import Event, summarize

T0 = datetime(2030, 1, 1, 9, 0, 0)


def events(*rows):
    """(seconds after T0, kind, page) -> Events."""
    return [Event(kind=kind, at=T0 + timedelta(seconds=seconds), page=page) for seconds, kind, page in rows]


def test_a_hidden_page_that_comes_back_is_one_leave_timed_by_the_server():
    summary = summarize(events((0, "open", "a"), (10, "blur", "a"), (10.2, "hidden", "a"), (24, "visible", "a"),
                               (24.1, "focus", "a")))
    assert summary.leave_count == 1
    assert summary.seconds_away == 14
    assert summary.leaves[0].left_at == T0 + timedelta(seconds=10)


def test_a_reload_is_not_a_leave():
    summary = summarize(events((0, "open", "a"), (5, "unload", "a"), (5.1, "hidden", "a"), (6, "reload", "b")))
    assert summary.leave_count == 0 and summary.leaves == []
    assert summary.reloads == 1 and summary.closes == 0
    # The page's own hidden sent just before its unload belongs to the unload too.
    summary = summarize(events((0, "open", "a"), (5, "hidden", "a"), (5.5, "unload", "a"), (6, "reload", "b")))
    assert summary.leaves == [] and summary.reloads == 1


def test_closing_one_of_two_tabs_is_not_a_leave():
    summary = summarize(events((0, "open", "a"), (3, "hidden", "a"), (3, "open", "b"), (9, "unload", "b"),
                               (9.2, "visible", "a")))
    assert summary.leave_count == 0 and summary.closes == 1


def test_switching_between_two_tabs_of_the_attempt_is_not_a_leave_in_either_arrival_order():
    in_order = events((0, "open", "a"), (1, "open", "b"), (2, "visible", "a"), (10, "hidden", "a"),
                      (10.1, "visible", "b"))
    swapped = events((0, "open", "a"), (1, "open", "b"), (2, "visible", "a"), (10, "visible", "b"),
                     (10.1, "hidden", "a"))
    assert summarize(in_order).leaves == []
    assert summarize(swapped).leaves == []


def test_a_blur_while_another_tab_of_the_attempt_is_here_is_not_a_leave():
    summary = summarize(events((0, "open", "a"), (0, "open", "b"), (30, "blur", "a"), (60, "focus", "a")))
    assert summary.leaves == []


def test_leaving_from_the_second_tab_counts_until_any_tab_comes_back():
    summary = summarize(events((0, "open", "a"), (1, "hidden", "a"), (1, "open", "b"), (20, "hidden", "b"),
                               (50, "visible", "a")))
    assert summary.leave_count == 1 and summary.seconds_away == 30


def test_an_open_leave_is_listed_but_not_counted_until_the_examinee_returns():
    summary = summarize(events((0, "open", "a"), (10, "hidden", "a")))
    assert len(summary.leaves) == 1 and summary.leaves[0].open
    assert summary.leave_count == 0 and summary.seconds_away == 0


def test_events_of_a_page_that_arrive_after_its_unload_are_ignored():
    summary = summarize(events((0, "open", "a"), (5, "unload", "a"), (5.5, "reload", "b"), (5.6, "hidden", "a")))
    assert summary.leaves == []


def test_pages_from_before_page_ids_are_one_page():
    summary = summarize(events((0, "hidden", None), (9, "visible", None), (20, "blur", None), (21, "focus", None)))
    assert summary.leave_count == 2 and summary.seconds_away == 10
