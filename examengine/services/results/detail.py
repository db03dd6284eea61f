"""One attempt in full, for admins: every question with the response, the automatic or reviewers'
scores, the rubric items each reviewer applied, comments and who graded; the appeal if any; the
audit history of every score change; the leave-page events recorded during the exam, with the leaves
and their seconds away on the server's clock (services/attempts/evidence.py); and the answers
refused because they arrived after the attempt stopped taking answers ("late_refused" events).

A fixed number of queries per attempt (slots, marks, history, appeals, events), whatever its size.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased, lazyload

from ...core import qtypes
from ...core import results as core
from ...core.evidence import Summary
from ...extensions import db
from ...models import Appeal, Attempt, AttemptEvent, AttemptSlot, GradingMark, QuestionVersion, ScoreChange, User
from ..attempts.evidence import summarize_events
from ..attempts.saves import LATE_EVENT
from ..audit import shown_reason
from ..banks.rendered import version_renderers
from ..exams.scoring import scoring_of
from .overview import seconds_used


@dataclass
class MarkView:
    round: str
    reviewer: str
    rubric: list[tuple[float, str]]  # the items applied: (points, text)
    adjustment: float
    comment: str
    score: float
    created_at: datetime


@dataclass
class ChangeView:
    source: str  # auto | reviewer | regrade | appeal | admin
    actor: str | None
    old: float | None
    new: float | None
    reason: str
    created_at: datetime
    position: int | None  # the question's position, None for changes of the attempt as a whole


@dataclass
class SlotDetail:
    slot_id: int
    position: int
    qtype: str
    title: str
    dimension: str
    points: float
    score: float | None
    auto_score: float | None
    needs_grading: bool
    auto_graded: bool
    template: str
    context: dict  # the type's template context WITH the key (admins), readonly
    marks: list[MarkView] = field(default_factory=list)
    history: list[ChangeView] = field(default_factory=list)
    appeal: Appeal | None = None


@dataclass
class LateRefusal:
    """Answers the page sent after the attempt stopped taking them: the server does not hold them."""

    server_time: datetime
    positions: list[int]
    reason: str  # too_late (past deadline + grace) | finalized (already submitted)


@dataclass
class AttemptDetail:
    attempt: Attempt
    result: core.Result
    bands: tuple[core.Band, ...]
    seconds_used: int | None
    slots: list[SlotDetail]
    history: list[ChangeView]  # every change, newest first
    events: list[AttemptEvent]
    event_counts: dict[str, int]
    leaves: int  # leaves the examinee came back from (core.evidence: reloads and tab switches are not)
    evidence: Summary = field(default_factory=Summary)  # the leaves with their seconds, reloads, closes
    late_refused: list[LateRefusal] = field(default_factory=list)


def attempt_detail(attempt_id: int) -> AttemptDetail | None:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        return None
    exam = attempt.exam
    rows = db.session.execute(
        select(AttemptSlot, QuestionVersion)
        .join(QuestionVersion, AttemptSlot.question_version_id == QuestionVersion.id)
        .where(AttemptSlot.attempt_id == attempt.id).order_by(AttemptSlot.position)
        .options(lazyload(QuestionVersion.tag_rows))
    ).all()
    slots, rubrics = [], {}
    renderers = version_renderers(version for _slot, version in rows)  # the versions' stored HTML
    for slot, version in rows:
        slots.append(_slot(slot, version, renderers[version.id]))
        rubrics[slot.id] = (version.payload or {}).get("rubric") or []
    by_id = {s.slot_id: s for s in slots}
    for mark, reviewer in db.session.execute(
        select(GradingMark, User).join(User, User.id == GradingMark.reviewer_id)
        .join(AttemptSlot, AttemptSlot.id == GradingMark.slot_id)
        .where(AttemptSlot.attempt_id == attempt.id).order_by(GradingMark.created_at, GradingMark.id)
    ):
        by_id[mark.slot_id].marks.append(_mark(mark, reviewer, rubrics.get(mark.slot_id, [])))
    history = _history(attempt.id, {s.slot_id: s.position for s in slots})
    by_position = {s.position: s for s in slots}
    for change in history:
        if change.position in by_position:
            by_position[change.position].history.append(change)
    for appeal in db.session.scalars(select(Appeal).where(Appeal.attempt_id == attempt.id)):
        if appeal.slot_id in by_id:
            by_id[appeal.slot_id].appeal = appeal
    events, late = [], []
    for event in db.session.scalars(
            select(AttemptEvent).where(AttemptEvent.attempt_id == attempt.id)
            .order_by(AttemptEvent.server_time, AttemptEvent.id)):
        if event.kind == LATE_EVENT:
            late.append(_late(event))
        else:
            events.append(event)
    counts = Counter(event.kind for event in events)
    evidence = summarize_events(events)
    weights, bands = scoring_of(exam)
    result = core.compute(
        [core.SlotScore(s.dimension, s.points, s.score, s.needs_grading) for s in slots],
        weights=weights, bands=bands, pass_percent=exam.pass_percent,
    ) if attempt.state != "in_progress" else core.Result((), None, 0.0, None, None, None, False, 0)
    return AttemptDetail(
        attempt=attempt, result=result, bands=bands,
        seconds_used=seconds_used(attempt.started_at, attempt.submitted_at, attempt.deadline, attempt.submitted_by),
        slots=slots, history=history, events=events, event_counts=dict(counts),
        leaves=evidence.leave_count, evidence=evidence, late_refused=late)


def _late(event: AttemptEvent) -> LateRefusal:
    detail = event.detail if isinstance(event.detail, dict) else {}
    positions = [p for p in detail.get("positions") or [] if isinstance(p, int) and not isinstance(p, bool)]
    return LateRefusal(server_time=event.server_time, positions=positions, reason=str(detail.get("reason") or ""))


def _slot(slot: AttemptSlot, version: QuestionVersion, render: qtypes.Renderer) -> SlotDetail:
    qtype = qtypes.get(version.qtype)
    context = qtype.template_context(
        version.payload or {}, stem_md=version.stem, field_name=f"q{slot.position}", response=slot.response,
        option_order=slot.option_order, show_key=True, explanation_md="", render=render,
    )
    context["readonly"] = True
    return SlotDetail(
        slot_id=slot.id, position=slot.position, qtype=version.qtype, title=version.title,
        dimension=version.dimension or "", points=float(slot.points), score=_num(slot.score),
        auto_score=_num(slot.auto_score), needs_grading=bool(slot.needs_grading), auto_graded=qtype.auto_graded,
        template=qtype.template, context=context)


def _mark(mark: GradingMark, reviewer: User, rubric: list) -> MarkView:
    applied = []
    for index in mark.rubric_items or []:
        if isinstance(index, int) and 0 <= index < len(rubric) and isinstance(rubric[index], dict):
            item = rubric[index]
            applied.append((float(item.get("points") or 0), str(item.get("text") or "")))
    return MarkView(round=mark.round, reviewer=reviewer.name, rubric=applied, adjustment=float(mark.adjustment or 0),
                    comment=mark.comment or "", score=float(mark.score), created_at=mark.created_at)


def _history(attempt_id: int, positions: dict[int, int]) -> list[ChangeView]:
    actor = aliased(User)
    return [
        ChangeView(source=change.source, actor=who.name if who is not None else None, old=_num(change.old_score),
                   new=_num(change.new_score), reason=shown_reason(change.reason or ""), created_at=change.created_at,
                   position=positions.get(change.slot_id))
        for change, who in db.session.execute(
            select(ScoreChange, actor).outerjoin(actor, actor.id == ScoreChange.actor_id)
            .where(ScoreChange.attempt_id == attempt_id)
            .order_by(ScoreChange.created_at.desc(), ScoreChange.id.desc()))
    ]


def _num(value: Any) -> float | None:
    return None if value is None else float(value)
