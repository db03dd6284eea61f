"""Forged or malformed reviewer posts (mark, blank, skip) get a 400 with a message, never a 500, on
SQLite and PostgreSQL alike: slot ids beyond an Integer column, negative, nested, not numbers; rubric
items that are no item; a NUL in the comment; and adjustments in other scripts' digits, which both
databases refuse the same way (ASCII and full-width digits are numbers)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from examengine.extensions import db
from examengine.models import AttemptSlot, GradingMark
from examengine.services.grading import GradingRefused, save_mark
from tests.grading_builders import user_id, version_id
from tests.web.grading.test_review import action_url, login, marks, named_exam, next_url, slot_ids

BAD_SLOTS = ["2147483648", "4294967296", "99999999999", "9" * 30, "0", "-1", "+1", "1.5", "1e3", "[1,2]",
             "[[1]]", "abc", "", ",", "١", "１"]
BAD_RUBRIC = [["2147483648"], ["99999999999999999999"], ["-1"], ["1.5"], ["[0]"], ["[[0]]"], ["x"], ["١"],
              ["0", "7"], [""]]


@pytest.fixture
def held(app):
    """(client, exam id, the posted slots field) of rita holding ann's short answer."""
    exam_id, _ids = named_exam(app, {"ann": "An answer"})
    client = login(app, "rita")
    return client, exam_id, slot_ids(client.get(next_url(app, exam_id)).text)


@pytest.mark.parametrize("action", ["mark", "blank", "skip"])
def test_malformed_slots_are_a_400(app, held, action):
    client, exam_id, _slots = held
    for slots in BAD_SLOTS:
        response = client.post(action_url(app, exam_id, action), data={"slots": slots, "rubric": ["0"]})
        assert response.status_code == 400, slots
        if action != "skip":
            assert "The form was not valid" in response.text, slots
    assert marks(app) == 0


@pytest.mark.parametrize("action", ["mark", "blank"])
def test_a_json_body_with_nested_lists_is_a_400(app, held, action):
    client, exam_id, _slots = held
    response = client.post(action_url(app, exam_id, action), json={"slots": [[1]], "rubric": [[0], 2**40]})
    assert response.status_code == 400
    assert marks(app) == 0


def test_malformed_rubric_items_are_a_400_with_the_message(app, held):
    client, exam_id, slots = held
    for rubric in BAD_RUBRIC:
        response = client.post(action_url(app, exam_id, "mark"), data={"slots": slots, "rubric": rubric})
        assert response.status_code == 400, rubric
        assert "Unknown rubric item" in response.text and 'data-testid="mark-error"' in response.text, rubric
    assert marks(app) == 0


def test_a_nul_in_the_comment_is_a_400(app, held):
    client, exam_id, slots = held
    response = client.post(action_url(app, exam_id, "mark"), data={"slots": slots, "rubric": ["0"],
                                                                   "comment": "good\x00"})
    assert response.status_code == 400 and "NUL character" in response.text
    assert marks(app) == 0


@pytest.mark.parametrize("comment, message", [("good\x00", "NUL character"), ("good\ud800", "unpaired surrogate")])
def test_the_service_refuses_unstorable_comments(app, held, comment, message):
    """Below the web guard: save_mark itself refuses, nothing is written (PostgreSQL used to fail)."""
    _client, exam_id, slots = held
    with app.app_context():
        with pytest.raises(GradingRefused) as refused:
            save_mark(exam_id, version_id("short"), [int(s) for s in slots.split(",")], user_id("rita"),
                      items=["0"], comment=comment)
        assert refused.value.reason == "bad_mark" and message in refused.value.message
    assert marks(app) == 0


def test_adjustments_in_other_scripts_digits_are_refused(app, held):
    client, exam_id, slots = held
    for adjustment, message in (("١", "digits 0-9"), ("٣.٥", "digits 0-9"), ("-١", "digits 0-9"),
                                ("४", "digits 0-9"), ("²", "must be a number"), ("①", "must be a number")):
        response = client.post(action_url(app, exam_id, "mark"), data={"slots": slots, "adjustment": adjustment})
        assert response.status_code == 400 and 'data-testid="mark-error"' in response.text, adjustment
        assert message in response.text, adjustment
    assert marks(app) == 0


@pytest.mark.parametrize("adjustment", ["1", "１", " ＋１ ", "1.00"])
def test_ascii_and_full_width_adjustments_are_stored_as_the_same_number(app, held, adjustment):
    client, exam_id, slots = held
    response = client.post(action_url(app, exam_id, "mark"), data={"slots": slots, "adjustment": adjustment})
    assert response.status_code == 302
    with app.app_context():
        mark = db.session.scalars(select(GradingMark)).one()
        assert (mark.adjustment, mark.score) == (1.0, 1.0)
        assert db.session.get(AttemptSlot, int(slots)).score == 1.0
