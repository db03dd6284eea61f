"""The reviewer's feedback on the examinee's review: the settled mark's rubric items and comments."""
from __future__ import annotations

from examengine.extensions import db
from examengine.models import Attempt, GradingMark
from examengine.services import attempts as svc
from tests.exam_builders import build_exam, ensure_user
from tests.results_builders import score_written, sit_attempt


def _review_of_short(ctx_marks):
    exam = build_exam(users=["alice"], release_marks="after_grading", release_feedback="after_grading",
                      double_marking=True)
    attempt_id = sit_attempt(exam.id, "alice")
    score_written(attempt_id, {"short": 3, "analysis": 5})
    attempt = db.session.get(Attempt, attempt_id)
    short = next(slot for slot in attempt.slots if slot.version.qtype == "short")
    for number, (round_, items, comment) in enumerate(ctx_marks):
        reviewer = ensure_user(f"reviewer{number}", roles=("reviewer",))
        db.session.add(GradingMark(slot_id=short.id, reviewer_id=reviewer.id, round=round_, rubric_items=items,
                                   adjustment=0, comment=comment, score=3))
    db.session.commit()
    return next(slot for slot in svc.review_view(attempt).slots if slot.qtype == "short")


def test_two_close_marks_show_both_comments_and_their_items(app):
    with app.app_context():
        slot = _review_of_short([("first", [0], "First says scope."), ("second", [1], "Second says layers.")])
        assert slot.feedback.comments == ["First says scope.", "Second says layers."]
        assert [line.awarded for line in slot.feedback.rubric][:2] == [True, True]


def test_a_deciding_third_mark_alone_explains_the_score(app):
    with app.app_context():
        slot = _review_of_short([("first", [0], "Set aside one."), ("second", [], "Set aside two."),
                                 ("third", [1], "Decided: layers only.")])
        assert slot.feedback.comments == ["Decided: layers only."]
        assert [line.awarded for line in slot.feedback.rubric][:2] == [False, True]
        assert "SHORT-RUBRIC-SECRET" in slot.feedback.rubric[0].text


def test_no_feedback_before_its_release(app):
    with app.app_context():
        exam = build_exam(users=["alice"], release_marks="after_grading", release_feedback="manual")
        attempt_id = sit_attempt(exam.id, "alice", written={"short": 3, "analysis": 5}, reviewer="rita",
                                 rubric_items=[0], comment="Hidden comment.")
        view = svc.review_view(db.session.get(Attempt, attempt_id))
        assert view.show_marks and not view.show_feedback
        assert all(slot.feedback is None and "rubric" not in slot.context for slot in view.slots)
