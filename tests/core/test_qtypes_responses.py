"""Question types read the examinee's responses: JSON from the exam page, or the no-JavaScript form.

`clean_response` validates and normalizes, `response_from_form` reads the fields exactly as the type's
template names them (checked by rendering the template, submitting it as a browser would, and reading
the response back), and the templates pre-fill a saved response.
"""
from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest

from examengine.core import qtypes
from examengine.core.banks import parse_bank
from examengine.core.qtypes.base import MAX_BLANK_CHARS, MAX_TEXT_CHARS

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def question(text: str):
    result = parse_bank(text)
    assert result.ok, [e.format() for e in result.errors]
    return result.bank.questions[0]


SINGLE = question("## [single]\nPort?\n\n- [ ] 80\n- [x] 443\n- [ ] 8080\n")
MULTIPLE = question("## [multiple]\nTransport?\n\n- [x] TCP\n- [ ] HTTP\n- [x] UDP\n- [x] QUIC\n")
TRUEFALSE = question("## [truefalse]\nanswer: true\n\nping uses ICMP.\n")
FILL = question("## [fill]\nHTTPS {{443}}, pi {{3.14 ± 0.01}}, and **{{tcp}}**.\n")
SHORT = question("## [short]\npoints: 3\n\nWhy?\n\n### Reference answer\nBecause.\n")
ANALYSIS = question("## [analysis]\nAnalyse.\n\n### Case\nThe case.\n\n### Reference answer\nLeak\n\n"
                    "### Rubric\n- (2) scope\n- (3) cause\n")
ALL = {"single": SINGLE, "multiple": MULTIPLE, "truefalse": TRUEFALSE, "fill": FILL, "short": SHORT,
       "analysis": ANALYSIS}


def clean(spec, raw):
    return qtypes.get(spec.qtype).clean_response(spec.payload, raw)


# --- clean_response -------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [(None, None), ("", None), (0, 0), (2, 2), ("1", 1), (" 2 ", 2)])
def test_single_clean(raw, expected):
    assert clean(SINGLE, raw) == expected


@pytest.mark.parametrize("raw", [3, -1, True, False, 1.0, "x", "１", [1], {"a": 1}, "99999999999"])
def test_single_rejects(raw):
    with pytest.raises(ValueError):
        clean(SINGLE, raw)


def test_single_error_messages_are_clear():
    with pytest.raises(ValueError, match="option 3 does not exist"):
        clean(SINGLE, 3)


@pytest.mark.parametrize("raw, expected", [
    (None, None), ([], None), ([2, 0], [0, 2]), ([1, 1, "3"], [1, 3]), ((0,), [0])])
def test_multiple_clean(raw, expected):
    assert clean(MULTIPLE, raw) == expected


@pytest.mark.parametrize("raw", [1, "0,1", [4], [-1], [True], [0, 1, 2, 3, 0], [None], {"0": True}])
def test_multiple_rejects(raw):
    with pytest.raises(ValueError):
        clean(MULTIPLE, raw)


@pytest.mark.parametrize("raw, expected", [
    (None, None), ("", None), (True, True), (False, False), ("true", True), ("False", False)])
def test_truefalse_clean(raw, expected):
    assert clean(TRUEFALSE, raw) is expected


@pytest.mark.parametrize("raw", [1, 0, "yes", "对", [True], {}])
def test_truefalse_rejects(raw):
    with pytest.raises(ValueError):
        clean(TRUEFALSE, raw)


def test_fill_clean_pads_and_normalizes():
    assert clean(FILL, None) is None
    assert clean(FILL, []) is None
    assert clean(FILL, ["", "  ", None]) is None
    assert clean(FILL, ["４４３"]) == ["４４３", "", ""]  # kept as typed: grading normalizes
    assert clean(FILL, ["a\r\nb", None, "c"]) == ["a b", "", "c"]


def test_fill_rejects():
    with pytest.raises(ValueError, match="4 blanks given, the question has 3"):
        clean(FILL, ["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="too long"):
        clean(FILL, ["x" * (MAX_BLANK_CHARS + 1)])
    for raw in ("443", [443], {"0": "a"}, [["a"]]):
        with pytest.raises(ValueError):
            clean(FILL, raw)


@pytest.mark.parametrize("spec", [SHORT, ANALYSIS])
def test_written_clean(spec):
    assert clean(spec, None) is None
    assert clean(spec, "   \n ") is None
    assert clean(spec, "line one\r\nline two") == "line one\nline two"
    assert clean(spec, "x" * MAX_TEXT_CHARS) == "x" * MAX_TEXT_CHARS
    with pytest.raises(ValueError, match="too long: 20,001 characters"):
        clean(spec, "x" * (MAX_TEXT_CHARS + 1))
    with pytest.raises(ValueError):
        clean(spec, ["text"])


def test_is_answered():
    cases = {
        "single": [(None, False), (0, True)],
        "multiple": [(None, False), ([], False), ([1], True)],
        "truefalse": [(None, False), (False, True)],
        "fill": [(None, False), (["", " "], False), (["", "x"], True)],
        "short": [(None, False), ("  ", False), ("x", True)],
    }
    for name, pairs in cases.items():
        for response, answered in pairs:
            assert qtypes.get(name).is_answered(response) is answered, (name, response)


def test_cleaned_responses_grade_as_expected():
    assert qtypes.get("fill").grade(FILL.payload, clean(FILL, ["４４３", "3.140", "TCP"]), 3).score == 3
    assert qtypes.get("single").grade(SINGLE.payload, clean(SINGLE, "1"), 2).score == 2
    assert qtypes.get("truefalse").grade(TRUEFALSE.payload, clean(TRUEFALSE, "true"), 1).score == 1
    assert qtypes.get("multiple").grade(MULTIPLE.payload, clean(MULTIPLE, [3, 2, 0]), 2).score == 2


# --- the no-JavaScript form, through the real templates ---------------------------------------------

class _Form(HTMLParser):
    """What a browser posts for a rendered form: checked radios/checkboxes, inputs, textareas."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and "disabled" not in a:
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self.fields.setdefault(a["name"], []).append(a.get("value") or "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields.setdefault(self._textarea, []).append("")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def render(spec, **kwargs) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    env.globals["_"] = lambda text: text
    qtype = qtypes.get(spec.qtype)
    view = qtype.template_context(spec.payload, stem_md=spec.stem, **kwargs)
    return env.get_template(qtype.template).render(view=view)


def posted(spec, response, field_name="q7", option_order=None) -> dict[str, list[str]]:
    form = _Form()
    form.feed(render(spec, field_name=field_name, response=response, option_order=option_order))
    return form.fields


ROUND_TRIPS = [
    (SINGLE, 1), (SINGLE, 0), (SINGLE, None),
    (MULTIPLE, [0, 2, 3]), (MULTIPLE, [1]), (MULTIPLE, None),
    (TRUEFALSE, True), (TRUEFALSE, False), (TRUEFALSE, None),
    (FILL, ["443", "", "ＴＣＰ & <b>"]), (FILL, None),
    (SHORT, "first line\nsecond <script>x</script> & \"quotes\""), (SHORT, None),
    (ANALYSIS, "a long analysis " * 50), (ANALYSIS, None),
]


@pytest.mark.parametrize("spec, response", ROUND_TRIPS)
def test_template_prefills_and_form_reads_back(spec, response):
    """Rendered with a saved response, posted as a browser would, read back: the same response."""
    order = {"single": [2, 0, 1], "multiple": [3, 1, 0, 2]}.get(spec.qtype)
    fields = posted(spec, response, option_order=order)
    qtype = qtypes.get(spec.qtype)
    read = qtype.response_from_form(spec.payload, lambda name: fields.get(name, []), "q7", option_order=order)
    assert read == response


def test_choice_values_are_displayed_positions_mapped_back_to_authored_indexes():
    """The page posts positions on the paper (0 = shown first); the stored answer is the authored index."""
    single, multiple = qtypes.get("single"), qtypes.get("multiple")
    assert [single.clean_response(SINGLE.payload, p, option_order=[2, 0, 1]) for p in (0, 1, 2)] == [2, 0, 1]
    assert single.clean_response(SINGLE.payload, "2", option_order=[2, 0, 1]) == 1
    assert multiple.clean_response(MULTIPLE.payload, [0, 1], option_order=[3, 1, 0, 2]) == [1, 3]
    assert posted(SINGLE, 1, option_order=[2, 0, 1]) == {"q7": ["2"]}  # 443, shown third
    assert posted(MULTIPLE, [0, 3], option_order=[3, 1, 0, 2]) == {"q7": ["0", "2"]}
    for raw in (3, -1, "3"):  # positions beyond the paper's options
        with pytest.raises(ValueError, match="does not exist"):
            single.clean_response(SINGLE.payload, raw, option_order=[2, 0, 1])
    with pytest.raises(ValueError, match="does not exist"):
        multiple.clean_response(MULTIPLE.payload, [0, 4], option_order=[3, 1, 0, 2])
    with pytest.raises(ValueError, match="permutation"):  # a damaged frozen order is refused, not guessed
        single.clean_response(SINGLE.payload, 0, option_order=[0, 0, 1])


def test_form_field_names():
    assert set(posted(SINGLE, 1)) == {"q7"}
    assert set(posted(MULTIPLE, [0, 1])) == {"q7"}
    assert set(posted(FILL, None)) == {"q7.0", "q7.1", "q7.2"}
    assert set(posted(ANALYSIS, None)) == {"q7"}


def test_textarea_prefill_is_escaped():
    page = render(SHORT, field_name="q0", response="</textarea><script>alert(1)</script>")
    assert "<script>alert" not in page
    assert html.escape("</textarea><script>alert(1)</script>", quote=False) in page


def test_form_rejects_tampered_values():
    with pytest.raises(ValueError):
        qtypes.get("single").response_from_form(SINGLE.payload, lambda n: ["7"], "q0")
    with pytest.raises(ValueError):
        qtypes.get("single").response_from_form(SINGLE.payload, lambda n: ["0", "1"], "q0")
    with pytest.raises(ValueError):
        qtypes.get("truefalse").response_from_form(TRUEFALSE.payload, lambda n: ["maybe"], "q0")
    with pytest.raises(ValueError):
        qtypes.get("multiple").response_from_form(MULTIPLE.payload, lambda n: ["0", "x"], "q0")
