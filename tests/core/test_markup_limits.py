"""Markup limits: pathological Markdown is never given to Markdown/bleach, real Markdown still is.

No timing here: each test asserts which path the renderer takes (`too_complex()` and the
`data-markup-plain` wrapper), which is what keeps the slow path out of reach.
"""
from __future__ import annotations

import html
import re

import pytest

from examengine.core import markup
from examengine.core.markup import plain_text_html, render_markdown, sanitize, too_complex
from examengine.core.markup_limits import (
    MAX_FIELD_CHARS,
    MAX_FIELD_LINES,
    MAX_LINE_CHARS,
    MAX_MARKERS,
    MAX_NESTING,
    MAX_TABLE_COLUMNS,
    container_depth,
    markup_problem,
)
from tests.core.test_markup import DANGEROUS


def table(columns: int, rows: int = 1) -> str:
    return ("|" + "h|" * columns + "\n|" + "-|" * columns + "\n"
            + ("|" + "a|" * columns + "\n") * rows)


# The outside test's inputs: each once took the question page 11 s to a 500, or tied up a worker.
PATHOLOGICAL = {
    "400 nested lists": "\n".join("    " * level + "- item" for level in range(400)),
    "100,000 nested brackets": "[" * 100_000 + "x" + "]" * 100_000,
    "30,000 nested divs": "<div>" * 30_000 + "x" + "</div>" * 30_000,
    "100,000 unclosed <b><i>": "<b><i>" * 100_000,
    "50,000-column table": table(50_000),
    "200,000 emphasis markers": "*a" * 100_000,
}

# The same shapes cut to fit the size limit: each is caught by its own check, not by the size.
WITHIN_SIZE = {
    "nesting": ("\n".join("    " * level + "- item" for level in range(60)), 21),
    "brackets": ("[" * 1_000 + "x" + "]" * 1_000, 1),
    "html": ("\n".join(["<div>" * 10] * 30), 3),
    "table_columns": (table(MAX_TABLE_COLUMNS + 1), 1),
    "markers": ("\n".join(["*a" * (MAX_MARKERS // 3)] * 5), 4),
    "line_chars": ("x" * (MAX_LINE_CHARS + 1), 1),
    "field_lines": ("a\n" * MAX_FIELD_LINES + "a", MAX_FIELD_LINES + 1),
    "field_chars": ("x" * (MAX_FIELD_CHARS + 1), 1),
}


def rendered_plain(text: str) -> str:
    markup._render.cache_clear()
    output = render_markdown(text)
    assert 'data-markup-plain="' in output, output[:300]
    return output


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_input_is_shown_as_written(name):
    text = PATHOLOGICAL[name]
    assert too_complex(text) is not None
    output = rendered_plain(text)
    assert output.count("<pre>") == 1
    assert not DANGEROUS.search(output)
    assert html.escape(text[:50]) in output  # the text itself, escaped
    assert len(output) < 7 * markup.MAX_PLAIN_CHARS  # cut, however much was stored


@pytest.mark.parametrize("kind", WITHIN_SIZE)
def test_each_limit_is_checked_on_its_own(kind):
    text, line = WITHIN_SIZE[kind]
    problem = markup_problem(text)
    assert (problem.kind, problem.line) == (kind, line)
    assert str(problem.limit) in problem.message.replace(",", "")
    assert f'data-markup-plain="{kind}"' in rendered_plain(text)


def test_active_content_in_complex_text_stays_inert():
    text = "<script>alert(1)</script><img src=x onerror=alert(2)>" + "[" * (MAX_NESTING + 1)
    output = rendered_plain(text)
    assert "<script" not in output and "<img" not in output
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in output


def test_real_markdown_at_the_limits_is_still_formatted():
    nested = "\n".join("    " * level + f"- level {level + 1}" for level in range(MAX_NESTING))
    quotes = "> " * MAX_NESTING + "deep quote"
    wide = table(MAX_TABLE_COLUMNS)
    brackets = "[" * (MAX_NESTING - 1) + "[link](https://example.com)" + "]" * (MAX_NESTING - 1)
    for text, fragment in ((nested, "level 20"), (quotes, "<blockquote>"), (wide, "<td>a</td>"),
                           (brackets, 'href="https://example.com"')):
        assert too_complex(text) is None
        output = render_markdown(text)
        assert 'data-markup-plain' not in output and fragment in output


def test_code_does_not_count_as_html():
    """Generics and XML in code are shown as text by Markdown, so they are not nested tags."""
    inline = "Use `List<String>` and `Map<String, List<Integer>>` here. " * 30
    fenced = "```xml\n" + "<node>\n" * 100 + "```\n"
    for text in (inline, fenced):
        assert too_complex(text) is None
        assert "&lt;" in render_markdown(text) and "data-markup-plain" not in render_markdown(text)


def test_brackets_are_counted_per_paragraph_and_escapes_are_skipped():
    assert too_complex(("[" * 15 + " open\n\n") * 20) is None
    assert too_complex("\\[" * (MAX_NESTING + 5)) is None
    assert markup_problem("[" * 15 + "\n" + "(" * 21).kind == "brackets"


def test_container_depth():
    assert container_depth("- a") == 1
    assert container_depth("    - a") == 2
    assert container_depth("\t\t- a") == 3
    assert container_depth("> > - a") == 3
    assert container_depth("  " * 40 + "- a") == 21  # two-space nesting counts too
    assert container_depth("plain text") == 0


def test_markers_limit_counts_every_marker_kind():
    text = "\n".join(["*_`[]<|&" * 100] * (MAX_MARKERS // 800 + 1))
    assert markup_problem(text).kind == "markers"


def test_emphasis_nested_deeper_than_the_output_limit_is_shown_as_written():
    """Emphasis inside emphasis is the one structure the source limits leave unbounded."""
    deep = "**a " * 200 + "x" + " a**" * 200
    problem = too_complex(deep)
    assert (problem.kind, problem.found) == ("html_depth", 201)
    assert 'data-markup-plain="html_depth"' in rendered_plain(deep)
    shallow = "**a " * 10 + "x" + " a**" * 10
    assert too_complex(shallow) is None and "<strong>" in render_markdown(shallow)


def test_output_that_bleach_would_choke_on_is_not_parsed():
    deep = "<div>" * 1_000 + "x"
    assert sanitize(deep) == html.escape(deep)
    assert sanitize("<p>fine <b>bold</b></p>") == "<p>fine <b>bold</b></p>"


def test_plain_text_keeps_fill_placeholders_outside_tags():
    output = plain_text_html("a <b> blank123x", "markers")
    parts = re.split(r"(<[^>]*>)", output)
    assert any("blank123x" in part for part in parts if not part.startswith("<"))


def test_fill_blanks_stay_answerable_in_a_complex_stem():
    from examengine.core import qtypes

    stem = "[" * (MAX_NESTING + 1) + " 端口是 {{1}}"
    stem_html = qtypes.get("fill").stem_html(stem, field_name="answer", response=["443"])
    assert 'data-markup-plain="brackets"' in stem_html
    assert 'name="answer.0"' in stem_html and 'value="443"' in stem_html
