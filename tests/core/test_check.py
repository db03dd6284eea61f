"""check_paths: files and folders, the summary, and the JSON shape `banks check --json` prints."""
from __future__ import annotations

import json

import pytest

from examengine.core.banks import (
    BankError,
    ParseResult,
    check_paths,
    duplicate_bank_keys,
    load_bank_bytes,
)

NETWORK = """---
title: 网络
dimension: 产品/技术知识
tags: [网络]
---
# HTTP

## [single] 端口
问

- [x] 443
- [ ] 80

## [fill]
dimension: 故障诊断

端口 {{443}}
"""
OPS = """## [truefalse]
answer: true

ping 使用 ICMP。

## [short]
tags: 沟通
points: 3

说明。

### 参考答案
答。
"""


@pytest.fixture
def banks(tmp_path):
    folder = tmp_path / "banks"
    (folder / "ops").mkdir(parents=True)
    (folder / "network.md").write_text(NETWORK, encoding="utf-8")
    (folder / "ops" / "ops.md").write_text(OPS, encoding="utf-8")
    (folder / "README.txt").write_text("not a bank", encoding="utf-8")
    (folder / ".github").mkdir()
    (folder / ".github" / "hidden.md").write_text("## [nope]\n", encoding="utf-8")
    return folder


def test_clean_folder_summary_and_dict(banks):
    report = check_paths([str(banks)])
    assert report.ok and report.errors == []
    assert report.files == 2 and report.questions == 4
    assert [r.bank.key for r in report.results] == ["network", "ops"]  # sorted, hidden folder skipped
    assert report.by_type == {"single": 1, "truefalse": 1, "fill": 1, "short": 1}
    assert report.by_dimension == {"产品/技术知识": 1, "故障诊断": 1}
    assert report.by_tag == {"HTTP": 2, "网络": 2, "沟通": 1}
    data = report.to_dict()
    assert set(data) == {"files", "questions", "by_type", "by_dimension", "by_tag", "errors"}
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["errors"] == [] and data["files"] == 2 and data["questions"] == 4
    assert report.summary_lines() == [
        "2 files, 4 questions, no errors",
        "by type: single 1, truefalse 1, fill 1, short 1",
        "by dimension: 产品/技术知识 1, 故障诊断 1",
        "by tag: HTTP 2, 网络 2, 沟通 1",
    ]


def test_errors_have_path_and_line(banks):
    bad = banks / "bad.md"
    bad.write_text("## [single] t\n问\n\n- [ ] a\n- [ ] b\n\n## [nope]\n", encoding="utf-8")
    report = check_paths([str(banks)])
    assert not report.ok
    assert [e.format() for e in report.errors] == [
        f"{bad}:4: a [single] question needs exactly one checked option (`- [x]`), found 0",
        (f"{bad}:7: unknown question type [nope]: use one of single (单选), multiple (多选), truefalse (判断), "
        "fill (填空), short (简答), analysis (分析)"),
    ]
    assert report.files == 3 and report.questions == 4  # the bad bank counts no questions
    assert report.to_dict()["errors"][0] == {"path": str(bad), "line": 4, "message": report.errors[0].message}
    assert report.summary_lines()[0] == "3 files, 4 questions, 2 errors"


def test_explicit_paths_missing_not_markdown_and_empty_folder(banks, tmp_path):
    (tmp_path / "empty").mkdir()
    missing, text, empty = str(tmp_path / "missing.md"), str(banks / "README.txt"), str(tmp_path / "empty")
    report = check_paths([str(banks / "network.md"), missing, text, empty])
    assert report.files == 1 and report.questions == 2
    assert [(e.path, e.line, e.message) for e in report.errors] == [
        (missing, 0, "no such file or folder"),
        (text, 0, "not a bank: bank files end in .md"),
        (empty, 0, "no .md files in this folder"),
    ]


def test_same_file_twice_is_checked_once(banks):
    report = check_paths([str(banks / "network.md"), str(banks), str(banks / "network.md")])
    assert report.ok and report.files == 2


def test_two_files_with_the_same_bank_key(banks):
    (banks / "copy.md").write_text("---\nid: network\n---\n" + OPS, encoding="utf-8")
    report = check_paths([str(banks)])
    assert [(e.path, e.line) for e in report.errors] == [(str(banks / "network.md"), 0)]
    assert "bank id 'network' is also used by" in report.errors[0].message
    assert str(banks / "copy.md") in report.errors[0].message
    # copy.md sorts first and keeps the key; network.md's questions are not counted
    assert report.questions == 4 and report.by_type == {"truefalse": 2, "short": 2}


def test_duplicate_bank_keys_helper_for_uploads():
    results = [load_bank_bytes(OPS.encode(), source=name) for name in ("a/ops.md", "b/ops.md")]
    results.append(ParseResult(None, [BankError("c.md", 0, "broken", "")]))
    errors = duplicate_bank_keys(results)
    assert [(e.path, e.line) for e in errors] == [("b/ops.md", 0)]


def test_file_size_limit_and_not_utf8(tmp_path):
    (tmp_path / "big.md").write_text(NETWORK, encoding="utf-8")
    (tmp_path / "latin.md").write_bytes("## [fill]\ncafé {{x}}\n".encode("latin-1"))
    report = check_paths([str(tmp_path)], max_bytes=100)
    assert [(e.path.rsplit("/", 1)[-1], e.line) for e in report.errors] == [("big.md", 0), ("latin.md", 2)]
    assert "over the limit" in report.errors[0].message and "UTF-8" in report.errors[1].message
