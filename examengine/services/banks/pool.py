"""The bridge between stored exams/questions and the pure paper assembly.

`candidate_pool()` reads every live question (current version, not retired) as a `Candidate`, and
`paper_spec()` turns an exam's sections and rules into a `PaperSpec`. Both the exam editor (feasibility,
preview) and the attempt service (paper at start) use them, so they always agree.

`levels` ({version id: level}, or None) is the difficulty an exam balances its papers on instead of
the author's labels (its frozen measured levels, `services/exams/difficulty.py`); None balances on
the labels. The plan cache keys on it, so exams balanced on different levels never share a plan.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping

from sqlalchemy import func, select

from ...core.papers import (
    Candidate,
    DrawRule,
    FixedRule,
    PaperPlan,
    PaperSpec,
    SectionSpec,
    balanced_on,
    plan_paper,
)
from ...extensions import db
from ...models import Bank, Exam, ExamRule, Question, QuestionTag, QuestionVersion

PLAN_CACHE_SIZE = 64
_plans: OrderedDict[tuple, PaperPlan] = OrderedDict()
_plans_lock = threading.Lock()


def question_key(bank_key: str, identity: str) -> str:
    """How fixed rules name a question: stable across versions."""
    return f"{bank_key}/{identity}"


def candidate_pool(levels: Mapping[int, int] | None = None) -> list[Candidate]:
    """Every live question's current version; balanced on `levels` where given (see the module doc)."""
    rows = db.session.execute(
        select(QuestionVersion.id, Bank.key, Question.identity, QuestionVersion.qtype,
               QuestionVersion.dimension, QuestionVersion.difficulty, QuestionVersion.points,
               QuestionVersion.payload)
        .join(Question, QuestionVersion.question_id == Question.id)
        .join(Bank, Question.bank_id == Bank.id)
        .where(QuestionVersion.is_current.is_(True), Question.retired_at.is_(None))
    ).all()
    tags = _tags_by_version([row[0] for row in rows])
    pool = [_candidate(row, tags.get(row[0], ())) for row in rows]
    return balanced_on(pool, levels) if levels else pool


def _tags_by_version(version_ids: list[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {}
    chunk = 500  # keep IN lists under the drivers' parameter limits
    for start in range(0, len(version_ids), chunk):
        part = version_ids[start:start + chunk]
        for version_id, tag in db.session.execute(
            select(QuestionTag.version_id, QuestionTag.tag).where(QuestionTag.version_id.in_(part))
        ):
            tags.setdefault(version_id, []).append(tag)
    return tags


def _candidate(row, tags) -> Candidate:
    version_id, bank_key, identity, qtype, dimension, difficulty, points, payload = row
    options = payload.get("options") if isinstance(payload, dict) else None
    return Candidate(
        version_id=version_id,
        question_key=question_key(bank_key, identity),
        bank_key=bank_key,
        qtype=qtype,
        tags=frozenset(tags),
        dimension=dimension or "",
        difficulty=difficulty,
        points=float(points),
        option_count=len(options) if isinstance(options, list) else 0,
        shuffle_options=bool(payload.get("shuffle", True)) if isinstance(payload, dict) else True,
    )


def paper_spec(exam: Exam) -> PaperSpec:
    sections = tuple(
        SectionSpec(title=section.title, rules=tuple(rule_spec(rule) for rule in section.rules))
        for section in exam.sections
    )
    return PaperSpec(sections=sections, shuffle_questions=exam.shuffle_questions,
                     shuffle_options=exam.shuffle_options, difficulty_tolerance=exam.difficulty_tolerance or 0)


def rule_spec(rule: ExamRule) -> DrawRule | FixedRule:
    if rule.kind == "fixed":
        return FixedRule(question_keys=tuple(rule.question_keys or ()), points=rule.points)
    return DrawRule(
        count=rule.count,
        banks=frozenset(rule.bank_keys or ()),
        qtype=rule.qtype or None,
        tags=frozenset(rule.tags or ()),
        dimension=rule.dimension or None,
        difficulty_min=rule.difficulty_min,
        difficulty_max=rule.difficulty_max,
        points=rule.points,
    )


def pool_version() -> tuple:
    """Changes whenever the pool may have: every import that adds, changes, retires or restores a
    question stamps its bank's `updated_at` and adds versions or flips `retired_at`. One query."""
    return tuple(db.session.execute(select(
        select(func.count(Bank.id)).scalar_subquery(),
        select(func.max(Bank.updated_at)).scalar_subquery(),
        select(func.max(QuestionVersion.id)).scalar_subquery(),
        select(func.count(Question.id)).where(Question.retired_at.is_(None)).scalar_subquery(),
    )).one())


def clear_plan_cache() -> None:
    with _plans_lock:
        _plans.clear()


def cached_plan(spec: PaperSpec, levels: Mapping[int, int] | None = None) -> PaperPlan:
    """The seed-independent paper plan for `spec` over the current pool balanced on `levels`, built once
    per pool version and levels.

    A wave of examinees starting one exam would otherwise each read the whole pool and plan the same
    papers. Plans are read-only (drawing copies what it consumes), so threads may share them.
    Raises InfeasibleRules like `plan_paper`.
    """
    balance = None if levels is None else tuple(sorted(levels.items()))  # {} (measured, none yet) is not None
    key = (spec, db.engine.url.render_as_string(), pool_version(), balance)
    with _plans_lock:
        plan = _plans.get(key)
        if plan is not None:
            _plans.move_to_end(key)
            return plan
    plan = plan_paper(spec, candidate_pool(levels))
    with _plans_lock:
        _plans[key] = plan
        while len(_plans) > PLAN_CACHE_SIZE:
            _plans.popitem(last=False)
    return plan
