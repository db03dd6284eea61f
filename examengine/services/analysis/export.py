"""The item analysis as data: JSON for other systems (fractions 0..1, points where named so), and the
whole analysis as CSV (the question table) or XLSX (test, questions, options, wrong answers, rubric).
A set of exams has the same keys (`exam_id` None, `exam_ids` the set; `per_exam` holds each exam's count,
mean and SD when the test figures are per exam only)."""
from __future__ import annotations

import io

from openpyxl import Workbook

from ...core.spreadsheets import neutralize
from ..messages import _
from ..results.export import to_csv
from .exams import ExamAnalysis, QuestionAnalysis


def _round(value, digits: int = 6):
    return None if value is None else round(float(value), digits)


def analysis_json(analysis: ExamAnalysis) -> dict:
    test = analysis.test
    return {
        "exam_id": analysis.exam_id,
        "exam_ids": analysis.exam_ids,
        "test_scope": analysis.test_scope,
        "attempts_counted": analysis.attempts_choice,
        "include_waiting": analysis.include_waiting,
        "waiting": analysis.waiting,
        "counted": analysis.counted,
        "items": "positions" if analysis.by_position else "versions",
        "attempts": test.attempts,
        "max_points": test.max_points,
        "mean": _round(test.fraction(test.mean_points)),
        "median": _round(test.fraction(test.median_points)),
        "sd": _round(test.fraction(test.sd_points)),
        "skewness": _round(test.skewness),
        "kurtosis": _round(test.kurtosis),
        "alpha": _round(test.alpha),
        "error_ratio": _round(test.error_ratio),
        "sem": _round(test.fraction(test.sem_points)),
        "mean_points": _round(test.mean_points),
        "sd_points": _round(test.sd_points),
        "sem_points": _round(test.sem_points),
        "histogram": test.histogram,
        "flags": test.flags,
        "per_exam": [{"exam_id": e.exam_id, "title": e.title, "attempts": e.test.attempts,
                      "max_points": e.test.max_points, "mean": _round(e.test.fraction(e.test.mean_points)),
                      "sd": _round(e.test.fraction(e.test.sd_points)), "mean_points": _round(e.test.mean_points),
                      "sd_points": _round(e.test.sd_points)} for e in analysis.per_exam],
        "questions": [_question_json(question) for question in analysis.questions],
    }


def _figures_json(figures) -> dict:
    return {
        "n": figures.n, "facility": _round(figures.facility), "sd": _round(figures.sd),
        "discrimination_index": _round(figures.discrimination_index),
        "discriminative_efficiency": _round(figures.discriminative_efficiency),
        "effective_weight": _round(figures.effective_weight),
        "upper_facility": _round(figures.upper_facility), "lower_facility": _round(figures.lower_facility),
    }


def _question_json(question: QuestionAnalysis) -> dict:
    return {
        "position": question.number, "version_id": question.version_id, "qtype": question.qtype,
        "title": question.title, "max_points": question.max_points, **_figures_json(question.figures),
        "flags": question.flags,
        "versions": [{"version_id": v.version_id, "title": v.title, **_figures_json(v.figures),
                      "flags": v.figures.flags} for v in question.versions],
        "options": [{"text": o.text, "correct": o.correct, "share": _round(o.share),
                     "upper_share": _round(o.upper_share), "lower_share": _round(o.lower_share),
                     "flags": o.flags} for o in question.options],
        "wrong_answers": [{"blank": blank, "answer": text, "count": count}
                          for blank, text, count in question.wrong_answers],
        "rubric": [{"item": text, "hit_rate": _round(rate)} for text, rate in question.rubric],
    }


def _percent(value):
    return None if value is None else round(100 * float(value), 1)


def question_table(analysis: ExamAnalysis) -> tuple[list[str], list[list]]:
    headers = [_("Position"), _("Question"), _("Type"), _("n"), _("Facility %"), _("SD %"),
               _("Discrimination index"), _("Discriminative efficiency %"), _("Effective weight %"),
               _("Upper-group facility %"), _("Lower-group facility %"), _("Flags")]
    rows = [[q.number, q.title, q.qtype, q.figures.n, _percent(q.figures.facility), _percent(q.figures.sd),
             _round(q.figures.discrimination_index, 4), _percent(q.figures.discriminative_efficiency),
             _percent(q.figures.effective_weight), _percent(q.figures.upper_facility),
             _percent(q.figures.lower_facility), ", ".join(q.flags)] for q in analysis.questions]
    return headers, rows


def analysis_csv(analysis: ExamAnalysis) -> bytes:
    return to_csv(*question_table(analysis))


def _test_rows(analysis: ExamAnalysis) -> list[list]:
    test = analysis.test
    return [
        [_("Attempts counted"), test.attempts], [_("Attempts waiting for grading"), analysis.waiting],
        [_("Maximum (points)"), test.max_points], [_("Mean (points)"), _round(test.mean_points, 3)],
        [_("Median (points)"), _round(test.median_points, 3)], [_("SD (points)"), _round(test.sd_points, 3)],
        [_("Skewness"), _round(test.skewness, 4)], [_("Kurtosis"), _round(test.kurtosis, 4)],
        [_("Cronbach's alpha"), _round(test.alpha, 4)], [_("Error ratio"), _round(test.error_ratio, 4)],
        [_("Standard error of measurement (points)"), _round(test.sem_points, 3)],
        [_("Flags"), ", ".join(test.flags)],
    ]


def analysis_xlsx(analysis: ExamAnalysis) -> bytes:
    workbook = Workbook(write_only=True)
    sheets = {
        _("Test"): ([_("Figure"), _("Value")], _test_rows(analysis)),
        _("Questions"): question_table(analysis),
        _("Options"): ([_("Position"), _("Option"), _("Correct"), _("Chosen %"), _("Upper-group chosen %"),
                        _("Lower-group chosen %"), _("Flags")],
                       [[q.number, o.text, o.correct, _percent(o.share), _percent(o.upper_share),
                         _percent(o.lower_share), ", ".join(o.flags)]
                        for q in analysis.questions for o in q.options]),
        _("Wrong answers"): ([_("Position"), _("Blank"), _("Answer"), _("Count")],
                             [[q.number, blank, text, count]
                              for q in analysis.questions for blank, text, count in q.wrong_answers]),
        _("Rubric"): ([_("Position"), _("Rubric item"), _("Credited %")],
                      [[q.number, text, _percent(rate)] for q in analysis.questions for text, rate in q.rubric]),
    }
    for title, (headers, rows) in sheets.items():
        sheet = workbook.create_sheet(str(title)[:31])
        sheet.append([neutralize(str(h)) for h in headers])
        for row in rows:
            sheet.append([neutralize(v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
