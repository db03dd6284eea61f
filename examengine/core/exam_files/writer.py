"""Writing an exam file: `ExamFile` -> YAML text that `read_exam_file` reads back to an equal value.

Every setting is written, defaults included, so the file shows the whole exam; only what is empty or
unset is left out (instructions, dimension weights, custom grade bands, the status when unknown).
Window times are written in the given time zone, named in `window.timezone`, so the file means the
same instant on a server configured with another zone; a local time that a daylight-saving change
makes ambiguous is written with its offset instead. Lists of names are written on one line
(`[a, b]`), instructions with several lines as a `|` block.
"""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import yaml

from examengine.core.exam_files.model import DIFFICULTY_RANGE, ExamFile, FileRule, FileSection

HEADER = "# ExamEngine exam file: `flask --app wsgi exams apply FILE` (docs/exam-files.md)\n"


class _Names(list):
    """A list written on one line."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:
        return True  # the reader refuses anchors and aliases: write repeated values out in full

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)  # list items indented under their key


_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")  # PyYAML's single quotes mangle them; double quotes escape them


def _text(dumper: yaml.SafeDumper, data: str):
    if any(mark in data for mark in _OTHER_BREAKS):
        style = '"'
    else:  # the emitter falls back to quotes where a block cannot hold the text
        style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _names(dumper: yaml.SafeDumper, data: _Names):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(data), flow_style=True)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(_Names, _names)


def write_exam_file(exam_file: ExamFile, *, timezone: str) -> str:
    zone = ZoneInfo(timezone)
    e = exam_file
    data: dict = {"key": e.key, "title": e.title}
    if e.status is not None:
        data["status"] = e.status
    if e.instructions:
        data["instructions"] = e.instructions
    data["window"] = {"opens": _local(e.opens_at, zone), "closes": _local(e.closes_at, zone), "timezone": timezone}
    data.update({
        "time_limit_minutes": e.time_limit_minutes, "attempts": e.attempts_allowed,
        "pass_percent": _number(e.pass_percent),
        "shuffle": {"questions": e.shuffle_questions, "options": e.shuffle_options},
        "multiple_scoring": e.multiple_scoring, "difficulty_source": e.difficulty_source,
        "difficulty_tolerance": e.difficulty_tolerance, "leave_notice": e.leave_notice,
        "leave_limit": e.leave_limit, "fullscreen_on_start": e.fullscreen_on_start,
        "groups": _Names(e.groups), "users": _Names(e.users),
        "sections": [_section(section) for section in e.sections],
    })
    if e.dimension_weights:
        data["dimension_weights"] = {name: _number(value) for name, value in e.dimension_weights.items()}
    if e.grade_bands is not None:
        data["grade_bands"] = {label: _number(minimum) for label, minimum in e.grade_bands}
    data.update({
        "appeal_days": e.appeal_days,
        "release": {"score": e.release_score, "marks": e.release_marks, "answers": e.release_answers,
                    "feedback": e.release_feedback},
        "double_marking": e.double_marking, "double_marking_tolerance": _number(e.double_marking_tolerance),
        "reviewers": _Names(e.reviewers),
    })
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=100)
    return HEADER + body


def _section(section: FileSection) -> dict:
    return {"title": section.title, "rules": [_rule(rule) for rule in section.rules]}


def _rule(rule: FileRule) -> dict:
    if rule.kind == "fixed":
        data: dict = {"questions": list(rule.questions)}
    else:
        data = {"count": rule.count}
        if rule.banks:
            data["banks"] = _Names(rule.banks)
        if rule.qtype is not None:
            data["qtype"] = rule.qtype
        if rule.tags:
            data["tags"] = _Names(rule.tags)
        if rule.dimension is not None:
            data["dimension"] = rule.dimension
        difficulty = (rule.difficulty_min, rule.difficulty_max)
        if difficulty != DIFFICULTY_RANGE:
            data["difficulty"] = rule.difficulty_min if rule.difficulty_min == rule.difficulty_max \
                else _Names(difficulty)
    if rule.points is not None:
        data["points"] = _number(rule.points)
    return data


def _number(value):
    """Whole numbers without ".0" (60, not 60.0); None stays None."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    """A naive UTC moment as the zone's wall-clock time, or with its offset where the wall-clock time
    would not name it alone (daylight-saving changes)."""
    if moment is None:
        return None
    local = moment.replace(tzinfo=UTC).astimezone(zone)
    spec = "minutes" if not (local.second or local.microsecond) else "seconds" if not local.microsecond \
        else "microseconds"
    naive = local.replace(tzinfo=None, fold=0)  # as the reader will take it
    if naive.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None) != moment:
        return local.isoformat(sep=" ", timespec=spec)
    return naive.isoformat(sep=" ", timespec=spec)
