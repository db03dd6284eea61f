"""The bank checker refuses Markdown past the markup limits, each time as `path:line: message`."""
from __future__ import annotations

import pytest

from examengine.core.banks import check_paths, parse_bank
from examengine.core.markup_limits import (
    MAX_FIELD_CHARS,
    MAX_LINE_CHARS,
    MAX_MARKERS,
    MAX_NESTING,
    MAX_TABLE_COLUMNS,
)

HEAD = "## [analysis] 案例题\npoints: 3\n\n说明如下：\n"  # the stem starts on line 4, the test's text on 5
TAIL = "\n\n### 参考答案\n先确认影响范围。\n\n### 评分标准\n- (3) 确认影响范围\n"


def stem_errors(stem: str) -> list[str]:
    result = parse_bank(HEAD + stem + TAIL, source="banks/case.md")
    assert not result.ok
    return [error.format() for error in result.errors]


PROBLEMS = {
    "lists": ("\n".join("    " * level + "- 步骤" for level in range(60)),
              5 + MAX_NESTING, "lists or quotes are nested 21 levels deep"),
    "quotes": ("> " * 30 + "引用", 5, "lists or quotes are nested 30 levels deep"),
    "brackets": ("[" * 1_000, 5, "brackets `[` or `(` are nested 21 deep"),
    "parentheses": ("[链接](" * 30, 5, "brackets `[` or `(` are nested 21 deep"),
    "html": ("<div>\n" * 30, 5 + MAX_NESTING, "HTML tags are nested 21 deep"),
    "unclosed <b><i>": ("<b><i>" * 100, 5, "HTML tags are nested 200 deep"),
    "table": ("|" + "a|" * 60 + "\n|" + "-|" * 60, 5, f"table row has 60 columns, over the limit of {MAX_TABLE_COLUMNS}"),
    "emphasis": ("\n".join(["*强调*" * 400] * 5), 8, f"over the limit of {MAX_MARKERS:,}"),
    "emphasis nesting": ("**加粗 " * 100 + "x" + " 加粗**" * 100, 4,
                         "would be formatted 101 levels deep (emphasis inside emphasis"),
    "line": ("长" * (MAX_LINE_CHARS + 1), 5, f"this line is 4,001 characters long, over the limit of {MAX_LINE_CHARS:,}"),
    "size": (("案例材料。" * 50 + "\n") * 100, 4, f"25,108 characters long, over the limit of {MAX_FIELD_CHARS:,}"),
}


@pytest.mark.parametrize("name", PROBLEMS)
def test_stem_past_a_limit_is_an_error_on_its_line(name):
    stem, line, message = PROBLEMS[name]
    errors = stem_errors(stem)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"banks/case.md:{line}: ") and message in errors[0], errors[0]


def test_sections_and_options_are_checked_too():
    text = ("## [single] 选择\n\n哪个？\n\n- [x] " + "[" * 30 + "\n- [ ] 乙\n\n"
            "### 解析\n" + "<i>" * 30 + "\n")
    errors = [error.format() for error in parse_bank(text, source="b.md").errors]
    assert errors == ["b.md:5: brackets `[` or `(` are nested 21 deep here (or left open), over the limit of 20",
                      "b.md:9: HTML tags are nested 30 deep here (or left open), over the limit of 20"]


def test_long_lines_are_refused_anywhere_in_the_file():
    text = "---\ntitle: " + "长" * MAX_LINE_CHARS + "\n---\n## [truefalse] 判断\nanswer: 对\n\n正确。\n"
    errors = [error.format() for error in parse_bank(text, source="b.md").errors]
    assert errors == ["b.md:2: this line is 4,007 characters long, over the limit of 4,000: break it into shorter lines"]


def test_rich_real_markdown_passes():
    stem = ("**粗体** *斜体* `List<String>` [文档](https://example.com)\n\n"
            + "\n".join("    " * level + f"- 第 {level + 1} 层" for level in range(10)) + "\n\n"
            + "|" + "列|" * 30 + "\n|" + "-|" * 30 + "\n" + ("|" + "值|" * 30 + "\n") * 20 + "\n"
            + "```xml\n" + "<config><item>1</item>\n" * 50 + "```\n\n"
            + "> 引用\n> > 嵌套引用\n\n" + "案例说明。" * 300)
    assert parse_bank(HEAD + stem + TAIL, source="b.md").ok


def test_banks_check_reports_the_limit_with_path_and_line(tmp_path):
    path = tmp_path / "deep.md"
    path.write_text(HEAD + "<b><i>" * 100_000 + TAIL, encoding="utf-8")
    report = check_paths([str(path)])
    assert [error.format() for error in report.errors] == [
        f"{path}:4: this part of the question is 600,008 characters long, over the limit of 20,000: "
        "shorten it or split the question",
        f"{path}:5: this line is 600,000 characters long, over the limit of 4,000: break it into shorter lines",
    ]
