"""Results of an exam for admins (the employee's own results are in `results_mine`).

One row per examinee: their latest finalized attempt (the one the employee's home and review show;
an examinee whose only attempt is still in progress gets a row with that attempt and no score).
Scores are aggregated in SQL per (attempt, dimension) with one GROUP BY over the exam's slots joined
to their question versions, so the page costs a fixed handful of queries whatever the number of
attempts; totals, weights, bands and pass/fail come from the pure `core.results`.
Weights and bands are read at display time: changing them in the scoring settings re-evaluates
every result (nothing is stored per attempt).
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, union

from ...core import results as core
from ...extensions import db
from ...models import Attempt, Exam, Group, User, exam_groups, exam_users, user_groups
from ..exams.scoring import dimension_sums, scoring_of

SORT_KEYS = ("name", "score", "percent", "band", "started", "time")
HISTOGRAM_BUCKETS = 10


@dataclass
class ResultRow:
    attempt_id: int
    user_id: int
    username: str
    name: str
    number: int
    state: str  # in_progress | submitted | graded
    started_at: datetime
    submitted_at: datetime | None
    seconds_used: int | None
    result: core.Result
    groups: list[str] = field(default_factory=list)
    group_ids: set[int] = field(default_factory=set)

    @property
    def score(self) -> float | None:
        return self.result.score

    @property
    def percent(self) -> float | None:
        return self.result.percent


@dataclass
class ExamResults:
    exam: Exam
    weights: dict[str, float]
    bands: tuple[core.Band, ...]
    rows: list[ResultRow]
    dimensions: list[str]  # every dimension on the examinees' papers, sorted
    not_started: int  # assigned users without any attempt
    groups: list[tuple[int, str]] = field(default_factory=list)  # the examinees' groups, by name


def seconds_used(started_at, submitted_at, deadline, submitted_by) -> int | None:
    if submitted_at is None:
        return None
    end = min(submitted_at, deadline) if submitted_by == "timeout" and deadline else submitted_at
    return max(0, int((end - started_at).total_seconds()))


def _chosen_attempts(exam_id: int) -> list[tuple]:
    """Per user: the latest finalized attempt, else the latest one. Tuples of (id, user_id, number,
    state, started_at, submitted_at, deadline, submitted_by, username, display_name)."""
    rows = db.session.connection().execute(
        select(Attempt.id, Attempt.user_id, Attempt.number, Attempt.state, Attempt.started_at, Attempt.submitted_at,
               Attempt.deadline, Attempt.submitted_by, User.username, User.display_name)
        .join(User, User.id == Attempt.user_id).where(Attempt.exam_id == exam_id)
    ).all()
    chosen: dict[int, tuple] = {}
    for row in rows:
        rank = (row[3] != "in_progress", row[2])
        if row[1] not in chosen or rank > chosen[row[1]][0]:
            chosen[row[1]] = (rank, row)
    return [row for _, row in chosen.values()]


def _groups_of_examinees(exam_id: int) -> dict[int, list[tuple[int, str]]]:
    examinees = select(Attempt.user_id).where(Attempt.exam_id == exam_id)
    groups: dict[int, list[tuple[int, str]]] = {}
    for user_id, group_id, name in db.session.execute(
        select(user_groups.c.user_id, Group.id, Group.name).join(Group, Group.id == user_groups.c.group_id)
        .where(user_groups.c.user_id.in_(examinees)).order_by(Group.name)
    ):
        groups.setdefault(user_id, []).append((group_id, name))
    return groups


def _not_started(exam_id: int) -> int:
    assigned = union(
        select(exam_users.c.user_id.label("user_id")).where(exam_users.c.exam_id == exam_id),
        select(user_groups.c.user_id.label("user_id"))
        .join(exam_groups, exam_groups.c.group_id == user_groups.c.group_id).where(exam_groups.c.exam_id == exam_id),
    ).subquery()
    return db.session.scalar(
        select(func.count()).select_from(assigned).join(User, User.id == assigned.c.user_id)
        .where(User.active.is_(True), assigned.c.user_id.not_in(select(Attempt.user_id).where(Attempt.exam_id == exam_id)))
    ) or 0


@contextmanager
def gc_paused():
    """Build and use tens of thousands of small objects without the cyclic collector walking them
    again and again (none of them forms a cycle): it took a third of the results page's time.
    Reference counting still frees everything; the collector is back on afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def exam_results(exam: Exam) -> ExamResults:
    with gc_paused():
        return _exam_results(exam)


def _exam_results(exam: Exam) -> ExamResults:
    weights, bands = scoring_of(exam)
    sums = dimension_sums(Attempt.exam_id == exam.id)
    groups = _groups_of_examinees(exam.id)
    open_result = core.Result((), None, 0.0, None, None, None, False, 0)
    rows, group_names = [], {}
    for (attempt_id, user_id, number, state, started_at, submitted_at, deadline, submitted_by, username,
         display_name) in _chosen_attempts(exam.id):
        if state == "in_progress":
            result = open_result
        else:
            result = core.compute(dimensions=sums.get(attempt_id, ()), weights=weights, bands=bands,
                                  pass_percent=exam.pass_percent)
        own = groups.get(user_id, ())
        group_names.update(own)
        rows.append(ResultRow(
            attempt_id=attempt_id, user_id=user_id, username=username, name=display_name or username,
            number=number, state=state, started_at=started_at, submitted_at=submitted_at,
            seconds_used=seconds_used(started_at, submitted_at, deadline, submitted_by),
            result=result, groups=[name for _, name in own], group_ids={gid for gid, _ in own}))
    rows.sort(key=_name_key)
    dimensions = sorted({d.dimension for dims in sums.values() for d in dims})
    return ExamResults(exam=exam, weights=weights, bands=bands, rows=rows, dimensions=dimensions,
                       not_started=_not_started(exam.id),
                       groups=sorted(group_names.items(), key=lambda item: (item[1].casefold(), item[0])))


def _name_key(row: ResultRow) -> tuple[str, str]:
    return row.name.casefold(), row.username


def select_rows(rows: list[ResultRow], *, group_id: int | None = None, band: int | None = None,
                sort: str = "name", descending: bool = False) -> list[ResultRow]:
    """Filter by group and band, then sort; rows without the sort value (open scores) come last."""
    chosen = [r for r in rows if (group_id is None or group_id in r.group_ids)
              and (band is None or r.result.band == band)]
    if sort not in SORT_KEYS:
        sort = "name"
    if sort == "name":
        return sorted(chosen, key=_name_key, reverse=descending)
    value = {
        "score": lambda r: r.result.score, "percent": lambda r: r.result.percent,
        "band": lambda r: None if r.result.band is None else -r.result.band,
        "started": lambda r: r.started_at, "time": lambda r: r.seconds_used,
    }[sort]
    known = sorted((r for r in chosen if value(r) is not None), key=lambda r: (value(r), r.name.casefold()),
                   reverse=descending)
    return known + [r for r in chosen if value(r) is None]


@dataclass
class Summary:
    examinees: int
    graded: int
    pending: int
    in_progress: int
    mean_percent: float | None
    passed: int
    pass_rate: float | None


def summary(rows: list[ResultRow]) -> Summary:
    final = [r for r in rows if r.result.percent is not None]
    passed = sum(1 for r in final if r.result.passed)
    return Summary(
        examinees=len(rows), graded=len(final),
        pending=sum(1 for r in rows if r.state != "in_progress" and r.result.percent is None),
        in_progress=sum(1 for r in rows if r.state == "in_progress"),
        mean_percent=core.mean(r.result.percent for r in final), passed=passed,
        pass_rate=round(100.0 * passed / len(final), 1) if final else None)


def histogram(rows: list[ResultRow]) -> list[int]:
    return core.histogram((r.result.percent for r in rows), HISTOGRAM_BUCKETS)


def dimension_averages(rows: list[ResultRow], dimensions: list[str]) -> list[tuple[str, float | None, int]]:
    """(dimension, mean percent over the rows where it is graded, how many such rows)."""
    totals = {name: [0.0, 0] for name in dimensions}
    for row in rows:
        for d in row.result.dimensions:
            share = d.share
            if share is not None and d.dimension in totals:
                entry = totals[d.dimension]
                entry[0] += share
                entry[1] += 1
    return [(name, round(100.0 * total / count, 2) if count else None, count)
            for name, (total, count) in totals.items()]


