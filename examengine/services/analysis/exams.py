"""The item analysis of an exam, or of a set of exams that share questions (Moodle's quiz statistics, plus
what it leaves out): which attempts count, the mark matrix read in two Core statements, the figures from
`core.statistics`, and a cache that a new mark, regrade, appeal or submission invalidates.

A set of exams is analysed as one shuffled exam: its items are question versions, its rows the attempts
counted of every exam in it (the attempt choice applies per exam and examinee), and each row's total is
that attempt's own total, so an item's rest of the test is the rest of the paper it was answered on. The
test-level figures (mean, SD, alpha ...) are computed over the pooled attempts only when every exam of
the set has the same paper spec (the same sections and rules: the same test, given more than once);
otherwise totals of different tests would be mixed, so the report gives the count, mean and SD per exam
and no alpha (`test_scope` "per_exam").

Attempts counted: the finalized attempts, per examinee the first / last / best one, or all of them.
A hand-graded answer counts once graded. By default only attempts with every answer graded are counted
(their number waiting is reported); `include_waiting` also counts the others, leaving each waiting answer
out of its own question's figures (test-level figures always use the fully graded attempts).
"""
from __future__ import annotations

import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Float, String, case, cast, func, select

from ...core import qtypes
from ...core import statistics as st
from ...core.statistics.options import OptionRow
from ...extensions import db
from ...models import Attempt, AttemptSlot, Exam, GradingMark, QuestionVersion, ScoreChange
from ..banks.pool import paper_spec

ATTEMPT_CHOICES = ("last", "first", "best", "all")
CHOICE_TYPES = ("single", "multiple", "truefalse")
CACHE_SIZE = 32


@dataclass
class VersionFigures:
    version_id: int
    title: str
    qtype: str
    figures: st.SlotFigures


@dataclass
class QuestionAnalysis:
    first_position: int  # the earliest paper position it took (0-based): the order of the report
    qtype: str  # of the version(s) at this position ("mixed" when a pool mixes types)
    title: str
    max_points: float
    figures: st.SlotFigures
    versions: list[VersionFigures]
    options: list[OptionRow] = field(default_factory=list)
    wrong_answers: list[tuple[int, str, int]] = field(default_factory=list)
    rubric: list[tuple[str, float | None]] = field(default_factory=list)  # (rubric line, hit rate)

    number: int = 0  # its row in the report, from 1 (the paper position + 1 when questions are not shuffled)

    @property
    def version_id(self) -> int | None:
        return self.versions[0].version_id if len(self.versions) == 1 else None

    @property
    def flags(self) -> list[str]:
        return [*self.figures.flags, *sorted({flag for option in self.options for flag in option.flags})]


@dataclass
class ExamTest:
    """One exam's own test-level figures, in a set whose exams have different papers."""
    exam_id: int
    title: str
    test: st.TestFigures


@dataclass
class ExamAnalysis:
    exam_id: int | None  # the exam analysed; None for a set of exams (see `exam_ids`)
    attempts_choice: str
    include_waiting: bool
    waiting: int  # finalized attempts (of those chosen) with an answer still waiting for a reviewer
    counted: int  # attempts in the per-question figures (the test-level ones count fully graded attempts)
    test: st.TestFigures
    questions: list[QuestionAnalysis]
    by_position: bool  # items are paper positions (questions not shuffled), else question versions
    exam_ids: list[int] = field(default_factory=list)
    test_scope: str = "pooled"  # "pooled": `test` is over all attempts; "per_exam": see `per_exam`
    per_exam: list[ExamTest] = field(default_factory=list)  # with test_scope "per_exam"

    @property
    def is_set(self) -> bool:
        return len(self.exam_ids) > 1


# --- which exams and attempts ---

@dataclass(frozen=True)
class ExamChoice:
    exam_id: int
    title: str
    opens_at: object
    attempts: int  # finalized


def exam_choices() -> list[ExamChoice]:
    """Every exam with its number of finalized attempts, newest first: what a set can be made of (one query)."""
    finalized = (select(Attempt.exam_id, func.count(Attempt.id).label("attempts"))
                 .where(Attempt.state != "in_progress").group_by(Attempt.exam_id).subquery())
    rows = db.session.execute(
        select(Exam.id, Exam.title, Exam.opens_at, func.coalesce(finalized.c.attempts, 0))
        .outerjoin(finalized, finalized.c.exam_id == Exam.id).order_by(Exam.opens_at.desc(), Exam.id.desc()))
    return [ExamChoice(*row) for row in rows]


def exams_by_id(exam_ids) -> list[Exam]:
    """The exams of `exam_ids` that exist (the caller reports the others)."""
    ids = sorted({int(i) for i in exam_ids})
    return list(db.session.scalars(select(Exam).where(Exam.id.in_(ids)))) if ids else []


def _chosen_attempts(exam_ids: list[int], choice: str) -> dict[int, int]:
    """The attempts counted, as attempt id -> exam id: per exam and examinee the chosen one(s)."""
    rows = db.session.execute(
        select(Attempt.id, Attempt.exam_id, Attempt.user_id, Attempt.number, Attempt.score)
        .where(Attempt.exam_id.in_(exam_ids), Attempt.state != "in_progress")
        .order_by(Attempt.exam_id, Attempt.user_id, Attempt.number)).all()
    if choice == "all":
        return {row.id: row.exam_id for row in rows}
    per_user: dict[tuple[int, int], list] = defaultdict(list)
    for row in rows:
        per_user[row.exam_id, row.user_id].append(row)
    pick = {"first": lambda rs: rs[0], "last": lambda rs: rs[-1],
            # best: the highest score so far (an open total counts as 0), the earlier attempt on a tie
            "best": lambda rs: max(rs, key=lambda r: (float(r.score or 0), -r.number))}[choice]
    chosen = (pick(attempts) for attempts in per_user.values())
    return {row.id: row.exam_id for row in sorted(chosen, key=lambda r: r.id)}


# --- the mark matrix ---

@dataclass
class _Matrix:
    """Marks of the attempts counted, one column per item. Items are the paper positions when every
    paper puts its questions in one order (questions not shuffled); otherwise the question versions
    (a shuffled position holds a different question on each paper, so it measures nothing)."""
    attempt_ids: list[int]
    by_position: bool
    keys: list[int]  # per column: the position, or the version id
    marks: np.ndarray  # attempts × items, NaN where waiting for a reviewer or not on this paper
    present: np.ndarray  # True where the item is on the attempt's paper
    maxima: np.ndarray
    versions: np.ndarray  # version id per cell (0 where not on the paper)
    slot_ids: np.ndarray
    positions: np.ndarray  # paper position per cell (-1 where not on the paper)


def raw_rows(statement) -> list[tuple]:
    """All rows of a Core statement as plain tuples, straight from the DB-API cursor: hundreds of
    thousands of slot rows would otherwise cost seconds of per-row result processing. The statement
    must bind only integers (compiled as literals)."""
    connection = db.session.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _slot_rows(exam_ids: list[int]) -> list[tuple]:
    """Every slot of the exams' finalized attempts in one statement: (attempt, position, version, points,
    score, waiting 0/1, slot id, response as text for choice and fill-in questions, else NULL)."""
    objective = QuestionVersion.qtype.in_([*CHOICE_TYPES, "fill"])
    return raw_rows(
        select(AttemptSlot.attempt_id, AttemptSlot.position, AttemptSlot.question_version_id,
               cast(AttemptSlot.points, Float), cast(AttemptSlot.score, Float),
               case((AttemptSlot.needs_grading.is_(True), 1), else_=0), AttemptSlot.id,
               case((objective, cast(AttemptSlot.response, String)), else_=None))
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .where(Attempt.exam_id.in_(exam_ids), Attempt.state != "in_progress"))


def _matrix(by_position: bool, attempt_ids: list[int], rows: list[tuple]) -> _Matrix:
    data = np.array([row[:7] for row in rows], dtype=float).reshape(-1, 7)  # NULL scores: NaN
    wanted = np.array(sorted(attempt_ids), dtype=np.int64)
    attempt_col = data[:, 0].astype(np.int64)
    keep = np.isin(attempt_col, wanted)
    data, attempt_col = data[keep], attempt_col[keep]
    key_col = data[:, 1 if by_position else 2].astype(np.int64)
    keys = np.unique(key_col)
    i = np.searchsorted(wanted, attempt_col)
    j = np.searchsorted(keys, key_col)
    shape = (len(wanted), len(keys))
    matrix = _Matrix([int(a) for a in wanted], by_position, [int(k) for k in keys], np.full(shape, np.nan),
                     np.zeros(shape, dtype=bool), np.zeros(shape), np.zeros(shape, dtype=np.int64),
                     np.zeros(shape, dtype=np.int64), np.full(shape, -1, dtype=np.int64))
    matrix.present[i, j] = True
    matrix.maxima[i, j] = np.nan_to_num(data[:, 3])
    matrix.versions[i, j] = data[:, 2].astype(np.int64)
    matrix.slot_ids[i, j] = data[:, 6].astype(np.int64)
    matrix.positions[i, j] = data[:, 1].astype(np.int64)
    graded = data[:, 5] == 0
    matrix.marks[i[graded], j[graded]] = data[graded, 4]  # NaN stays where the score is NULL
    return matrix


# --- the analysis ---

_cache: dict[tuple, ExamAnalysis] = {}
_cache_lock = threading.Lock()


def score_stamp(exam_ids: list[int] | None = None) -> tuple:
    """Changes whenever a counted figure of these exams (None: of any exam) can: every score change
    (submission, mark, regrade, appeal) is in the audit log, and a new or deleted attempt changes the count."""
    changes = select(func.max(ScoreChange.id), func.count(ScoreChange.id))
    attempts = (select(func.count(Attempt.id), func.max(Attempt.id), func.max(Attempt.submitted_at))
                .where(Attempt.state != "in_progress"))
    if exam_ids is not None:
        changes = (changes.join(Attempt, Attempt.id == ScoreChange.attempt_id)
                   .where(Attempt.exam_id.in_(exam_ids)))
        attempts = attempts.where(Attempt.exam_id.in_(exam_ids))
    return (*db.session.execute(changes).one(), *db.session.execute(attempts).one())


def exam_analysis(exam: Exam, *, attempts: str = "last", include_waiting: bool = False) -> ExamAnalysis:
    """The analysis of `exam` (cached per process until its marks change; the stamp is read each time,
    so a figure is never stale, whichever server computed it)."""
    return exams_analysis([exam], attempts=attempts, include_waiting=include_waiting)


def exams_analysis(exams: list[Exam], *, attempts: str = "last", include_waiting: bool = False) -> ExamAnalysis:
    """The analysis of a set of exams that share questions, as one exam whose items are question versions
    (see the module's docstring); a set of one exam is that exam's analysis. Cached like `exam_analysis`."""
    if attempts not in ATTEMPT_CHOICES:
        raise ValueError(f"attempts must be one of {ATTEMPT_CHOICES}")
    exams = list({exam.id: exam for exam in exams}.values())
    if not exams:
        raise ValueError("at least one exam is needed")
    exam_ids = sorted(exam.id for exam in exams)
    key = (tuple(exam_ids), attempts, include_waiting, score_stamp(exam_ids))
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    analysis = _compute(exams, attempts, include_waiting)
    with _cache_lock:
        if len(_cache) >= CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = analysis
    return analysis


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _same_paper(exams: list[Exam]) -> bool:
    """Whether the exams set the same test: the same rules in the same sections (titles and shuffling
    aside: they change neither which questions can be drawn nor their points)."""
    return len({tuple(section.rules for section in paper_spec(exam).sections) for exam in exams}) == 1


def _compute(exams: list[Exam], choice: str, include_waiting: bool) -> ExamAnalysis:
    exam_ids = sorted(exam.id for exam in exams)
    single = len(exams) == 1
    rows = _slot_rows(exam_ids)
    chosen = _chosen_attempts(exam_ids, choice)
    matrix = _matrix(single and not exams[0].shuffle_questions, list(chosen), rows)
    graded_rows = ~(matrix.present & np.isnan(matrix.marks)).any(axis=1)
    waiting = int((~graded_rows).sum())
    counted = np.arange(len(matrix.attempt_ids)) if include_waiting else np.flatnonzero(graded_rows)
    totals = np.nansum(matrix.marks, axis=1)
    pooled_test = single or _same_paper(exams)
    if pooled_test:
        test, complete, same_items = _pooled_test(matrix, graded_rows, totals)
        per_exam = []
    else:
        complete, same_items = np.zeros((0, 0)), False
        per_exam = _per_exam_tests(exams, matrix, chosen, graded_rows, totals)
        test = _per_exam_only(int(graded_rows.sum()))
    lower, upper = st.group_rows(totals[counted])
    groups = (counted[lower], counted[upper])
    denominator = st.weight_denominator(complete) if same_items else None
    versions = _versions({int(v) for v in np.unique(matrix.versions) if v})
    answers = _answers(exam_ids, matrix, rows, versions)
    questions = [_question(matrix, column, counted, groups, denominator, versions, totals, answers)
                 for column in range(len(matrix.keys))]
    questions.sort(key=lambda q: (q.first_position, q.versions[0].version_id if q.versions else 0))
    for number, question in enumerate(questions, start=1):
        question.number = number
    return ExamAnalysis(exam_ids[0] if single else None, choice, include_waiting, waiting, len(counted), test,
                        questions, matrix.by_position, exam_ids=exam_ids,
                        test_scope="pooled" if pooled_test else "per_exam", per_exam=per_exam)


def _pooled_test(matrix: _Matrix, graded_rows: np.ndarray, totals: np.ndarray):
    """The test figures over the fully graded rows, their complete mark rows, and whether every paper
    holds every item (what alpha and the effective weights need: no pools)."""
    row_maxima = matrix.maxima.sum(axis=1)
    max_points = float(np.median(row_maxima[graded_rows])) if graded_rows.any() else 0.0
    complete = matrix.marks[graded_rows][:, matrix.present[graded_rows].all(axis=0)] \
        if graded_rows.any() else np.zeros((0, 0))
    same_items = bool(graded_rows.any() and matrix.present[graded_rows].all())
    test = st.test_figures(totals[graded_rows], complete if same_items else np.zeros((0, 0)), max_points)
    if graded_rows.any() and not same_items:
        test.flags.append("different_papers")  # pools: papers hold different questions, alpha is undefined
    return test, complete, same_items


def _per_exam_tests(exams: list[Exam], matrix: _Matrix, chosen: dict[int, int], graded_rows: np.ndarray,
                    totals: np.ndarray) -> list[ExamTest]:
    """Each exam's own count, mean and SD over its fully graded rows (no alpha: see the module's docstring)."""
    exam_of_row = np.array([chosen[attempt_id] for attempt_id in matrix.attempt_ids], dtype=np.int64)
    row_maxima = matrix.maxima.sum(axis=1)
    tests = []
    for exam in sorted(exams, key=lambda e: e.id):
        rows = graded_rows & (exam_of_row == exam.id)
        max_points = float(np.median(row_maxima[rows])) if rows.any() else 0.0
        tests.append(ExamTest(exam.id, exam.title, st.test_figures(totals[rows], np.zeros((0, 0)), max_points)))
    return tests


def _per_exam_only(attempts: int) -> st.TestFigures:
    """The pooled test figures of a set of different tests: only the count is meaningful."""
    return st.TestFigures(attempts=attempts, max_points=0.0, mean_points=None, median_points=None, sd_points=None,
                          skewness=None, kurtosis=None, alpha=None, error_ratio=None, sem_points=None,
                          histogram=[0] * st.items.HISTOGRAM_BUCKETS, flags=["per_exam_only"])


def _versions(ids: set[int]) -> dict[int, QuestionVersion]:
    if not ids:
        return {}
    return {version.id: version for version in db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.id.in_(sorted(ids))))}


def _question(matrix: _Matrix, column: int, counted: np.ndarray, groups, denominator, versions, totals,
              answers: _Answers) -> QuestionAnalysis:
    figures = st.slot_figures(matrix.marks, matrix.maxima, column, rows=counted, groups=groups,
                              weight_denominator=denominator)
    column_versions = matrix.versions[counted, column]
    per_version = []
    version_ids = sorted({int(v) for v in column_versions if v})
    for version_id in version_ids:
        version = versions[version_id]
        own = figures if len(version_ids) == 1 else st.slot_figures(
            matrix.marks, matrix.maxima, column, rows=counted[column_versions == version_id], groups=groups)
        per_version.append(VersionFigures(version_id, version.title, version.qtype, own))
    kinds = {v.qtype for v in per_version}
    on_papers = matrix.positions[counted, column]
    on_papers = on_papers[on_papers >= 0]
    analysis = QuestionAnalysis(
        first_position=int(on_papers.min()) if len(on_papers) else 0, qtype=kinds.pop() if len(kinds) == 1 else "mixed",
        title=" / ".join(v.title for v in per_version[:3]) + (" …" if len(per_version) > 3 else ""),
        max_points=float(np.median(matrix.maxima[counted, column])) if len(counted) else 0.0,
        figures=figures, versions=per_version)
    # the counted rows' slots of this item: (slot id, row, version id)
    here = counted[matrix.present[counted, column]]
    if analysis.qtype in CHOICE_TYPES:
        analysis.options = _distractors(matrix, column, here, versions, answers, groups, totals)
        return analysis
    slots = [(int(slot_id), int(row), int(version_id)) for slot_id, row, version_id in
             zip(matrix.slot_ids[here, column], here, matrix.versions[here, column])]
    if analysis.qtype == "fill":
        analysis.wrong_answers = _wrong_answers(slots, versions, answers.fill)
    elif per_version and analysis.qtype != "mixed" and not qtypes.get(analysis.qtype).auto_graded:
        analysis.rubric = _rubric(slots, versions[per_version[0].version_id], answers.rubric_items)
    return analysis


@dataclass
class _Answers:
    """What was answered beyond the marks, read in two statements for the whole exam (or set): per cell of the
    matrix the option a choice answer picked (`codes`: the author's index, true/false 0 = true and
    1 = false, -1 none, -2 several: see `several`), fill-in answers by slot, and each marked answer's
    rubric lines (its latest mark: the deciding one under double marking)."""
    codes: np.ndarray
    several: dict[int, list[int]]  # slot id -> indexes chosen (multiple choice)
    fill: dict[int, list]  # slot id -> the blanks' texts
    rubric_items: dict[int, list]


NO_ANSWER, SEVERAL = -1, -2


def _answers(exam_ids: list[int], matrix: _Matrix, rows: list[tuple],
             versions: dict[int, QuestionVersion]) -> _Answers:
    finalized = Attempt.exam_id.in_(exam_ids) & (Attempt.state != "in_progress")
    qtype_of = {version_id: version.qtype for version_id, version in versions.items()}
    codes = np.full(matrix.slot_ids.shape, NO_ANSWER, dtype=np.int64)
    several: dict[int, list[int]] = {}
    fill: dict[int, list] = {}
    slot_ids, values = [], []
    for row in rows:
        slot_id, raw = row[6], row[7]
        qtype = qtype_of.get(row[2])
        if qtype not in CHOICE_TYPES and qtype != "fill":
            continue
        if qtype == "fill":
            parsed = _parse_response(raw)
            if isinstance(parsed, list):
                fill[slot_id] = parsed
            continue
        code = _choice_code(qtype, raw)
        if code == SEVERAL:
            several[slot_id] = [v for v in _parse_response(raw) if isinstance(v, int) and not isinstance(v, bool)]
        slot_ids.append(slot_id)
        values.append(code)
    _place(codes, matrix.slot_ids, np.array(slot_ids, dtype=np.int64), np.array(values, dtype=np.int64))
    rubric_items: dict[int, list] = {}
    for slot_id, items in db.session.connection().execute(
            select(GradingMark.slot_id, GradingMark.rubric_items)
            .join(AttemptSlot, AttemptSlot.id == GradingMark.slot_id)
            .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
            .where(finalized).order_by(GradingMark.id)):
        rubric_items[slot_id] = items or []
    return _Answers(codes, several, fill, rubric_items)


def _place(target: np.ndarray, cell_slots: np.ndarray, slot_ids: np.ndarray, values: np.ndarray) -> None:
    """target[cell of slot] = value, for the slots that are cells of the matrix (vectorised lookup)."""
    flat = cell_slots.ravel()
    order = np.argsort(flat, kind="stable")
    found = np.searchsorted(flat[order], slot_ids)
    found = np.clip(found, 0, max(0, len(flat) - 1))
    hit = (flat[order][found] == slot_ids) if len(flat) else np.zeros(len(slot_ids), dtype=bool)
    target.ravel()[order[found[hit]]] = values[hit]


def _choice_code(qtype: str, raw: str | None) -> int:
    """A stored choice response as one integer (see `_Answers.codes`), without the JSON parser."""
    if raw is None:
        return NO_ANSWER
    raw = raw.strip()
    if qtype == "truefalse":
        return 0 if raw == "true" else 1 if raw == "false" else NO_ANSWER
    if raw.isdigit():
        return int(raw)
    return SEVERAL if raw.startswith("[") else NO_ANSWER


def _parse_response(raw):
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _option_texts(version: QuestionVersion) -> list[str]:
    if version.qtype == "truefalse":
        return ["true", "false"]
    return [option["md"].strip() for option in version.payload["options"]]


def _distractors(matrix: _Matrix, column: int, here: np.ndarray, versions, answers: _Answers, groups,
                 totals) -> list[OptionRow]:
    """Who chose which option, as boolean rows × option-text matrices (versions may word and order
    their options differently; the text is what is compared), filled per version with numpy."""
    version_ids = matrix.versions[here, column]
    codes = answers.codes[here, column]
    texts: dict[str, int] = {}
    columns_of, correct = {}, set()
    for version_id in np.unique(version_ids).tolist():
        version = versions[version_id]
        names = _option_texts(version)
        columns_of[version_id] = np.array([texts.setdefault(name, len(texts)) for name in names], dtype=int)
        correct |= {names[k] for k in st.choice_sets(version.qtype, version.payload, None)[1]}
    chosen = np.zeros((len(here), len(texts)), dtype=bool)
    offered = np.zeros_like(chosen)
    for version_id, columns in columns_of.items():
        rows = np.flatnonzero(version_ids == version_id)
        offered[np.ix_(rows, columns)] = True
        single = rows[(codes[rows] >= 0) & (codes[rows] < len(columns))]
        chosen[single, columns[codes[single]]] = True
        for row in rows[codes[rows] == SEVERAL].tolist():
            picked = [v for v in answers.several.get(int(matrix.slot_ids[here[row], column]), [])
                      if 0 <= v < len(columns)]
            chosen[row, columns[picked]] = True
    index_of = np.full(len(totals), -1, dtype=int)
    index_of[here] = np.arange(len(here))
    lower, upper = (index_of[group][index_of[group] >= 0] for group in groups)
    return st.distractor_table(list(texts), correct, chosen, offered, totals[here], lower, upper)


def _wrong_answers(slots, versions, responses) -> list[tuple[int, str, int]]:
    fill = qtypes.get("fill")
    wrong = []
    for slot_id, _row, version_id in slots:
        version = versions[version_id]
        response = responses.get(slot_id)
        if not isinstance(response, list):
            continue
        right = fill.grade(version.payload, response, 1.0).detail.get("blanks", [])
        wrong += [(blank + 1, given.strip()) for blank, (given, ok) in enumerate(zip(response, right))
                  if not ok and isinstance(given, str) and given.strip()]
    return st.frequent_wrong_answers(wrong)


def _rubric(slots, version: QuestionVersion, rubric_items) -> list[tuple[str, float | None]]:
    """Per rubric line of `version`, the share of its marked answers credited with that line."""
    items = (version.payload or {}).get("rubric", [])
    credited = [rubric_items[slot_id] for slot_id, _row, version_id in slots
                if version_id == version.id and slot_id in rubric_items]
    return list(zip((item.get("text", "") for item in items), st.rubric_hit_rates(credited, len(items))))
