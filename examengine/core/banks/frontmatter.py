"""YAML front matter: the bank's id, title, description and defaults for its questions."""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import yaml

from examengine.core.banks.errors import ErrorSink
from examengine.core.banks.values import (
    parse_difficulty,
    parse_id,
    parse_points,
    split_tags,
    unique,
)
from examengine.core.messages import N_

FRONT_MATTER_KEYS = ("id", "title", "description", "dimension", "tags", "points", "difficulty")
_SCALARS = (str, int, float, bool, datetime.date)
_DELIMITER = "---"


@dataclass
class FrontMatter:
    body_start: int = 0  # index into the file's lines where the Markdown body begins
    key: str | None = None
    key_line: int = 0
    title: str = ""
    description: str = ""
    dimension: str = ""
    tags: list[str] | None = None
    points: float | None = None
    difficulty: int | None = None


def read_front_matter(lines: list[str], sink: ErrorSink) -> FrontMatter:
    """Front matter from the top of `lines` (BOM already removed); errors go to `sink`."""
    if not lines or lines[0].rstrip() != _DELIMITER:
        return FrontMatter()
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() == _DELIMITER), None)
    if close is None:
        sink.add(1, N_("the front matter is not closed: add a line `---` after it"))
        return FrontMatter(body_start=1)
    front = FrontMatter(body_start=close + 1)
    data = _load_yaml(lines[1:close], sink)
    for key, value in data.items():
        line = _key_line(lines, close, key)
        if key not in FRONT_MATTER_KEYS:
            sink.add(line, N_("unknown front matter key %(key)r; known keys: %(keys)s", key=key,
                             keys=", ".join(FRONT_MATTER_KEYS)))
        else:
            problem = _apply(front, key, value)
            if problem:
                sink.add(line, problem)
            elif key == "id":
                front.key_line = line
    return front


def _load_yaml(yaml_lines: list[str], sink: ErrorSink) -> dict:
    try:
        data = yaml.safe_load("\n".join(yaml_lines))
    except yaml.MarkedYAMLError as exc:
        sink.add(*_yaml_problem(exc))
        return {}
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        sink.add(1, N_("the front matter is not valid YAML: %(problem)s", problem=str(exc)))
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        sink.add(2, N_("the front matter must be `key: value` lines, e.g. `title: 网络基础`"))
        return {}
    return data


def _yaml_problem(exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """(file line, message); YAML lines count from the line after the opening `---`."""
    mark = exc.problem_mark or exc.context_mark
    line = 2 + mark.line if mark else 1
    problem = exc.problem or exc.context
    if exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != mark.line:
        return line, N_("the front matter is not valid YAML: %(problem)s (%(context)s started on line %(line)d)",
                        problem=problem, context=exc.context, line=2 + exc.context_mark.line)
    return line, N_("the front matter is not valid YAML: %(problem)s", problem=problem)


def _key_line(lines: list[str], close: int, key: object) -> int:
    pattern = re.compile(rf"\s*['\"]?{re.escape(str(key))}['\"]?\s*:")
    return next((i + 1 for i in range(1, close) if pattern.match(lines[i])), 1)


def _apply(front: FrontMatter, key: str, value: object) -> str | None:
    """Store a validated value on `front`; return a message instead if it is invalid."""
    if key in ("title", "description", "dimension"):
        if value is not None and not isinstance(value, _SCALARS):
            return N_("%(key)s must be text", key=key)
        setattr(front, key, "" if value is None else str(value).strip())
        return None
    if key == "tags":
        tags = _tags(value)
        if tags is None:
            return N_("tags must be a list (`[网络, HTTP]`) or comma-separated text")
        front.tags = tags
        return None
    if not isinstance(value, _SCALARS):  # also keeps a YAML alias bomb from being expanded into a message
        return N_("%(key)s must be a single value", key=key)
    parse = {"id": lambda v: parse_id(v, N_("bank id")), "points": parse_points, "difficulty": parse_difficulty}[key]
    parsed, problem = parse(value)
    if problem is None:
        setattr(front, "key" if key == "id" else key, parsed)
    return problem


def _tags(value: object) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(tag, _SCALARS) for tag in value):
        return unique(str(tag).strip() for tag in value)
    if isinstance(value, _SCALARS):
        return split_tags(str(value))
    return None
