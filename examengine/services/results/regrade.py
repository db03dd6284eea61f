"""Regrading an exam's objective answers after a bank correction (a changed answer key).

A bank re-import that changes a question gives it a new current version; attempts keep pointing at the
version they were sat with. `regrade_plan(exam_id)` is the dry run: for every finalized attempt's
objective slot whose question now has a newer current version, it grades the stored response against
that version (`qtypes.get(qtype).grade(...)`, with the exam's multiple-choice scoring) and lists the
scores that would change; it writes nothing. `apply_regrade(exam_id, actor_id, expected)` recomputes the
plan inside one transaction (the exam and its slots locked), refuses when it is no longer the plan the
admin saw (`RegradeRefused("stale")` carrying the new plan), else writes the new scores, one audit row
per change (source "regrade", the version used in the reason) and the attempts' totals.

Decisions:
- The slot keeps its frozen `question_version_id` (what the examinee saw); only `auto_score` and `score`
  change, and the audit reason names the version the score was computed with ("regraded against
  version 3 of <title>"). A second dry run therefore still checks these slots, and lists nothing for
  them as long as no further version appears.
- Written (reviewer-graded) slots are never touched, and neither is an objective slot whose score was
  set by hand (score != auto_score: an appeal or an admin decided it) - listed as not regradable.
- Responses hold indexes into the ORIGINAL options of the version sat. When the new version has another
  number of options (or blanks), or another type, the slot is not regraded ("not regradable"). When it
  has the same options in another order, the response is mapped by the options' text; otherwise by index
  (an option whose wording was corrected keeps its place).
- Attempts still in progress are left out: they are graded against their own version on submission;
  run the regrade again after they are submitted.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import aliased

from ...core import qtypes
from ...extensions import db
from ...models import Attempt, AttemptSlot, Exam, QuestionVersion, User
from ..attempts.submission import update_total
from ..audit import record_score_changes

EPSILON = 1e-6
# Why a slot is not regraded (the page says it in words).
SKIP_REASONS = ("options_changed", "blanks_changed", "type_changed", "manual_score", "cannot_grade")


class RegradeRefused(Exception):
    """`reason`: "not_found" (web 404) or "stale" (the plan changed since the dry run; `plan` is the
    new one, web 409)."""

    def __init__(self, reason: str, message: str, plan: RegradePlan | None = None):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.plan = plan


@dataclass(frozen=True)
class RegradeChange:
    """One score that changes: the slot, who (code and name: the page is the admin's) and from/to."""
    slot_id: int
    attempt_id: int
    attempt_code: str
    user_name: str
    position: int  # 0-based, as stored
    question_title: str
    old_version: int  # version numbers: the one sat, the current one
    new_version: int
    new_version_id: int
    old_score: float
    new_score: float
    points: float


@dataclass(frozen=True)
class NotRegradable:
    slot_id: int
    attempt_id: int
    attempt_code: str
    user_name: str
    position: int
    question_title: str
    old_version: int
    new_version: int
    reason: str  # one of SKIP_REASONS


@dataclass(frozen=True)
class QuestionSummary:
    """Per corrected question: its title, the versions and how many of its slots were checked/change."""
    title: str
    qtype: str
    old_versions: tuple[int, ...]
    new_version: int
    checked: int
    changed: int
    skipped: int


@dataclass
class RegradePlan:
    exam_id: int
    checked: int  # objective slots of finalized attempts whose question has a newer version
    changes: list[RegradeChange] = field(default_factory=list)
    skipped: list[NotRegradable] = field(default_factory=list)
    questions: list[QuestionSummary] = field(default_factory=list)
    fingerprint: str = ""

    @property
    def attempts(self) -> int:
        return len({change.attempt_id for change in self.changes})


@dataclass(frozen=True)
class RegradeResult:
    changed: int  # slots whose score changed
    attempts: int  # attempts whose total was recomputed


def objective_types() -> list[str]:
    return [qtype.name for qtype in qtypes.all_types() if qtype.auto_graded]


def regrade_plan(exam_id: int, *, lock: bool = False) -> RegradePlan:
    """The dry run (writes nothing). `lock` (apply_regrade) locks the affected slots on PostgreSQL."""
    multiple_scoring = db.session.scalar(select(Exam.multiple_scoring).where(Exam.id == exam_id))
    sat, current = aliased(QuestionVersion), aliased(QuestionVersion)
    query = (
        select(AttemptSlot.id, AttemptSlot.attempt_id, AttemptSlot.position, AttemptSlot.points,
               AttemptSlot.response, AttemptSlot.score, AttemptSlot.auto_score, AttemptSlot.needs_grading,
               Attempt.code, User.display_name, User.username,
               sat.id, sat.number, sat.qtype, sat.payload,
               current.id, current.number, current.qtype, current.payload, current.title)
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .join(User, User.id == Attempt.user_id)
        .join(sat, sat.id == AttemptSlot.question_version_id)
        .join(current, (current.question_id == sat.question_id) & current.is_current.is_(True)
              & (current.number > sat.number))
        .where(Attempt.exam_id == exam_id, Attempt.state != "in_progress", sat.qtype.in_(objective_types()))
        .order_by(Attempt.id, AttemptSlot.position)
    )
    if lock:
        query = query.with_for_update(of=AttemptSlot)
    plan = RegradePlan(exam_id=exam_id, checked=0)
    per_question: dict[int, dict[str, Any]] = {}
    for row in db.session.execute(query):
        (slot_id, attempt_id, position, points, response, score, auto_score, needs_grading, code,
         display_name, username, sat_id, sat_number, sat_type, sat_payload,
         new_id, new_number, new_type, new_payload, new_title) = row
        plan.checked += 1
        summary = per_question.setdefault(new_id, {"title": new_title, "qtype": new_type, "number": new_number,
                                                   "old": set(), "checked": 0, "changed": 0, "skipped": 0})
        summary["old"].add(sat_number)
        summary["checked"] += 1
        who = dict(slot_id=slot_id, attempt_id=attempt_id, attempt_code=code, user_name=display_name or username,
                   position=position, question_title=new_title, old_version=sat_number, new_version=new_number)
        old_score = None if score is None else float(score)
        reason = _not_regradable(sat_type, sat_payload, new_type, new_payload, old_score, auto_score, needs_grading)
        new_score = None
        if reason is None:
            try:
                grade = qtypes.get(new_type).grade(
                    new_payload, _map_response(sat_type, sat_payload, new_payload, response), float(points),
                    multiple_scoring=multiple_scoring)
                new_score = grade.score
            except (KeyError, TypeError, ValueError, AttributeError):
                reason = "cannot_grade"
            if reason is None and (new_score is None or grade.needs_grading):
                reason = "cannot_grade"
        if reason is not None:
            plan.skipped.append(NotRegradable(reason=reason, **who))
            summary["skipped"] += 1
            continue
        if abs(float(new_score) - old_score) <= EPSILON:
            continue
        plan.changes.append(RegradeChange(new_version_id=new_id, old_score=old_score, new_score=float(new_score),
                                          points=float(points), **who))
        summary["changed"] += 1
    plan.questions = [
        QuestionSummary(title=s["title"], qtype=s["qtype"], old_versions=tuple(sorted(s["old"])),
                        new_version=s["number"], checked=s["checked"], changed=s["changed"], skipped=s["skipped"])
        for s in per_question.values()
    ]
    plan.fingerprint = fingerprint(plan)
    return plan


def fingerprint(plan: RegradePlan) -> str:
    """Identifies what applying would do: every change (slot, version, old -> new) and every skip."""
    body = {
        "changes": sorted([c.slot_id, c.new_version_id, round(c.old_score, 2), round(c.new_score, 2)]
                          for c in plan.changes),
        "skipped": sorted([s.slot_id, s.new_version, s.reason] for s in plan.skipped),
    }
    return hashlib.sha256(json.dumps(body, separators=(",", ":")).encode()).hexdigest()[:32]


def _not_regradable(sat_type: str, sat_payload: dict, new_type: str, new_payload: dict, score: float | None,
                    auto_score: Any, needs_grading: bool) -> str | None:
    if sat_type != new_type or not qtypes.get(new_type).auto_graded:
        return "type_changed"
    if needs_grading or score is None or auto_score is None or abs(float(auto_score) - score) > EPSILON:
        return "manual_score"
    old, new = sat_payload or {}, new_payload or {}
    if "options" in old or "options" in new:
        if len(old.get("options") or []) != len(new.get("options") or []):
            return "options_changed"
    if "blanks" in old or "blanks" in new:
        if len(old.get("blanks") or []) != len(new.get("blanks") or []):
            return "blanks_changed"
    return None


def _map_response(qtype: str, sat_payload: dict, new_payload: dict, response: Any) -> Any:
    """The response in the new version's terms: option indexes follow their option when the new version
    only reordered the same options; otherwise indexes stay (same count, checked before)."""
    old_options = [option.get("md") for option in (sat_payload or {}).get("options") or []]
    new_options = [option.get("md") for option in (new_payload or {}).get("options") or []]
    if not old_options or old_options == new_options or Counter(old_options) != Counter(new_options):
        return response
    if len(set(old_options)) != len(old_options):
        return response  # duplicate texts: the mapping would be ambiguous
    where = {text: index for index, text in enumerate(new_options)}

    def moved(value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(old_options):
            return where[old_options[value]]
        return value

    if isinstance(response, list):
        return sorted(moved(value) for value in response)
    return moved(response)


def _matches(plan: RegradePlan, expected: str | RegradePlan | Sequence[RegradeChange] | None) -> bool:
    if isinstance(expected, RegradePlan):
        return expected.fingerprint == plan.fingerprint
    if isinstance(expected, str):
        return expected == plan.fingerprint
    if isinstance(expected, Sequence):
        def key(c):
            return (c.slot_id, c.new_version_id, round(c.old_score, 2), round(c.new_score, 2))
        return sorted(map(key, expected)) == sorted(map(key, plan.changes))
    return False


def apply_regrade(exam_id: int, actor_id: int, expected: str | RegradePlan | Sequence[RegradeChange]
                  ) -> RegradeResult:
    """Apply the plan the admin saw (`expected`: its fingerprint, the plan, or its list of changes) in
    one transaction. RegradeRefused("stale", plan=the new plan) when the plan changed meanwhile (another
    regrade, a new import, an appeal); nothing is written then."""
    try:
        # A write first: it takes the exam row's lock (PostgreSQL) or the database write lock (SQLite, whose
        # reads before a write would not be part of the transaction), so two admins applying at once
        # are serialized and the second one computes its plan from the first one's result.
        locked = db.session.execute(update(Exam).where(Exam.id == exam_id).values(id=Exam.id)
                                    .execution_options(synchronize_session=False)).rowcount
        if not locked:
            raise RegradeRefused("not_found", _("There is no such exam."))
        plan = regrade_plan(exam_id, lock=True)
        if not _matches(plan, expected):
            raise RegradeRefused("stale", _(
                "The scores to change are no longer those you reviewed (another regrade, a new bank import "
                "or a changed score came in between). Nothing was changed: review the new list below and "
                "apply again."), plan)
        if plan.changes:
            db.session.execute(update(AttemptSlot), [
                {"id": c.slot_id, "score": c.new_score, "auto_score": c.new_score} for c in plan.changes])
            by_version: dict[tuple[int, int, str], list[dict]] = defaultdict(list)
            for c in plan.changes:
                by_version[(c.new_version_id, c.new_version, c.question_title)].append(
                    {"attempt_id": c.attempt_id, "slot_id": c.slot_id, "old": c.old_score, "new": c.new_score})
            for (_id, number, title), changes in by_version.items():
                # Stored text of the audit log (like the other sources' reasons): not translated.
                record_score_changes(changes, source="regrade", actor_id=actor_id,
                                     reason=f"regraded against version {number} of {title}")
            for attempt_id in sorted({c.attempt_id for c in plan.changes}):
                update_total(attempt_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return RegradeResult(changed=len(plan.changes), attempts=plan.attempts)
