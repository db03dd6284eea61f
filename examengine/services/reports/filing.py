"""The examinee reports a question of their own paper ("this question seems wrong", with a comment).

Rules:
- Only the attempt's owner, only for a slot on that paper (else "not_found": the web answers 404).
- While the attempt is in progress and takes answers (deadline + the save grace, as autosave), or once
  it is finalized (its review page is reachable then). An attempt past its cutoff but not yet
  finalized is refused ("too_late"); the web finalizes overdue attempts before asking.
- One open report per slot: reporting again while it is open REPLACES its comment (the examinee
  refines what they wrote; admins see one report, with the newest comment). Once resolved, a new
  report may be filed. A partial unique index backs this up against two reports sent at once.
- A comment is required, at most MAX_COMMENT_CHARS characters, and storable (no NUL, no lone surrogate).
Nothing the examinee reads back mentions the key: only their comment, the time and the state.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ...core.text import unstorable
from ...core.timing import is_overdue
from ...extensions import db
from ...models import Attempt, AttemptSlot, QuestionReport, QuestionVersion, User
from ...models._time import utcnow
from ..exams.access import grace_seconds
from ..messages import _, unstorable_message

MAX_COMMENT_CHARS = 1_000
MAX_POSITION = 2**31 - 1


class ReportRefused(Exception):
    """`reason` and the web status: "not_found" 404, "bad_input" 400, "too_late" / "resolved" 409."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def clean_text(text: str | None) -> str:
    """Typed text: line endings folded, trimmed; ReportRefused for a NUL or a lone surrogate."""
    cleaned = (text if isinstance(text, str) else "").replace("\r\n", "\n").replace("\r", "\n").strip()
    kind = unstorable(cleaned)
    if kind:
        raise ReportRefused("bad_input", unstorable_message(kind))
    return cleaned


def clean_comment(text: str | None) -> str:
    comment = clean_text(text)
    if not comment:
        raise ReportRefused("bad_input", _("Write what seems wrong with this question."))
    if len(comment) > MAX_COMMENT_CHARS:
        raise ReportRefused("bad_input", _("The report is too long: at most %(count)s characters.",
                                           count=f"{MAX_COMMENT_CHARS:,}"))
    return comment


def _slot_of(attempt: Attempt, position) -> AttemptSlot | None:
    if not (isinstance(position, int) and not isinstance(position, bool) and 0 <= position <= MAX_POSITION):
        return None
    return db.session.scalar(select(AttemptSlot).where(AttemptSlot.attempt_id == attempt.id,
                                                       AttemptSlot.position == position))


def _check_open_for_reports(attempt: Attempt, now: datetime) -> None:
    if attempt.state == "in_progress" and is_overdue(attempt.deadline, now, grace_seconds()):
        raise ReportRefused("too_late", _("Time is up. You can report this question from your review page "
                                          "once the exam is submitted."))


def report_question(attempt: Attempt, position, user: User, comment: str | None,
                    now: datetime | None = None) -> tuple[QuestionReport, bool]:
    """Report the question at `position` of the user's own attempt: (the report, whether it is new).

    Committed before returning; on refusal (ReportRefused) nothing is written.
    """
    now = now or utcnow()
    if attempt is None or user is None or attempt.user_id != user.id:
        raise ReportRefused("not_found", _("There is no such attempt."))
    slot = _slot_of(attempt, position)
    if slot is None:
        raise ReportRefused("not_found", _("There is no such question on your paper."))
    _check_open_for_reports(attempt, now)
    text = clean_comment(comment)
    try:
        report, created = _store(slot, user.id, text, now)
        db.session.commit()
    except IntegrityError:  # the same question reported twice at once: the other one was inserted
        db.session.rollback()
        try:
            report, created = _store(slot, user.id, text, now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    except Exception:
        db.session.rollback()
        raise
    return report, created


def _store(slot: AttemptSlot, user_id: int, text: str, now: datetime) -> tuple[QuestionReport, bool]:
    """Replace the comment of the slot's open report, or insert one (flushed, not committed)."""
    updated = db.session.execute(
        update(QuestionReport).where(QuestionReport.slot_id == slot.id, QuestionReport.state == "open")
        .values(comment=text, updated_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if updated:
        report = db.session.scalar(select(QuestionReport).where(QuestionReport.slot_id == slot.id,
                                                                QuestionReport.state == "open"))
        db.session.refresh(report)
        return report, False
    question_id = db.session.scalar(select(QuestionVersion.question_id)
                                    .where(QuestionVersion.id == slot.question_version_id))
    report = QuestionReport(slot_id=slot.id, attempt_id=slot.attempt_id, version_id=slot.question_version_id,
                            question_id=question_id, user_id=user_id, comment=text, state="open",
                            created_at=now, updated_at=now, resolution_note="")
    db.session.add(report)
    db.session.flush()
    return report, True


def attempt_reports(attempt: Attempt) -> dict[int, QuestionReport]:
    """Position -> the examinee's report of that question shown on their pages: the open one, else the
    newest resolved one. Questions never reported are absent."""
    shown: dict[int, QuestionReport] = {}
    rows = db.session.execute(
        select(AttemptSlot.position, QuestionReport)
        .join(QuestionReport, QuestionReport.slot_id == AttemptSlot.id)
        .where(AttemptSlot.attempt_id == attempt.id)
        .order_by(QuestionReport.created_at, QuestionReport.id)
    ).all()
    for position, report in rows:
        current = shown.get(position)
        if current is None or current.state != "open":
            shown[position] = report
    return shown
