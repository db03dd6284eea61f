"""Read side of the banks: the bank list with counts, and the admin question browser.

Everything here aggregates in SQL (GROUP BY, EXISTS) so a page costs a fixed number of queries,
whatever the number of banks or questions.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import contains_eager

from ...extensions import db
from ...models import Bank, Question, QuestionTag, QuestionVersion

PER_PAGE = 25
MAX_PER_PAGE = 200


@dataclass
class QuestionFilters:
    bank_id: int | None = None
    qtype: str = ""
    tag: str = ""
    dimension: str = ""
    difficulty: int | None = None
    text: str = ""
    flagged_only: bool = False  # the browser's "flagged questions only" box, as asked
    # Only these versions (None: any). The web layer fills it, e.g. with the versions the item analysis
    # flags: banks sits below analysis, so it takes the ids rather than asking for them.
    version_ids: frozenset[int] | None = None

    @property
    def active(self) -> bool:
        return any((self.bank_id, self.qtype, self.tag, self.dimension, self.difficulty, self.text,
                    self.flagged_only, self.version_ids is not None))


@dataclass
class BankSummary:
    bank: Bank
    by_type: dict[str, int] = field(default_factory=dict)
    retired: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_type.values())


def _live_versions():
    """Current versions of questions that are not retired, joined to their question and bank."""
    return (
        select(QuestionVersion)
        .join(QuestionVersion.question)
        .join(Question.bank)
        .where(QuestionVersion.is_current.is_(True), Question.retired_at.is_(None))
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def apply_filters(query, filters: QuestionFilters):
    if filters.bank_id:
        query = query.where(Question.bank_id == filters.bank_id)
    if filters.qtype:
        query = query.where(QuestionVersion.qtype == filters.qtype)
    if filters.dimension:
        query = query.where(QuestionVersion.dimension == filters.dimension)
    if filters.difficulty:
        query = query.where(QuestionVersion.difficulty == filters.difficulty)
    if filters.tag:
        query = query.where(exists().where(QuestionTag.version_id == QuestionVersion.id,
                                           QuestionTag.tag == filters.tag))
    if filters.version_ids is not None:
        query = query.where(QuestionVersion.id.in_(sorted(filters.version_ids)))
    text = filters.text.strip()
    if text:
        # ILIKE on PostgreSQL, lower() LIKE lower() on SQLite; Chinese has no case, so both match it as is.
        pattern = f"%{_escape_like(text)}%"
        query = query.where(or_(QuestionVersion.title.ilike(pattern, escape="\\"),
                                QuestionVersion.stem.ilike(pattern, escape="\\")))
    return query


def browse_questions(filters: QuestionFilters, *, page: int = 1, per_page: int = PER_PAGE):
    """One page of matching current versions (with question and bank loaded), as a Flask-SQLAlchemy Pagination."""
    query = (
        apply_filters(_live_versions(), filters)
        .options(contains_eager(QuestionVersion.question).contains_eager(Question.bank))
        .order_by(Bank.key, Question.position, Question.id)
    )
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    return db.paginate(query, page=max(page, 1), per_page=per_page, error_out=False, max_per_page=MAX_PER_PAGE)


def bank_summaries() -> list[BankSummary]:
    """Every bank with its live questions counted per type and its retired questions: three queries."""
    banks = db.session.scalars(select(Bank).order_by(Bank.key)).all()
    summaries = {bank.id: BankSummary(bank) for bank in banks}
    type_counts = db.session.execute(
        select(Question.bank_id, QuestionVersion.qtype, func.count())
        .join(QuestionVersion, QuestionVersion.question_id == Question.id)
        .where(QuestionVersion.is_current.is_(True), Question.retired_at.is_(None))
        .group_by(Question.bank_id, QuestionVersion.qtype)
    )
    for bank_id, qtype, count in type_counts:
        summaries[bank_id].by_type[qtype] = count
    retired_counts = db.session.execute(
        select(Question.bank_id, func.count()).where(Question.retired_at.is_not(None)).group_by(Question.bank_id)
    )
    for bank_id, count in retired_counts:
        summaries[bank_id].retired = count
    return list(summaries.values())


def filter_choices() -> dict[str, list]:
    """Values offered in the browser's drop-downs, taken from the live questions."""
    live_ids = (select(QuestionVersion.id).join(QuestionVersion.question)
                .where(QuestionVersion.is_current.is_(True), Question.retired_at.is_(None)))
    tags = db.session.scalars(
        select(QuestionTag.tag).where(QuestionTag.version_id.in_(live_ids)).distinct().order_by(QuestionTag.tag)
    ).all()
    dimensions = db.session.scalars(
        select(QuestionVersion.dimension)
        .where(QuestionVersion.id.in_(live_ids), QuestionVersion.dimension != "")
        .distinct().order_by(QuestionVersion.dimension)
    ).all()
    banks = db.session.execute(select(Bank.id, Bank.key, Bank.title).order_by(Bank.key)).all()
    return {"tags": list(tags), "dimensions": list(dimensions), "banks": banks}


def get_question(question_id: int) -> Question | None:
    return db.session.get(Question, question_id)


def version_of(question: Question, number: int | None) -> QuestionVersion | None:
    """The requested version, else the current one (the last version if none is marked current)."""
    versions = question.versions
    if number is not None:
        return next((v for v in versions if v.number == number), None)
    return next((v for v in versions if v.is_current), versions[-1] if versions else None)


def current_versions(identities) -> dict[tuple[str, str], QuestionVersion]:
    """The current version of each (bank key, question identity) that is in the database, with its
    question loaded; the pairs not found are absent. One query per 500 pairs (bank keys are few)."""
    wanted = set(identities)
    by_bank: dict[str, set[str]] = {}
    for key, identity in wanted:
        by_bank.setdefault(key, set()).add(identity)
    found: dict[tuple[str, str], QuestionVersion] = {}
    for key, names in by_bank.items():
        names = sorted(names)
        for start in range(0, len(names), 500):
            query = (select(QuestionVersion, Bank.key).join(QuestionVersion.question).join(Question.bank)
                     .options(contains_eager(QuestionVersion.question))
                     .where(Bank.key == key, Question.identity.in_(names[start:start + 500]),
                            QuestionVersion.is_current.is_(True)))
            for version, bank_key in db.session.execute(query).unique():
                found[bank_key, version.question.identity] = version
    return found
