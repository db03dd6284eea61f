"""Reading an exam file: YAML text -> `ExamFile`, or every problem of the file with its line.

The YAML is composed into nodes (`yaml.compose`), not loaded into Python values, so that each key and
value keeps its line and the file's own types decide: a quoted "60" is text, not a number. Only the
shape of the file is checked here (known keys, types, required keys, the window's dates and time zone,
the status); ranges, names and the question pool are the services' to check, with the lines kept in
`ExamFile.lines`. Anchors and aliases, merge keys and YAML tags are refused: a file says everything
in full. `read_exam_file` never raises.
"""
from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from examengine.core.banks.values import parse_id
from examengine.core.exam_files.model import (
    STATUSES,
    ExamFile,
    FileProblem,
    FileRule,
    FileSection,
    ReadResult,
)
from examengine.core.messages import N_, Message

MAX_FILE_BYTES = 1_000_000

_YAML = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL, TIMESTAMP = (_YAML + name for name in ("str", "int", "float", "bool", "null", "timestamp"))
MAP, SEQ, MERGE = _YAML + "map", _YAML + "seq", _YAML + "merge"
TEXT_TAGS = frozenset({STR, INT, FLOAT, BOOL, TIMESTAMP})  # text may be written as anything plain
SCALAR_TAGS = TEXT_TAGS | {NULL}

TOP_KEYS = ("key", "title", "status", "instructions", "window", "time_limit_minutes", "attempts", "pass_percent",
            "shuffle", "multiple_scoring", "difficulty_source", "difficulty_tolerance", "leave_notice",
            "leave_limit", "fullscreen_on_start", "groups", "users", "sections", "dimension_weights",
            "grade_bands", "appeal_days", "release", "double_marking", "double_marking_tolerance", "reviewers")
REQUIRED_KEYS = ("key", "title", "window")
WINDOW_KEYS = ("opens", "closes", "timezone")
SHUFFLE_KEYS = ("questions", "options")
RELEASE_KEYS = ("score", "marks", "answers", "feedback")
SECTION_KEYS = ("title", "rules")
RULE_KEYS = ("count", "questions", "banks", "qtype", "tags", "dimension", "difficulty", "points")
FIXED_RULE_KEYS = ("questions", "points")

# Top-level keys read as one plain value: key -> (ExamFile field, reader kind, null allowed).
PLAIN_KEYS = {
    "instructions": ("instructions", "text", True),
    "time_limit_minutes": ("time_limit_minutes", "integer", False),
    "attempts": ("attempts_allowed", "integer", False),
    "pass_percent": ("pass_percent", "number", False),
    "multiple_scoring": ("multiple_scoring", "text", False),
    "difficulty_source": ("difficulty_source", "text", False),
    "difficulty_tolerance": ("difficulty_tolerance", "integer", False),
    "leave_notice": ("leave_notice", "boolean", False),
    "leave_limit": ("leave_limit", "integer", True),
    "fullscreen_on_start": ("fullscreen_on_start", "boolean", False),
    "appeal_days": ("appeal_days", "integer", False),
    "double_marking": ("double_marking", "boolean", False),
    "double_marking_tolerance": ("double_marking_tolerance", "number", False),
}

TEXT = N_("text")
WHOLE_NUMBER = N_("a whole number")
NUMBER = N_("a number")
BOOLEAN = N_("true or false")
LIST = N_("a list (`- item` lines or `[a, b]`)")
LINES = N_("`name: value` lines")
DATE_TIME = N_("a date and time such as `2026-03-01 09:00` (or with an offset: `2026-03-01T09:00+08:00`)")
DIFFICULTY = N_("a level from 1 to 5 or a range such as `[2, 4]`")

_BAD = object()  # a value that was reported: the field keeps its default
_CONSTRUCT = SafeConstructor()


def read_exam_file(data: bytes | str, *, timezone: str) -> ReadResult:
    """Read an exam file; naive window times are in `timezone` (an IANA name such as Asia/Shanghai)
    unless the file names its own. Every problem is reported, none raised."""
    try:
        return _read(data, timezone)
    except Exception as error:  # a bug, not the file's fault: an answer all the same
        return ReadResult(None, [FileProblem(1, N_("internal error while reading this file (%(error)s); "
                                                   "please report it", error=type(error).__name__))])


def _read(data: bytes | str, timezone: str) -> ReadResult:
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        return _failed(1, N_("the file is larger than %(max)d bytes: an exam file is a few kilobytes",
                             max=MAX_FILE_BYTES))
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            return _failed(data.count(b"\n", 0, error.start) + 1,
                           N_("the file is not valid UTF-8: save it again choosing the encoding UTF-8"))
    text = data.removeprefix("\ufeff")
    root, aliases, problem = _compose(text)
    if problem is not None:
        return ReadResult(None, [problem])
    if root is None:
        return _failed(1, N_("the file is empty: an exam file needs at least key, title and window"))
    reader = _Reader(ZoneInfo(timezone))
    for line in aliases:
        reader.add(line, N_("anchors and aliases (`&name`, `*name`) are not supported: write the value out in full"))
    exam_file = reader.exam(root)
    problems = sorted(reader.problems, key=lambda p: p.line)  # stable: one line's problems keep their order
    return ReadResult(exam_file, problems)


def _failed(line: int, message: str) -> ReadResult:
    return ReadResult(None, [FileProblem(line, message)])


class _Loader(yaml.SafeLoader):
    """The safe loader, noting the line of each alias (the composed graph no longer shows them)."""

    def __init__(self, stream):
        super().__init__(stream)
        self.alias_lines: list[int] = []

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.alias_lines.append(_mark_line(self.peek_event().start_mark))
        return super().compose_node(parent, index)


def _compose(text: str) -> tuple[Node | None, list[int], FileProblem | None]:
    loader = None
    try:
        loader = _Loader(text)  # checks every character already
        return loader.get_single_node(), loader.alias_lines, None
    except yaml.MarkedYAMLError as error:
        return None, [], _yaml_problem(error)
    except yaml.reader.ReaderError as error:  # a character YAML does not allow (e.g. a control code)
        line = text.count("\n", 0, error.position) + 1
        return None, [], FileProblem(line, N_("not valid YAML: the character %(code)s is not allowed in a "
                                              "YAML file", code=f"U+{error.character:04X}"
                                              if isinstance(error.character, int) else repr(error.character)))
    except yaml.YAMLError as error:
        return None, [], FileProblem(1, N_("not valid YAML: %(problem)s", problem=str(error)))
    except RecursionError:
        return None, [], FileProblem(1, N_("the file nests lists or mappings too deeply"))
    finally:
        if loader is not None:
            loader.dispose()


def _yaml_problem(error: yaml.MarkedYAMLError) -> FileProblem:
    mark = error.problem_mark or error.context_mark
    line = _mark_line(mark) if mark else 1
    problem = error.problem or error.context or str(error)
    if error.context and error.context_mark and error.problem_mark and _mark_line(error.context_mark) != line:
        return FileProblem(line, N_("not valid YAML: %(problem)s (%(context)s started on line %(line)d)",
                                    problem=problem, context=error.context, line=_mark_line(error.context_mark)))
    return FileProblem(line, N_("not valid YAML: %(problem)s", problem=problem))


def _line(node: Node) -> int:
    return _mark_line(node.start_mark)


def _mark_line(mark) -> int:
    """The 1-based line of a mark as an editor counts it: YAML also breaks lines at U+0085, U+2028 and
    U+2029, which editors show inside a line, so the line is counted from the text's `\n`s."""
    if mark.buffer is None:
        return mark.line + 1
    return mark.buffer.count("\n", 0, mark.index) + 1


def _join(path: str, name: str | int) -> str:
    return f"{path}.{name}" if path else str(name)


def _shown(node: Node) -> str:
    """A value as a message shows it: the text (cut short) or what kind of thing it is."""
    if isinstance(node, ScalarNode):
        if node.tag == NULL and node.value in ("", "~", "null", "Null", "NULL"):
            return N_("nothing")
        value = node.value if len(node.value) <= 40 else node.value[:40] + "…"
        return repr(value)
    return N_("a list") if isinstance(node, SequenceNode) else N_("a mapping")


class _Reader:
    def __init__(self, zone: ZoneInfo):
        self.zone = zone
        self.problems: list[FileProblem] = []
        self.lines: dict[str, int] = {}
        self.seen: set[int] = set()

    def add(self, where: Node | int, message: Message) -> None:
        self.problems.append(FileProblem(where if isinstance(where, int) else _line(where), message))

    def _first_visit(self, node: Node) -> bool:
        """An aliased node is reported where the alias is (see `_Loader`) and read once only."""
        if id(node) in self.seen:
            return False
        self.seen.add(id(node))
        return True

    def _wrong(self, node: Node, name: str, expected: Message) -> None:
        self.add(node, N_("%(key)s must be %(expected)s, not %(value)s", key=name, expected=expected,
                          value=_shown(node)))

    def _tag_ok(self, node: Node) -> bool:
        if node.tag in SCALAR_TAGS or node.tag in (MAP, SEQ):
            return True
        self.add(node, N_("the YAML tag %(tag)s is not supported: remove it", tag=node.tag))
        return False

    # --- plain values ---

    def scalar(self, node: Node, name: str, expected: Message) -> ScalarNode | None:
        if not self._first_visit(node) or not self._tag_ok(node):
            return None
        if not isinstance(node, ScalarNode):
            self._wrong(node, name, expected)
            return None
        return node

    def text(self, node: Node, name: str, *, null: str | None = ""):
        """The text as written (a number or date is taken as its text); `null` for an empty value."""
        found = self.scalar(node, name, TEXT)
        if found is None:
            return _BAD
        return null if found.tag == NULL else found.value

    def integer(self, node: Node, name: str, *, nullable: bool = False):
        found = self.scalar(node, name, WHOLE_NUMBER)
        if found is None:
            return _BAD
        if found.tag == NULL and nullable:
            return None
        if found.tag != INT:
            self._wrong(found, name, WHOLE_NUMBER)
            return _BAD
        try:
            return _CONSTRUCT.construct_yaml_int(found)
        except ValueError:  # more digits than Python converts
            self._wrong(found, name, WHOLE_NUMBER)
            return _BAD

    def number(self, node: Node, name: str, *, nullable: bool = False):
        found = self.scalar(node, name, NUMBER)
        if found is None:
            return _BAD
        if found.tag == NULL and nullable:
            return None
        try:
            if found.tag == INT:
                value = float(_CONSTRUCT.construct_yaml_int(found))
            elif found.tag == FLOAT:
                value = _CONSTRUCT.construct_yaml_float(found)
            else:
                value = None
        except (ValueError, OverflowError):
            value = None
        if value is None or not math.isfinite(value):
            self._wrong(found, name, NUMBER)
            return _BAD
        return value

    def boolean(self, node: Node, name: str):
        found = self.scalar(node, name, BOOLEAN)
        if found is None:
            return _BAD
        if found.tag != BOOL:
            self._wrong(found, name, BOOLEAN)
            return _BAD
        return _CONSTRUCT.construct_yaml_bool(found)

    def plain(self, kind: str, node: Node, name: str, nullable: bool):
        if kind == "text":
            return self.text(node, name, null="" if nullable else None)
        if kind == "boolean":
            return self.boolean(node, name)
        return getattr(self, kind)(node, name, nullable=nullable)

    # --- collections ---

    def mapping(self, node: Node, path: str, name: str, keys: tuple[str, ...] | None) -> dict[str, tuple[Node, Node]]:
        """{key: (key node, value node)} of the known keys; unknown and repeated keys are reported.
        `keys` None: any names (dimensions, band labels)."""
        if not self._first_visit(node) or not self._tag_ok(node):
            return {}
        if not isinstance(node, MappingNode):
            self._wrong(node, name, LINES)
            return {}
        entries: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE:
                self.add(key_node, N_("merge keys (`<<`) are not supported: write the keys out in full"))
                continue
            if not isinstance(key_node, ScalarNode) or key_node.tag not in SCALAR_TAGS:
                self.add(key_node, N_("a key must be a plain name, not %(value)s", value=_shown(key_node)))
                continue
            key = "" if key_node.tag == NULL else key_node.value
            line = _line(key_node)
            if key in entries:
                self.add(line, N_("%(key)s is given twice (first on line %(line)d)", key=key,
                                  line=_line(entries[key][0])))
            elif keys is not None and key not in keys:
                self.add(line, N_("unknown key %(key)r; the keys here are: %(keys)s", key=key, keys=", ".join(keys)))
            else:
                entries[key] = (key_node, value_node)
                self.lines[_join(path, key)] = line
        return entries

    def sequence(self, node: Node, name: str) -> list[Node] | None:
        """The items of a list; None (reported) when it is not one. An empty value is an empty list."""
        if not self._first_visit(node) or not self._tag_ok(node):
            return None
        if isinstance(node, ScalarNode) and node.tag == NULL:
            return []
        if not isinstance(node, SequenceNode):
            self._wrong(node, name, LIST)
            return None
        return list(node.value)

    def names(self, node: Node, path: str, name: str):
        """A list of names (groups, users, banks, tags, questions); one name alone counts as a list."""
        if isinstance(node, ScalarNode) and node.tag in TEXT_TAGS:
            items = [node]
        else:
            items = self.sequence(node, name)
            if items is None:
                return _BAD
        found: dict[str, int] = {}
        for index, item in enumerate(items):
            self.lines[_join(path, index)] = _line(item)
            value = self.text(item, name, null=None)
            if value is _BAD:
                continue
            value = (value or "").strip()
            if not value:
                self.add(item, N_("%(key)s has an empty entry: remove it or write the name", key=name))
            elif value in found:
                self.add(item, N_("%(key)s lists %(name)r twice", key=name, name=value))
            else:
                found[value] = index
        return list(found)

    # --- the file ---

    def exam(self, root: Node) -> ExamFile | None:
        exam = ExamFile()
        self.lines[""] = _line(root)
        if not isinstance(root, MappingNode):
            self.add(root, N_("an exam file is `key: value` lines (e.g. `title: 期中考试`), not %(value)s",
                              value=_shown(root)))
            return None
        entries = self.mapping(root, "", "", TOP_KEYS)
        for key in REQUIRED_KEYS:
            if key not in entries:
                self.add(root, N_("the required key %(key)s is missing", key=key))
        readers = {"key": self._key, "title": self._title, "status": self._status, "window": self._window,
                   "shuffle": self._shuffle, "release": self._release, "sections": self._sections,
                   "dimension_weights": self._weights, "grade_bands": self._bands}
        for key, (_key_node, value) in entries.items():
            if key in readers:
                readers[key](exam, value)
            elif key in PLAIN_KEYS:
                name, kind, nullable = PLAIN_KEYS[key]
                parsed = self.plain(kind, value, key, nullable)
                if parsed is not _BAD:
                    setattr(exam, name, parsed)
            else:  # groups, users, reviewers
                parsed = self.names(value, key, key)
                if parsed is not _BAD:
                    setattr(exam, key, parsed)
        exam.lines = self.lines
        return exam

    def _key(self, exam: ExamFile, node: Node) -> None:
        value = self.text(node, "key")
        if value is _BAD:
            return
        key, problem = parse_id(value or "", N_("exam key"))
        if problem is not None:
            self.add(node, problem)
        else:
            exam.key = key

    def _title(self, exam: ExamFile, node: Node) -> None:
        value = self.text(node, "title")
        if value is not _BAD:
            exam.title = value

    def _status(self, exam: ExamFile, node: Node) -> None:
        value = self.text(node, "status", null=None)
        if value is _BAD:
            return
        if value not in STATUSES:
            self.add(node, N_("status must be draft or published, not %(value)s", value=_shown(node)))
        else:
            exam.status = value

    def _window(self, exam: ExamFile, node: Node) -> None:
        entries = self.mapping(node, "window", "window", WINDOW_KEYS)
        if not entries and not isinstance(node, MappingNode):
            return
        zone = self.zone
        if "timezone" in entries:
            zone = self._zone(entries["timezone"][1]) or zone
        for key, name in (("opens", "opens_at"), ("closes", "closes_at")):
            if key not in entries:
                self.add(node, N_("the window needs `%(key)s` (when the exam opens or closes), e.g. `%(key)s: 2026-03-01 09:00`",
                                  key=key))
                continue
            moment = self._moment(entries[key][1], key, zone)
            if moment is not None:
                setattr(exam, name, moment)

    def _zone(self, node: Node) -> ZoneInfo | None:
        name = self.text(node, "timezone", null=None)
        if name is _BAD or name is None:
            return None
        try:
            return ZoneInfo(name.strip())
        except (ValueError, KeyError, OSError):  # unknown name, a path, a NUL...
            self.add(node, N_("unknown time zone %(zone)r: use a name such as Asia/Shanghai or UTC", zone=name))
            return None

    def _moment(self, node: Node, name: str, zone: ZoneInfo) -> datetime | None:
        """A date and time as naive UTC: with its own offset, or else in `zone`."""
        found = self.scalar(node, name, DATE_TIME)
        if found is None:
            return None
        if found.tag not in (STR, TIMESTAMP):
            self._wrong(found, name, DATE_TIME)
            return None
        try:
            moment = datetime.fromisoformat(found.value.strip())
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)
            return moment.astimezone(UTC).replace(tzinfo=None)
        except (ValueError, OverflowError):  # not ISO 8601, or beyond year 1..9999 once in UTC
            self._wrong(found, name, DATE_TIME)
            return None

    def _shuffle(self, exam: ExamFile, node: Node) -> None:
        entries = self.mapping(node, "shuffle", "shuffle", SHUFFLE_KEYS)
        for key, (_key_node, value) in entries.items():
            parsed = self.boolean(value, key)
            if parsed is not _BAD:
                setattr(exam, f"shuffle_{key}", parsed)

    def _release(self, exam: ExamFile, node: Node) -> None:
        entries = self.mapping(node, "release", "release", RELEASE_KEYS)
        for key, (_key_node, value) in entries.items():
            parsed = self.text(value, key, null=None)
            if parsed is None:
                self._wrong(value, key, TEXT)
            elif parsed is not _BAD:
                setattr(exam, f"release_{key}", parsed)

    def _weights(self, exam: ExamFile, node: Node) -> None:
        if isinstance(node, ScalarNode) and node.tag == NULL:
            return
        weights = {}
        for dimension, (_key_node, value) in self.mapping(node, "dimension_weights", "dimension_weights",
                                                          None).items():
            parsed = self.number(value, dimension or '""', nullable=True)
            if parsed is not _BAD:
                weights[dimension] = parsed
        exam.dimension_weights = weights

    def _bands(self, exam: ExamFile, node: Node) -> None:
        if isinstance(node, ScalarNode) and node.tag == NULL:
            return
        bands = []
        for index, (label, (key_node, value)) in enumerate(
                self.mapping(node, "grade_bands", "grade_bands", None).items()):
            self.lines[_join("grade_bands", index)] = _line(key_node)
            parsed = self.number(value, label, nullable=True)
            bands.append((label, None if parsed is _BAD else parsed))
        exam.grade_bands = bands

    def _sections(self, exam: ExamFile, node: Node) -> None:
        items = self.sequence(node, "sections")
        if items is None:
            return
        for index, item in enumerate(items):
            path = _join("sections", index)
            self.lines[path] = _line(item)
            entries = self.mapping(item, path, "a section", SECTION_KEYS)
            section = FileSection()
            if "title" in entries:
                title = self.text(entries["title"][1], "title")
                section.title = "" if title is _BAD else title
            if "rules" in entries:
                section.rules = self._rules(entries["rules"][1], _join(path, "rules"))
            exam.sections.append(section)

    def _rules(self, node: Node, path: str) -> list[FileRule]:
        items = self.sequence(node, "rules")
        rules = []
        for index, item in enumerate(items or ()):
            rule_path = _join(path, index)
            self.lines[rule_path] = _line(item)
            rules.append(self._rule(item, rule_path))
        return rules

    def _rule(self, node: Node, path: str) -> FileRule:
        rule = FileRule()
        entries = self.mapping(node, path, "a rule", RULE_KEYS)
        if not isinstance(node, MappingNode):
            return rule
        if "count" in entries and "questions" in entries:
            self.add(node, N_("a rule draws questions (`count:` with filters) or lists fixed questions "
                              "(`questions:`), not both"))
        elif "count" not in entries and "questions" not in entries:
            self.add(node, N_("a rule needs `count:` (how many questions to draw) or `questions:` (fixed "
                              "questions as bank/id)"))
        if "questions" in entries:
            rule.kind = "fixed"
            for key, (key_node, _value) in entries.items():
                if key not in FIXED_RULE_KEYS and key != "count":  # both count and questions: said above
                    self.add(key_node, N_("%(key)s does not apply to a rule of fixed questions: only questions "
                                          "and points do", key=key))
        for key, (_key_node, value) in entries.items():
            self._rule_value(rule, key, value, _join(path, key))
        return rule

    def _rule_value(self, rule: FileRule, key: str, node: Node, path: str) -> None:
        if key in ("banks", "tags", "questions"):
            parsed = self.names(node, path, key)
        elif key == "count":
            parsed = self.integer(node, key)
        elif key == "points":
            parsed = self.number(node, key, nullable=True)
        elif key == "difficulty":
            parsed = self._difficulty(node)
            if parsed is not _BAD:
                rule.difficulty_min, rule.difficulty_max = parsed
            return
        else:  # qtype, dimension
            parsed = self.text(node, key, null=None)
        if parsed is not _BAD:
            setattr(rule, key, parsed)

    def _difficulty(self, node: Node):
        if isinstance(node, ScalarNode):
            if node.tag == NULL:
                self._first_visit(node)
                return (1, 5)
            level = self.integer(node, "difficulty")
            return _BAD if level is _BAD else (level, level)
        if not isinstance(node, SequenceNode) or len(node.value) != 2:
            if self._first_visit(node) and self._tag_ok(node):
                self._wrong(node, "difficulty", DIFFICULTY)
            return _BAD
        items = self.sequence(node, "difficulty")
        if items is None:
            return _BAD
        low, high = (self.integer(item, "difficulty") for item in items)
        return _BAD if _BAD in (low, high) else (low, high)
