"""The bridge between stored exams/questions and the pure paper assembly.

`candidate_pool()` reads every live question (current version, not retired) as a `Candidate`, and
`paper_spec()` turns an exam's sections and rules into a `PaperSpec`. Both the exam editor (feasibility,
preview) and the attempt service (paper at start) use them, so they always agree.
"""
from __future__ import annotations

from sqlalchemy import select

from ..core.papers import Candidate, DrawRule, FixedRule, PaperSpec, SectionSpec
from ..extensions import db
from ..models import Bank, Exam, ExamRule, Question, QuestionTag, QuestionVersion


def question_key(bank_key: str, identity: str) -> str:
    """How fixed rules name a question: stable across versions."""
    return f"{bank_key}/{identity}"


def candidate_pool() -> list[Candidate]:
    rows = db.session.execute(
        select(QuestionVersion.id, Bank.key, Question.identity, QuestionVersion.qtype,
               QuestionVersion.dimension, QuestionVersion.difficulty, QuestionVersion.points,
               QuestionVersion.payload)
        .join(Question, QuestionVersion.question_id == Question.id)
        .join(Bank, Question.bank_id == Bank.id)
        .where(QuestionVersion.is_current.is_(True), Question.retired_at.is_(None))
    ).all()
    tags = _tags_by_version([row[0] for row in rows])
    return [_candidate(row, tags.get(row[0], ())) for row in rows]


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
                     shuffle_options=exam.shuffle_options)


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
