"""What an examinee may see of a finalized attempt: the exam's release policy applied to plain facts.

Pure (no Flask, no database), like Moodle's review options. The policy gives each item of feedback a
condition:

- items: ``score`` (the total, percentage, pass/fail and band), ``marks`` (each question's points),
  ``answers`` (the key, reference answers, explanations, and the right/wrong badges, which reveal the
  key), ``feedback`` (the rubric, the rubric items a reviewer awarded, the reviewer's comments);
- conditions: ``immediately`` (once the attempt is submitted), ``after_close`` (once the exam has
  closed for everybody, overrides included, plus the save grace), ``after_grading`` (once the attempt
  is fully graded), ``manual`` (once an admin released the exam's results), ``never``.

Floors that hold whatever the policy says (so that a badly chosen policy cannot leak a key):
- nothing of an attempt in progress;
- ``answers`` and ``feedback`` (the rubric reveals the expected answer) never while the examinee still
  has an attempt left at the exam: the key of attempt 1 would answer attempt 2;
- the right/wrong badges need ``marks`` as well as ``answers`` (a badge tells the mark).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

ITEMS = ("score", "marks", "answers", "feedback")
CONDITIONS = ("immediately", "after_close", "after_grading", "manual", "never")
# New exams: the total and per-question marks once graded, the key once nobody can still use it.
DEFAULT_POLICY = {"score": "after_grading", "marks": "after_grading", "answers": "after_close",
                  "feedback": "after_grading"}
KEY_ITEMS = frozenset({"answers", "feedback"})  # held back while the examinee has attempts left


@dataclass(frozen=True)
class ReleaseFacts:
    """What is true of one attempt now."""

    finalized: bool  # submitted (by the examinee, the timeout or the close)
    graded: bool  # nothing waits for a reviewer
    closed: bool  # nobody can sit or save the exam any more (every override and the grace included)
    attempts_left: bool  # the examinee could still start another attempt at this exam
    manually_released: bool  # an admin released the exam's results


@dataclass(frozen=True)
class Visibility:
    score: bool = False
    marks: bool = False
    answers: bool = False
    feedback: bool = False

    @property
    def badges(self) -> bool:
        """Right/wrong per question: it reveals the key and the mark."""
        return self.answers and self.marks


def condition_holds(condition: str, facts: ReleaseFacts) -> bool:
    """Whether one item released under `condition` is visible (unknown conditions never are)."""
    if not facts.finalized:
        return False
    return {
        "immediately": True,
        "after_close": facts.closed,
        "after_grading": facts.graded,
        "manual": facts.manually_released,
    }.get(condition, False)


def visibility(policy: Mapping[str, str], facts: ReleaseFacts) -> Visibility:
    """Per item, whether the examinee sees it now (see the module doc for the floors)."""
    shown = {}
    for item in ITEMS:
        visible = condition_holds(policy.get(item, "never"), facts)
        if item in KEY_ITEMS and facts.attempts_left:
            visible = False
        shown[item] = visible
    return Visibility(**shown)


def legacy_policy(show_score: str | None, show_correctness: bool, show_answers: bool) -> dict[str, str]:
    """The policy closest to the old three settings (the migration applies the same mapping in SQL).

    show_score carries over as it was. Per-question marks followed show_correctness at once; they now
    wait for the score's condition when that is "after grading" (the old page showed marks the policy
    meant to hold back), and never hide a mark shown before otherwise. The key (show_answers) was shown
    after the close for everybody; the rubric was part of it, so the feedback follows it.
    """
    score = show_score if show_score in ("immediately", "after_grading", "never") else "after_grading"
    if not show_correctness:
        marks = "never"
    else:
        marks = "after_grading" if score == "after_grading" else "immediately"
    answers = "after_close" if show_answers else "never"
    return {"score": score, "marks": marks, "answers": answers, "feedback": answers}


@dataclass(frozen=True)
class FeedbackMark:
    """One reviewer's mark as the examinee reads it (no reviewer name)."""

    round: str  # "first", "second" or "third"
    rubric_items: tuple[int, ...]  # indexes into the question's rubric
    comment: str


def settled_feedback(marks: Sequence[FeedbackMark]) -> list[FeedbackMark]:
    """The marks whose feedback explains the score that stands.

    With a deciding third mark, only that one (the first two were set aside). Otherwise every mark
    there is: a single mark, or with double marking the two close marks the score is the mean of, in
    round order, so the examinee reads both comments.
    """
    third = [mark for mark in marks if mark.round == "third"]
    if third:
        return third[-1:]
    order = {"first": 0, "second": 1}
    return sorted(marks, key=lambda mark: order.get(mark.round, 2))
