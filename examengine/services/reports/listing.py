"""What the bank's admins read: a question's reports and the list of all reports (open first,
filterable, paginated). The statistics shown beside them are the pooled item analysis of each version
(`services.analysis.version_statistics`), which the web layer reads: analysis sits above this layer.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import Attempt, AttemptSlot, Bank, Exam, Question, QuestionReport, QuestionVersion, User

PER_PAGE = 50
LIST_STATES = ("open", "resolved")  # the list's filter; no filter lists both, open first


@dataclass
class ReportRow:
    report: QuestionReport
    question_id: int
    question_title: str
    version_number: int
    bank_label: str
    examinee: str
    exam_title: str
    position: int
    resolved_by: str | None


@dataclass
class ReportFilters:
    state: str | None = None  # one of LIST_STATES, or None for both

    @classmethod
    def from_text(cls, state: str | None) -> ReportFilters:
        return cls(state=state if state in LIST_STATES else None)


@dataclass
class ReportPage:
    items: list[ReportRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int]  # state -> number of reports, whatever the filter


def _open_first():
    return case((QuestionReport.state == "open", 0), else_=1)


def _rows(*conditions, limit: int | None = None, offset: int = 0) -> list[ReportRow]:
    reporter, resolver = aliased(User), aliased(User)
    query = (
        select(QuestionReport, QuestionVersion.title, QuestionVersion.number, Bank.title, Bank.key,
               reporter.display_name, reporter.username, Exam.title, AttemptSlot.position,
               resolver.display_name, resolver.username)
        .join(QuestionVersion, QuestionVersion.id == QuestionReport.version_id)
        .join(Question, Question.id == QuestionReport.question_id)
        .join(Bank, Bank.id == Question.bank_id)
        .join(reporter, reporter.id == QuestionReport.user_id)
        .join(Attempt, Attempt.id == QuestionReport.attempt_id)
        .join(Exam, Exam.id == Attempt.exam_id)
        .join(AttemptSlot, AttemptSlot.id == QuestionReport.slot_id)
        .outerjoin(resolver, resolver.id == QuestionReport.resolved_by_id)
        .where(*conditions)
        .order_by(_open_first(), QuestionReport.created_at.desc(), QuestionReport.id.desc())
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [
        ReportRow(report=report, question_id=report.question_id, question_title=title, version_number=number,
                  bank_label=bank_title or bank_key, examinee=name or username, exam_title=exam_title,
                  position=position, resolved_by=(r_name or r_username) if r_username else None)
        for (report, title, number, bank_title, bank_key, name, username, exam_title, position, r_name,
             r_username) in db.session.execute(query)
    ]


def reports_for_question(question_id: int) -> list[ReportRow]:
    """Every report of any version of the question, open first, newest first."""
    return _rows(QuestionReport.question_id == question_id)


def state_counts() -> dict[str, int]:
    counts = dict(db.session.execute(select(QuestionReport.state, func.count()).group_by(QuestionReport.state)).all())
    return {state: int(counts.get(state, 0)) for state in LIST_STATES}


def open_reports(page: int = 1, filters: ReportFilters | None = None, *, per_page: int | None = None) -> ReportPage:
    """One page of reports: open first (newest first within), filtered by state when asked."""
    filters = filters or ReportFilters()
    per_page = per_page or PER_PAGE
    conditions = [QuestionReport.state == filters.state] if filters.state else []
    counts = state_counts()
    total = counts[filters.state] if filters.state else sum(counts.values())
    pages = max(1, -(-total // per_page))
    page = min(max(1, int(page or 1)), pages)
    items = _rows(*conditions, limit=per_page, offset=(page - 1) * per_page)
    return ReportPage(items=items, total=total, page=page, pages=pages, counts=counts)
