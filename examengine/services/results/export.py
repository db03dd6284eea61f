"""Exports of an exam's results: the results table and the per-question scores, as CSV or XLSX.

CSV is UTF-8 with a byte order mark, so Excel opens Chinese text correctly. XLSX is written with
openpyxl's write-only mode (streams rows; no cell objects kept). Text cells that a spreadsheet would
read as a formula (starting with = + - @, or a tab / carriage return) get a leading apostrophe, in
both formats (`core.spreadsheets.neutralize`): names, groups, titles and band labels are user data.
Headers and words (status, yes/no) are in the language of the request.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from ...core.spreadsheets import neutralize
from ...extensions import db
from ...models import Attempt, AttemptSlot, Bank, Question, QuestionVersion
from ..exams.scoring import band_label, dimension_label
from .overview import ExamResults, ResultRow

SHEET_TITLE_BAD = str.maketrans({c: " " for c in "[]:*?/\\"})


def local_time():
    """A converter of naive UTC times to naive times in the site's zone (built once per export)."""
    zone = ZoneInfo(current_app.config["EXAMENGINE_TIMEZONE"])

    def convert(moment: datetime | None) -> datetime | None:
        if moment is None:
            return None
        return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None, microsecond=0)

    return convert


def status_labels() -> dict[str, str]:
    return {"in_progress": _("In progress"), "graded": _("Graded"), "pending": _("Awaiting grading")}


def _status(row: ResultRow) -> str:
    if row.state == "in_progress":
        return "in_progress"
    return "graded" if row.result.percent is not None else "pending"


# --- the results table ---

def results_table(data: ExamResults, rows: list[ResultRow]) -> tuple[list[str], Iterable[list]]:
    weighted = bool(data.weights)
    headers = [pgettext("person", "Name"), _("Username"), _("Groups"), _("Attempt"), _("Status"),
               _("Weighted score") if weighted else _("Score"), _("Maximum"), _("Percent"), _("Band"), _("Passed"),
               _("Started"), _("Submitted"), _("Time used (minutes)")]
    headers += [_("%(dimension)s (%%)", dimension=dimension_label(name)) for name in data.dimensions]
    # Every word translated once, not once per row (a gettext call costs more than the row).
    statuses, passed = status_labels(), {None: "", True: _("Yes"), False: _("No")}
    bands = {index: band_label(data.bands, index) for index in range(len(data.bands))}
    bands[None] = ""
    local, names = local_time(), data.dimensions

    def lines():
        for row in rows:
            result = row.result
            shares = {d.dimension: d.percent for d in result.dimensions}
            yield [row.name, row.username, ", ".join(row.groups), row.number, statuses[_status(row)], result.score,
                   result.max_score if row.state != "in_progress" else None, result.percent,
                   bands[result.band], passed[result.passed], local(row.started_at), local(row.submitted_at),
                   None if row.seconds_used is None else round(row.seconds_used / 60, 1),
                   *[shares.get(name) for name in names]]

    return headers, lines()


# --- the per-question scores ---

def question_scores_table(data: ExamResults, rows: list[ResultRow]) -> tuple[list[str], Iterable[list]]:
    """One line per examinee, one column per question that appears on any paper (in bank order):
    the score, empty when the question was not on that examinee's paper, "pending" while it waits."""
    exam_id = data.exam.id
    wanted = {row.attempt_id for row in rows if row.state != "in_progress"}
    scores: dict[int, dict[int, object]] = {}
    pending = _("pending")
    for attempt_id, question_id, score, needs in db.session.connection().execute(  # Core: 600,000 rows
        select(AttemptSlot.attempt_id, QuestionVersion.question_id, AttemptSlot.score, AttemptSlot.needs_grading)
        .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(Attempt.exam_id == exam_id, Attempt.state != "in_progress")
    ).all():
        if attempt_id in wanted:
            value = pending if needs or score is None else float(score)
            scores.setdefault(attempt_id, {})[question_id] = value
    questions = _questions(exam_id)
    headers = [pgettext("person", "Name"), _("Username"), _("Groups"), _("Score"), _("Percent")]
    headers += [f"{title} [{key}]" for _, key, title in questions]

    def lines():
        for row in rows:
            own = scores.get(row.attempt_id, {})
            yield [row.name, row.username, ", ".join(row.groups), row.result.score, row.result.percent,
                   *[own.get(question_id) for question_id, _, _ in questions]]

    return headers, lines()


def _questions(exam_id: int) -> list[tuple[int, str, str]]:
    """(question id, "bank/identity", title of the newest version used) for every question on the
    exam's papers, in bank order."""
    used = (select(QuestionVersion.question_id, func.max(QuestionVersion.id).label("version_id"))
            .where(QuestionVersion.id.in_(
                select(AttemptSlot.question_version_id).join(Attempt, Attempt.id == AttemptSlot.attempt_id)
                .where(Attempt.exam_id == exam_id).distinct()))
            .group_by(QuestionVersion.question_id).subquery())
    rows = db.session.execute(
        select(Question.id, Bank.key, Question.identity, QuestionVersion.title)
        .join(used, used.c.question_id == Question.id)
        .join(QuestionVersion, QuestionVersion.id == used.c.version_id)
        .join(Bank, Bank.id == Question.bank_id)
        .order_by(Bank.key, Question.position, Question.id)
    ).all()
    return [(qid, f"{bank}/{identity}", title or identity) for qid, bank, identity, title in rows]


# --- formats ---

def to_csv(headers: list[str], lines: Iterable[list]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralize(h) for h in headers])
    for line in lines:
        writer.writerow([_csv_value(v) for v in line])
    return buffer.getvalue().encode("utf-8")


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return neutralize(value)


def to_xlsx(headers: list[str], lines: Iterable[list], sheet_title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    for index, header in enumerate(headers):
        sheet.column_dimensions[get_column_letter(index + 1)].width = max(10, min(40, len(str(header)) * 1.6 + 2))
    sheet.freeze_panes = "C2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=neutralize(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for line in lines:
        sheet.append([neutralize(v) for v in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    cleaned = (title or "").translate(SHEET_TITLE_BAD).strip().strip("'")[:31]
    return cleaned or "Results"

