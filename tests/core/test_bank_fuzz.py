"""Property tests: no input makes the parser raise; it yields a bank or errors with real line numbers."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examengine.core import qtypes
from examengine.core.banks import load_bank_bytes, parse_bank

# Fragments that steer random banks into every branch of the parser.
FRAGMENTS = [
    "---", "title: t", "id: b1", "tags: [a, b]", "points: 2", "difficulty: hard", "points: -1", "tags: {a: 1}",
    "# 分类", "#", "## [single] t", "## [multiple]", "## [判断题]", "## [填空]", "## [short]", "## [analysis]",
    "## [nope]", "## no type", "##[fill]", "## 【单选】", "### 参考答案", "### Reference answer", "### 评分标准",
    "### 解析", "### 案例", "### other", "- [ ] a", "- [x] b", "* [X] c", "- [ ]", "  continued", "- (3) x",
    "- （2分） y", "- (0) z", "- no points", "answer: 对", "answer: maybe", "shuffle: false", "scoring: partial",
    "case_sensitive: yes", "id: q1", "points：3", "unknown: x", "```", "~~~", "````md", "{{443|HTTPS}}",
    "{{3.14 ± 0.01}}", "{{}}", "{{a||b}}", "{{open", r"\{{literal}}", "{{1 +- x}}", "", "", "", "问题文本",
    "\t", "\ufeff", "\r", "\x00", "\ud800",
]

lines = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=40)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_well_formed(result, text: str) -> None:
    line_count = len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    assert result.ok == (result.bank is not None) == (not result.errors)
    for error in result.errors:
        assert "internal error" not in error.message, error
        assert 0 <= error.line <= line_count
        assert error.message and isinstance(error.text, str)


@FUZZ
@given(st.text())
def test_arbitrary_text_never_raises(text):
    assert_well_formed(parse_bank(text), text)


@FUZZ
@given(lines)
def test_bank_like_text_never_raises(parts):
    text = "\n".join(parts)
    assert_well_formed(parse_bank(text, source="fuzz.md", default_key="fuzz"), text)


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data):
    result = load_bank_bytes(data, source="fuzz.md")
    assert result.ok == (result.bank is not None)
    assert all("internal error" not in error.message for error in result.errors)


@FUZZ
@given(lines)
def test_bank_like_bytes_with_limit_never_raise(parts):
    data = "\n".join(parts).encode("utf-8", "surrogatepass")
    result = load_bank_bytes(data, source="x/fuzz.md", max_bytes=300)
    assert all("internal error" not in error.message for error in result.errors)


responses = st.one_of(st.none(), st.booleans(), st.integers(-3, 6), st.floats(), st.text(max_size=10),
                      st.lists(st.one_of(st.integers(-1, 6), st.text(max_size=5), st.none()), max_size=6),
                      st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@settings(max_examples=200, deadline=None)
@given(lines, st.lists(responses, min_size=1, max_size=3))
def test_parsed_questions_grade_and_render_any_response(parts, answers):
    result = parse_bank("\n".join(parts))
    for spec in result.bank.questions if result.bank else []:
        qtype = qtypes.get(spec.qtype)
        for response in answers:
            grade = qtype.grade(spec.payload, response, spec.points)
            assert grade.needs_grading or 0 <= grade.score <= spec.points
        qtype.stem_html(spec.stem, response=answers[0])
        qtype.public_payload(spec.payload)
        assert len(spec.fingerprint) == 64


# --- generated valid banks: parsed exactly as written, and the key scores full marks -------------

WORDS = st.text(alphabet="abcXYZ019 中文，？*_<>&\"'`", min_size=1, max_size=12).map(str.strip).filter(bool)
# Options start with a letter so none looks like a list item or a heading once written down.
OPTIONS = st.lists(WORDS.map(lambda word: "o" + word), min_size=2, max_size=5, unique=True)


@st.composite
def choice_question(draw):
    options = draw(OPTIONS)
    if draw(st.booleans()):
        correct = {draw(st.integers(0, len(options) - 1))}
        qtype, response = "single", min(correct)
    else:
        correct = set(draw(st.lists(st.integers(0, len(options) - 1), min_size=1, unique=True)))
        qtype, response = "multiple", sorted(correct)
    items = "\n".join(f"- [{'x' if i in correct else ' '}] {text}" for i, text in enumerate(options))
    return f"## [{qtype}] {draw(WORDS)}\n\nq{draw(WORDS)}\n\n{items}\n", response


@st.composite
def fill_question(draw):
    answers = draw(st.lists(st.one_of(WORDS.filter(lambda w: not w.startswith(("*", "_", "`"))),
                                      st.integers(-999, 999).map(str)), min_size=1, max_size=4))
    blanks = " ".join(f"q{{{{{answer}}}}}" for answer in answers)
    return f"## [fill]\n\n{blanks}\n", answers


@st.composite
def truefalse_question(draw):
    answer = draw(st.booleans())
    word = draw(st.sampled_from(["对", "T", "true", "正确"] if answer else ["错", "F", "false", "错误"]))
    return f"## [判断]\nanswer: {word}\n\nq{draw(WORDS)}\n", answer


valid_question = st.one_of(choice_question(), fill_question(), truefalse_question())


@settings(max_examples=200, deadline=None)
@given(st.lists(valid_question, min_size=1, max_size=6))
def test_generated_banks_parse_and_their_keys_score_full_marks(questions):
    # ids, since two generated questions may be identical (an error without ids)
    text = "\n".join(source.replace("\n", f"\nid: q{i}\n", 1) for i, (source, _) in enumerate(questions))
    result = parse_bank(text)
    assert result.ok, [error.format() for error in result.errors]
    assert len(result.bank.questions) == len(questions)
    for spec, (_, key_response) in zip(result.bank.questions, questions):
        grade = qtypes.get(spec.qtype).grade(spec.payload, key_response, spec.points)
        assert grade.score == spec.points, (spec, key_response)
        assert not grade.needs_grading
