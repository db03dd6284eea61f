"""The exam file format (core/exam_files): every key read, defaults, the line of every problem, all
problems at once, the writer's round trip, and no input that makes the reader raise."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examengine.core.exam_files import (
    TOP_KEYS,
    ExamFile,
    FileRule,
    FileSection,
    read_exam_file,
    write_exam_file,
)

ZONE = "Asia/Shanghai"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "exam-files.md"

COMPLETE = """\
key: 期中-2026
title: 网络基础期中考试
status: published
instructions: |
  请独立完成。
  不得查阅资料。
window:
  opens: 2026-03-02 09:00
  closes: 2026-03-06T18:00:00+08:00
  timezone: Asia/Shanghai
time_limit_minutes: 90
attempts: 2
pass_percent: 62.5
shuffle:
  questions: false
  options: true
multiple_scoring: partial
difficulty_source: measured
difficulty_tolerance: 2
leave_notice: true
leave_limit: 5
fullscreen_on_start: true
groups: [销售部, 技术支持部]
users: zhang.wei
sections:
  - title: 第一部分
    rules:
      - count: 10
        banks: [net, security]
        qtype: single
        tags: [TCP/IP, 2024]
        dimension: 网络安全
        difficulty: [2, 4]
        points: 2
      - count: 3
        difficulty: 5
  - title: 第二部分
    rules:
      - questions:
          - net/https-port
          - security/phishing
        points: 10
dimension_weights:
  网络安全: 60
  "": 40
grade_bands:
  优秀: 90
  合格: 60
  不合格: 0
appeal_days: 14
release:
  score: immediately
  marks: after_close
  answers: manual
  feedback: never
double_marking: true
double_marking_tolerance: 12.5
reviewers: [li.na, wang.fang]
"""

EXPECTED = ExamFile(
    key="期中-2026", title="网络基础期中考试", status="published", instructions="请独立完成。\n不得查阅资料。\n",
    opens_at=datetime(2026, 3, 2, 1, 0), closes_at=datetime(2026, 3, 6, 10, 0), time_limit_minutes=90,
    attempts_allowed=2, pass_percent=62.5, shuffle_questions=False, shuffle_options=True, multiple_scoring="partial",
    difficulty_source="measured", difficulty_tolerance=2, leave_notice=True, leave_limit=5, fullscreen_on_start=True,
    release_score="immediately", release_marks="after_close", release_answers="manual", release_feedback="never",
    groups=["销售部", "技术支持部"], users=["zhang.wei"],
    sections=[
        FileSection("第一部分", [
            FileRule(count=10, banks=["net", "security"], qtype="single", tags=["TCP/IP", "2024"], dimension="网络安全",
                     difficulty_min=2, difficulty_max=4, points=2.0),
            FileRule(count=3, difficulty_min=5, difficulty_max=5),
        ]),
        FileSection("第二部分", [FileRule(kind="fixed", questions=["net/https-port", "security/phishing"],
                                          points=10.0)]),
    ],
    dimension_weights={"网络安全": 60.0, "": 40.0}, grade_bands=[("优秀", 90.0), ("合格", 60.0), ("不合格", 0.0)],
    appeal_days=14, double_marking=True, double_marking_tolerance=12.5, reviewers=["li.na", "wang.fang"],
)

MINIMAL = "key: k1\ntitle: 小测验\nwindow: {opens: 2026-03-02 09:00, closes: 2026-03-02 10:00}\n"


def read(text, timezone=ZONE):
    return read_exam_file(text.encode() if isinstance(text, str) else text, timezone=timezone)


def problems(text, timezone=ZONE) -> list[tuple[int, str]]:
    return [(p.line, str(p.message)) for p in read(text, timezone).problems]


def with_minimal(extra: str) -> str:
    return MINIMAL + extra


# --- every key ---

def test_a_complete_file_gives_every_value():
    result = read(COMPLETE)
    assert result.ok, result.problems
    assert result.exam_file == EXPECTED


def test_the_lines_of_keys_and_list_entries_are_kept():
    exam = read(COMPLETE).exam_file
    assert exam.line("title") == 2 and exam.line("window.closes") == 9 and exam.line("groups") == 23
    assert exam.line("sections.0") == 26 and exam.line("sections.0.rules.1") == 35
    assert exam.line("sections.0.rules.0.banks") == 29 and exam.line("sections.1.rules.0.questions.1") == 41
    assert exam.line("dimension_weights.网络安全") == 44 and exam.line("grade_bands.2") == 49
    assert exam.line("sections.0.rules.1.count") == 35  # not written: the rule's line
    assert exam.line("nothing.here") == 1


def test_a_minimal_file_takes_the_defaults_of_a_new_exam():
    result = read(MINIMAL)
    assert result.ok
    expected = ExamFile(key="k1", title="小测验", opens_at=datetime(2026, 3, 2, 1, 0),
                        closes_at=datetime(2026, 3, 2, 2, 0))
    assert result.exam_file == expected
    assert (expected.status, expected.time_limit_minutes, expected.attempts_allowed, expected.pass_percent) == (
        None, 60, 1, 60.0)
    assert (expected.release_score, expected.release_answers, expected.appeal_days, expected.grade_bands) == (
        "after_grading", "after_close", 7, None)


def test_the_documented_example_reads_without_problems():
    example = re.search(r"## A complete example\n\n```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    result = read(example.group(1))
    assert result.ok, result.problems
    assert set(yaml.safe_load(example.group(1))) == set(TOP_KEYS)  # it shows every key
    assert result.exam_file.key == "network-midterm-2026" and len(result.exam_file.sections) == 2
    documented = set(re.findall(r"^\| `([a-z_]+)[.`]", DOCS.read_text(encoding="utf-8"), re.MULTILINE))
    assert set(TOP_KEYS) <= documented


# --- times ---

@pytest.mark.parametrize("written, utc", [
    ("2026-03-02 09:00", datetime(2026, 3, 2, 1, 0)),  # the default zone
    ("2026-03-02T09:00:30", datetime(2026, 3, 2, 1, 0, 30)),
    ("2026-03-02 09:00:00+00:00", datetime(2026, 3, 2, 9, 0)),  # its own offset wins
    ("'2026-03-02 09:00'", datetime(2026, 3, 2, 1, 0)),
])
def test_naive_times_are_in_the_given_zone_and_offsets_win(written, utc):
    exam = read(f"key: k\ntitle: t\nwindow:\n  opens: {written}\n  closes: 2027-01-01 00:00\n").exam_file
    assert exam.opens_at == utc


def test_the_file_can_name_its_own_time_zone():
    exam = read("key: k\ntitle: t\nwindow: {opens: 2026-07-01 09:00, closes: 2026-07-01 10:00, "
                "timezone: Europe/Berlin}\n").exam_file
    assert exam.opens_at == datetime(2026, 7, 1, 7, 0)  # summer time, UTC+2


def test_bad_times_and_zones_are_reported_at_their_lines():
    text = "key: k\ntitle: t\nwindow:\n  opens: next Friday\n  closes: 2026-13-01 10:00\n  timezone: Mars/Olympus\n"
    assert problems(text) == [
        (4, "opens must be a date and time such as `2026-03-01 09:00` (or with an offset: `2026-03-01T09:00+08:00`), "
            "not 'next Friday'"),
        (5, "closes must be a date and time such as `2026-03-01 09:00` (or with an offset: `2026-03-01T09:00+08:00`), "
            "not '2026-13-01 10:00'"),
        (6, "unknown time zone 'Mars/Olympus': use a name such as Asia/Shanghai or UTC"),
    ]
    assert problems("key: k\ntitle: t\nwindow: {opens: 2026-03-02 09:00}\n") == [
        (3, "the window needs `closes` (when the exam opens or closes), e.g. `closes: 2026-03-01 09:00`")]


# --- problems of shape, with their lines ---

def test_unknown_keys_are_reported_at_every_level():
    text = with_minimal("titel: x\nshuffle: {question: true}\nrelease: {answer: never}\n"
                        "sections:\n  - title: a\n    rule: []\n    rules:\n      - count: 1\n        tag: [x]\n")
    assert problems(text) == [
        (4, "unknown key 'titel'; the keys here are: " + ", ".join(TOP_KEYS)),
        (5, "unknown key 'question'; the keys here are: questions, options"),
        (6, "unknown key 'answer'; the keys here are: score, marks, answers, feedback"),
        (9, "unknown key 'rule'; the keys here are: title, rules"),
        (12, "unknown key 'tag'; the keys here are: count, questions, banks, qtype, tags, dimension, difficulty, "
             "points"),
    ]


@pytest.mark.parametrize("line, message", [
    ("time_limit_minutes: 1.5", "time_limit_minutes must be a whole number, not '1.5'"),
    ("attempts: '2'", "attempts must be a whole number, not '2'"),
    ("attempts:", "attempts must be a whole number, not nothing"),
    ("pass_percent: sixty", "pass_percent must be a number, not 'sixty'"),
    ("pass_percent: .nan", "pass_percent must be a number, not '.nan'"),
    ("leave_notice: 1", "leave_notice must be true or false, not '1'"),
    ("title: [a, b]", "title must be text, not a list"),
    ("instructions: {a: 1}", "instructions must be text, not a mapping"),
    ("groups: {a: 1}", "groups must be a list (`- item` lines or `[a, b]`), not a mapping"),
    ("window: soon", "window must be `name: value` lines, not 'soon'"),
    ("dimension_weights: [a]", "dimension_weights must be `name: value` lines, not a list"),
    ("status: closed", "status must be draft or published, not 'closed'"),
    ("key: two words", "exam key 'two words' is not valid: use up to 100 letters, digits, `_`, `-` or `.`, "
                       "without spaces"),
])
def test_wrong_types_are_reported_at_the_line_of_the_key(line, message):
    lines = MINIMAL.splitlines()
    name = line.partition(":")[0]
    lines = [each for each in lines if not each.startswith(name + ":")] + [line]
    assert problems("\n".join(lines)) == [(len(lines), message)]


def test_texts_take_whatever_plain_value_is_written():
    exam = read("key: 2026\ntitle: yes\ninstructions:\nwindow: {opens: 2026-03-02 09:00, closes: 2026-03-03}\n"
                "groups: 2024届\n").exam_file
    assert (exam.key, exam.title, exam.instructions, exam.groups) == ("2026", "yes", "", ["2024届"])


def test_required_keys_repeated_keys_and_lists():
    text = "title: t\ntitle: u\nusers: [a, b, a, '']\n"
    assert problems(text) == [
        (1, "the required key key is missing"),
        (1, "the required key window is missing"),
        (2, "title is given twice (first on line 1)"),
        (3, "users lists 'a' twice"),
        (3, "users has an empty entry: remove it or write the name"),
    ]


def test_rules_draw_or_list_fixed_questions():
    text = with_minimal("sections:\n  - rules:\n"
                        "      - count: 2\n        questions: [net/a]\n"
                        "      - banks: [net]\n"
                        "      - questions: [net/a]\n        qtype: single\n        points: 3\n"
                        "      - count: 1\n        difficulty: [1, 2, 3]\n"
                        "      - count: 1\n        difficulty: hard\n"
                        "      - just text\n")
    assert problems(text) == [
        (6, "a rule draws questions (`count:` with filters) or lists fixed questions (`questions:`), not both"),
        (8, "a rule needs `count:` (how many questions to draw) or `questions:` (fixed questions as bank/id)"),
        (10, "qtype does not apply to a rule of fixed questions: only questions and points do"),
        (13, "difficulty must be a level from 1 to 5 or a range such as `[2, 4]`, not a list"),
        (15, "difficulty must be a whole number, not 'hard'"),
        (16, "a rule must be `name: value` lines, not 'just text'"),
    ]


def test_yaml_features_the_format_refuses():
    text = with_minimal("groups: &g [a]\nusers: *g\n<<: {title: x}\nreviewers: !!set {a: null}\n")
    assert problems(text) == [
        (5, "anchors and aliases (`&name`, `*name`) are not supported: write the value out in full"),
        (6, "merge keys (`<<`) are not supported: write the keys out in full"),
        (7, "the YAML tag tag:yaml.org,2002:set is not supported: remove it"),
    ]


def test_every_problem_of_the_file_is_reported_at_once():
    text = ("key: ok\ntitle: [x]\nwindow:\n  opens: 2026-03-02 09:00\n  closes: later\n"
            "attempts: two\nshuffle: {questions: maybe}\nbogus: 1\n"
            "sections:\n  - title: 一\n    rules:\n      - count: many\n")
    result = read(text)
    assert not result.ok and result.exam_file is not None  # what could be read is kept for the name checks
    assert [line for line, _message in problems(text)] == [2, 5, 6, 7, 8, 12]


@pytest.mark.parametrize("data, line, start", [
    (b"key: k\ntitle: \xff\n", 2, "the file is not valid UTF-8"),
    (b"key: k\n  title: [\n", 2, "not valid YAML: mapping values are not allowed here"),
    (b"key: k\nwindow: {opens: 1\n", 3, "not valid YAML:"),
    (b"", 1, "the file is empty"),
    (b"# only a comment\n", 1, "the file is empty"),
    (b"- a\n- b\n", 1, "an exam file is `key: value` lines (e.g. `title: 期中考试`), not a list"),
    (b"key: k\n---\nkey: j\n", 2, "not valid YAML: but found another document"),
    (b"key: \x07\n", 1, "not valid YAML: the character U+0007 is not allowed"),
    (b"[" * 5000, 1, "the file nests lists or mappings too deeply"),
    (b"a" * 1_000_001, 1, "the file is larger than 1000000 bytes"),
])
def test_files_that_are_not_exam_files(data, line, start):
    result = read(data)
    assert result.exam_file is None and len(result.problems) == 1
    assert result.problems[0].line == line and str(result.problems[0].message).startswith(start), result.problems


def test_a_byte_order_mark_is_fine():
    assert read("\ufeff" + MINIMAL).ok


def test_a_problem_formats_as_path_line_message():
    problem = read("key: k\n").problems[0]
    assert problem.format("exams/mid.yaml") == "exams/mid.yaml:1: the required key title is missing"


# --- writing ---

def test_written_files_read_back_equal():
    exam = read(COMPLETE).exam_file
    text = write_exam_file(exam, timezone=ZONE)
    again = read(text)
    assert again.ok, again.problems
    assert again.exam_file == exam
    assert "title: 网络基础期中考试" in text and "opens: 2026-03-02 09:00" in text and "timezone: Asia/Shanghai" in text
    assert "instructions: |\n  请独立完成。\n" in text and "groups: [销售部, 技术支持部]" in text


def test_the_writer_leaves_out_what_is_unset_and_names_the_zone():
    exam = read(MINIMAL).exam_file
    text = write_exam_file(exam, timezone="UTC")
    assert "status" not in text and "instructions" not in text and "grade_bands" not in text
    assert "opens: 2026-03-02 01:00" in text and "timezone: UTC" in text
    assert read(text, timezone=ZONE).exam_file == exam  # the zone named in the file wins


def test_an_ambiguous_wall_clock_time_is_written_with_its_offset():
    # 2026-10-25 02:30 happens twice in Berlin; the second is 00:30 UTC.
    exam = ExamFile(key="k", title="t", opens_at=datetime(2026, 10, 25, 1, 30), closes_at=datetime(2026, 10, 26))
    text = write_exam_file(exam, timezone="Europe/Berlin")
    assert "opens: 2026-10-25 02:30+01:00" in text
    assert read(text).exam_file.opens_at == exam.opens_at


names = st.lists(st.text(min_size=1, max_size=12).map(str.strip).filter(bool), max_size=4, unique=True)
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)).map(
    lambda moment: moment.replace(microsecond=0))
numbers = st.one_of(st.integers(-10**6, 10**6), st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 2)))
rules = st.one_of(
    st.builds(FileRule, kind=st.just("draw"), count=st.integers(0, 600), banks=names, qtype=st.none() | st.text(max_size=8),
              tags=names, dimension=st.none() | st.text(max_size=8), difficulty_min=st.integers(1, 5),
              difficulty_max=st.integers(1, 5), points=st.none() | numbers.map(float)),
    st.builds(FileRule, kind=st.just("fixed"), questions=names, points=st.none() | numbers.map(float)),
)
exam_files = st.builds(
    ExamFile, key=st.from_regex(r"[\w.-]{1,20}", fullmatch=True), title=st.text(max_size=30),
    status=st.sampled_from([None, "draft", "published"]), instructions=st.text(max_size=60),
    opens_at=moments, closes_at=moments, time_limit_minutes=st.integers(-5, 5000), pass_percent=numbers.map(float),
    shuffle_questions=st.booleans(), multiple_scoring=st.text(max_size=10), leave_limit=st.none() | st.integers(0, 200),
    groups=names, users=names, reviewers=names,
    sections=st.lists(st.builds(FileSection, title=st.text(max_size=10), rules=st.lists(rules, max_size=3)),
                      max_size=3),
    dimension_weights=st.dictionaries(st.text(max_size=8), st.none() | numbers.map(float), max_size=3),
    grade_bands=st.none() | st.lists(st.tuples(st.text(max_size=8), st.none() | numbers.map(float)), max_size=4,
                                     unique_by=lambda band: band[0]),
)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _clean(exam: ExamFile) -> ExamFile:
    """What a file can say: text without the characters YAML cannot hold, names as the reader strips them."""
    def text(value):
        return value if value is None else re.sub(r"[^\t\n\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd]", "", value)

    exam.title, exam.instructions, exam.multiple_scoring = (text(exam.title), text(exam.instructions),
                                                            text(exam.multiple_scoring))
    for name in ("groups", "users", "reviewers"):
        setattr(exam, name, list(dict.fromkeys(n for n in (text(v).strip() for v in getattr(exam, name)) if n)))
    for section in exam.sections:
        section.title = text(section.title)
        for rule in section.rules:
            rule.qtype, rule.dimension = text(rule.qtype), text(rule.dimension)
            for name in ("banks", "tags", "questions"):
                setattr(rule, name, list(dict.fromkeys(n for n in (text(v).strip() for v in getattr(rule, name)) if n)))
    exam.dimension_weights = {text(k): v for k, v in exam.dimension_weights.items()}
    if exam.grade_bands is not None:
        exam.grade_bands = list({text(label): (text(label), value) for label, value in exam.grade_bands}.values())
    return exam


@FUZZ
@given(exam_files)
def test_any_exam_file_value_survives_writing_and_reading(exam):
    exam = _clean(exam)
    result = read(write_exam_file(exam, timezone=ZONE))
    assert result.ok, result.problems
    assert result.exam_file == exam


# --- nothing makes the reader raise ---

FRAGMENTS = [f"{key}:" for key in TOP_KEYS] + [
    "  opens: 2026-03-02 09:00", "  closes: x", "  timezone: UTC", "  - title: a", "    rules:", "      - count: 1",
    "        questions: [a/b]", "        difficulty: [1, 9]", "  - a", "[", "{", "&a x", "*a", "<<: *a", "!!binary x",
    "? [a]", ": b", "'", '"', "|", "  |", "---", "...", "%YAML 1.1", "\t", "\x00", "\ufeff", "9" * 5000, "1e999",
    "0x1F", "1:30", "~", "yes", "- [x]", "网络: 60",
]
FUZZ_TEXT = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_answers(result, text: str) -> None:
    assert result.ok == (result.exam_file is not None and not result.problems)
    assert result.ok or result.problems
    lines = text.count("\n") + 2
    for problem in result.problems:
        assert "internal error" not in problem.message, problem
        assert 1 <= problem.line <= lines, problem


@FUZZ_TEXT
@given(st.text())
def test_arbitrary_text_never_raises(text):
    assert_answers(read_exam_file(text, timezone=ZONE), text)


@FUZZ_TEXT
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=30))
def test_exam_file_like_text_never_raises(parts):
    text = "\n".join(parts)
    assert_answers(read_exam_file(text, timezone=ZONE), text)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(TOP_KEYS + ("opens", "count", "x")),
                                                                inner, max_size=4),
    max_leaves=20)


@FUZZ_TEXT
@given(st.dictionaries(st.sampled_from(TOP_KEYS + ("x",)), yaml_values, max_size=10))
def test_any_yaml_structure_never_raises(data):
    text = yaml.safe_dump(data, allow_unicode=True)
    assert_answers(read_exam_file(text, timezone=ZONE), text)


@FUZZ_TEXT
@given(st.binary(max_size=500))
def test_arbitrary_bytes_never_raise(data):
    result = read_exam_file(data, timezone=ZONE)
    assert result.ok or result.problems
    assert all("internal error" not in problem.message for problem in result.problems)


def test_lines_are_counted_as_an_editor_counts_them():
    # YAML breaks lines at U+0085 too; an editor shows it inside the line, so the error is on line 2.
    text = "title: \"a\x85b\x85c\"\nstatus: maybe\n"
    result = read_exam_file(text, timezone=ZONE)
    assert any(problem.line == 2 and "status" in problem.message for problem in result.problems)
