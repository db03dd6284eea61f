"""An exam's scoring settings: dimension weights, grade bands and the appeal window.

Weights: one number per dimension the exam can put on a paper (0..100, summing to exactly 100), or
none at all (the plain sum of points). A dimension left without a number while others have one is
refused, so no dimension silently counts 0: give it 0 to leave it out on purpose.
Bands: labels with thresholds, strictly descending within 0..100, the lowest at 0. Bands equal to
the defaults (as shown in the admin's language) are stored as "use the defaults" (None), so their
labels keep following each viewer's language.
Everything is checked before anything is stored, and saved in one commit. These settings are read
when results are shown, so they can change after attempts exist (the results are re-evaluated).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from ...core import results as core
from ...core.papers import FixedRule
from ...core.text import unstorable
from ...extensions import db
from ...models import Attempt, AttemptSlot, Exam, QuestionVersion
from ..banks.pool import candidate_pool, paper_spec
from ..messages import unstorable_message
from .admin import ExamError, ensure_editable

APPEAL_DAYS_MAX = 365
DEFAULT_LABELS = {"Excellent": _l("Excellent"), "Good": _l("Good"), "Pass": _l("Pass"), "Fail": _l("Fail")}


def band_label(bands: tuple[core.Band, ...], index: int | None) -> str:
    """A band's label for display: the default bands in the viewer's language, others as typed."""
    if index is None or not 0 <= index < len(bands):
        return ""
    label = bands[index].label
    return str(DEFAULT_LABELS[label]) if bands is core.DEFAULT_BANDS and label in DEFAULT_LABELS else label


def band_labels(bands: tuple[core.Band, ...]) -> list[str]:
    return [band_label(bands, index) for index in range(len(bands))]


def dimension_label(name: str) -> str:
    return name or _("(no dimension)")


def exam_dimensions(exam: Exam) -> list[str]:
    """The dimensions the exam's rules can draw from the current pool, plus those on papers already
    drawn for it; sorted."""
    pool = candidate_pool()
    found: set[str] = set()
    for section in paper_spec(exam).sections:
        for rule in section.rules:
            if isinstance(rule, FixedRule):
                keys = set(rule.question_keys)
                found.update(c.dimension for c in pool if c.question_key in keys)
            else:
                found.update(c.dimension for c in pool if rule.matches(c))
    found.update(db.session.scalars(
        select(QuestionVersion.dimension)
        .join(AttemptSlot, AttemptSlot.question_version_id == QuestionVersion.id)
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id).where(Attempt.exam_id == exam.id).distinct()))
    return sorted(d or "" for d in found)


@dataclass
class ScoringInput:
    weights: dict[str, float | None]  # dimension -> percent, None when left empty
    bands: list[tuple[str, float | None]]  # (label, threshold) rows, empty rows already dropped
    appeal_days: int | None


def scoring_errors(data: ScoringInput, dimensions: list[str]) -> dict[str, list[str]]:
    """Field -> messages: "weights", "weight:<dimension>", "bands", "band:<row>", "appeal_days"."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name, code in core.weight_problems(data.weights, dimensions):
        label = dimension_label(name)
        if code == "unknown":
            add("weights", _("The exam's dimensions have changed since the page was opened; check the weights again."))
        elif code == "missing":
            add(f"weight:{name}", _("Give %(dimension)s a weight too (0 leaves it out), or leave every weight empty.",
                                    dimension=label))
        elif code == "range":
            add(f"weight:{name}", _("The weight of %(dimension)s must be between 0 and 100.", dimension=label))
        else:
            total = math.fsum(v for v in data.weights.values() if v is not None)
            add("weights", _("The weights must add up to exactly 100; now they add up to %(total)s.",
                             total=f"{total:g}"))
    for index, (label, _threshold) in enumerate(data.bands):
        kind = unstorable(label)
        if kind:
            add(f"band:{index}", unstorable_message(kind))
    if any(threshold is None for _label, threshold in data.bands):
        for index, (_label, threshold) in enumerate(data.bands):
            if threshold is None:
                add(f"band:{index}", _("Band %(number)s needs a threshold.", number=index + 1))
    else:
        bands = [core.Band(label, float(threshold)) for label, threshold in data.bands]
        messages = {
            "none": _("Give at least one band."),
            "too_many": _("Give at most %(count)s bands.", count=core.MAX_BANDS),
            "label": _("Band %(number)s needs a label of at most %(max)s characters."),
            "duplicate": _("Band %(number)s has the same label as a band above it."),
            "range": _("The threshold of band %(number)s must be between 0 and 100."),
            "order": _("The threshold of band %(number)s must be lower than the band above it."),
            "floor": _("The lowest band must start at 0 so that every score gets a band."),
        }
        for index, code in core.band_problems(bands):
            message = messages[code]
            if "%(number)s" in message:
                message = message % {"number": index + 1, "max": core.BAND_LABEL_MAX}
            add(f"band:{index}" if index >= 0 else "bands", message)
    days = data.appeal_days
    if days is None or isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= APPEAL_DAYS_MAX:
        add("appeal_days", _("The appeal window must be a whole number of days between 0 and %(max)s.",
                             max=APPEAL_DAYS_MAX))
    return errors


def save_scoring(exam: Exam, data: ScoringInput, dimensions: list[str] | None = None) -> None:
    """Validate and store; ExamError (nothing stored) when refused."""
    ensure_editable(exam)
    dimensions = exam_dimensions(exam) if dimensions is None else dimensions
    errors = scoring_errors(data, dimensions)
    if errors:
        raise ExamError(errors)
    weights = {name: float(value) for name, value in data.weights.items() if value is not None}
    bands = [[label.strip(), float(threshold)] for label, threshold in data.bands]
    defaults = [[label, band.min_percent] for label, band in zip(band_labels(core.DEFAULT_BANDS),
                                                                  core.DEFAULT_BANDS, strict=True)]
    try:
        exam.dimension_weights = weights
        exam.grade_bands = None if bands == defaults else bands
        exam.appeal_days = data.appeal_days
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def reset_bands(exam: Exam) -> None:
    ensure_editable(exam)
    exam.grade_bands = None
    db.session.commit()


def scoring_of(exam: Exam) -> tuple[dict[str, float], tuple[core.Band, ...]]:
    return core.weights_of(exam.dimension_weights), core.bands_of(exam.grade_bands)


def _pending():
    return or_(AttemptSlot.needs_grading.is_(True), AttemptSlot.score.is_(None))


def dimension_sums(attempt_filter) -> dict[int, list[core.DimensionScore]]:
    """attempt id -> its DimensionScores (by dimension name), for the finalized attempts matching
    `attempt_filter`: one GROUP BY (attempt, dimension) over their slots, run as a Core statement
    (no ORM row processing: 60,000 rows for a 20,000-attempt exam)."""
    pending = _pending()
    rows = db.session.connection().execute(
        # Grouped by attempts.id (not attempt_slots.attempt_id): SQLite then walks the attempts in id
        # order through the exam index and needs no temporary B-tree for the attempt part.
        select(Attempt.id, QuestionVersion.dimension, func.sum(AttemptSlot.points),
               func.sum(AttemptSlot.score).filter(~pending), func.count().filter(pending))
        .select_from(Attempt)
        .join(AttemptSlot, AttemptSlot.attempt_id == Attempt.id)
        .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .where(attempt_filter, Attempt.state != "in_progress")
        .group_by(Attempt.id, QuestionVersion.dimension)
    ).all()
    sums: dict[int, list[core.DimensionScore]] = {}
    unsorted: set[int] = set()
    score = core.DimensionScore
    for attempt_id, dimension, maximum, earned, waiting in rows:
        entry = score(dimension or "", float(earned or 0), float(maximum or 0), int(waiting or 0))
        entries = sums.get(attempt_id)
        if entries is None:
            sums[attempt_id] = [entry]
        else:
            if entry.dimension < entries[-1].dimension:
                unsorted.add(attempt_id)
            entries.append(entry)
    for attempt_id in unsorted:
        sums[attempt_id].sort(key=lambda d: d.dimension)
    return sums


def official_score(attempt: Attempt) -> tuple[float | None, float | None, float | None, bool | None]:
    """(score, max, percent, passed) of one finalized attempt as the results pages count it: weighted
    by dimension when the exam has weights, else the plain sum. The review page and the employee's
    home use this, so every page shows the same figure."""
    exam = attempt.exam
    weights, bands = scoring_of(exam)
    if not weights:
        score, maximum = attempt.score, attempt.max_score
        percent = None if score is None or not maximum else round(100.0 * float(score) / float(maximum), 2)
        passed = None if percent is None else percent + core.EPSILON >= float(exam.pass_percent)
        return score, maximum, percent, passed
    result = core.compute(dimensions=dimension_sums(Attempt.id == attempt.id).get(attempt.id, []),
                          weights=weights, bands=bands, pass_percent=exam.pass_percent)
    return result.score, result.max_score, result.percent, result.passed
