"""The Markdown bank writer: what it writes reads back as the same questions, and what would change
the file's structure is escaped."""
from __future__ import annotations

from pathlib import Path

import pytest

from examengine.core.banks import load_bank_bytes, parse_bank
from examengine.core.converters import (
    Blank,
    Option,
    QuestionDraft,
    RubricItem,
    bank_key_for,
    convert_to_bank,
    drafts_of,
    formats,
    write_bank,
)

BANKS = sorted((Path(__file__).resolve().parents[3] / "question_banks").glob("*.md"))

EVERY_FEATURE = """---
id: every-feature
title: 全部题型
---

# 网络

## [单选] HTTPS 端口
id: q-single
points: 2
difficulty: 难
tags: 协议, 端口
dimension: 产品/技术知识
shuffle: false

HTTPS 默认端口？

```bash
# 查看监听端口
ss -ltn
```

- [ ] 80
- [x] 443
    （TLS 之上的 HTTP）

### 解析
443 是 HTTPS 的标准端口。

## [多选] 传输层协议
scoring: partial

- [x] TCP
- [x] UDP
- [ ] ICMP

## [判断] ping 使用 ICMP
answer: 错

ping 使用 TCP。

## [填空] 端口与精度
case_sensitive: true

HTTPS 端口 {{443|HTTPS 端口\\|默认}}，π ≈ {{3.14 ± 0.01}}，满意度 {{85}}%，字面量 \\{{不是空}}。

## [简答] DNS 缓存
points: 2

### 参考答案
按 TTL 缓存。

### 评分标准
- (1) 提到 TTL
- (1) 提到递归解析器

## [分析题] 连接池耗尽
points: 5
dimension: 故障诊断

阅读案例并分析。

### 案例
应用日志出现 `Timeout waiting for connection from pool`。

### 参考答案
连接泄漏。

### 评分标准
- (3) 指出连接泄漏
- (2) 给出修复
"""


def round_trip(bank):
    text = write_bank(drafts_of(bank), key=bank.key, title=bank.title, description=bank.description)
    again = parse_bank(text, source="again.md")
    assert again.ok, [error.format() for error in again.errors]
    return again.bank


@pytest.mark.parametrize("path", BANKS, ids=lambda path: path.name)
def test_every_shipped_bank_reads_back_as_the_same_questions(path):
    bank = load_bank_bytes(path.read_bytes(), source=str(path)).bank
    again = round_trip(bank)
    assert (again.key, again.title, again.description) == (bank.key, bank.title, bank.description)
    assert [q.fingerprint for q in again.questions] == [q.fingerprint for q in bank.questions]
    assert [q.key for q in again.questions] == [q.key for q in bank.questions]


def test_every_type_and_feature_reads_back_unchanged():
    bank = parse_bank(EVERY_FEATURE, source="every.md").bank
    assert [q.qtype for q in bank.questions] == ["single", "multiple", "truefalse", "fill", "short", "analysis"]
    again = round_trip(bank)
    assert [q.fingerprint for q in again.questions] == [q.fingerprint for q in bank.questions]
    fill = again.questions[3]
    assert fill.payload["blanks"][0]["answers"] == ["443", "HTTPS 端口|默认"]
    assert fill.payload["blanks"][1]["tolerance"] == 0.01
    assert "\\{{不是空}}" in fill.stem


def test_structure_in_the_text_is_escaped_not_obeyed():
    stem = "# 不是分类\n## [单选] 不是新题\n### 解析\n不是解析\n### 小标题\n- [x] 不是选项\n\n答案是？"
    draft = QuestionDraft("single", stem, title="标题\n换行", options=[Option("对", True), Option("错")],
                          explanation="## 不是题\n真正的解析")
    bank = parse_bank(write_bank([draft]), source="x.md").bank
    [question] = bank.questions
    assert question.title == "标题 换行"
    assert [option["md"] for option in question.payload["options"]] == ["对", "错"]
    assert "不是新题" in question.stem and "不是解析" in question.stem and "### 小标题" in question.stem
    assert "不是选项" in question.stem
    assert question.explanation.endswith("真正的解析")


def test_a_stem_that_looks_like_metadata_stays_the_stem():
    draft = QuestionDraft("truefalse", "Note: 这是题干", answer=True, points=3)
    [question] = parse_bank(write_bank([draft]), source="x.md").bank.questions
    assert question.stem == "Note: 这是题干" and question.points == 3 and question.payload["answer"] is True


def test_fill_markers_become_blanks_and_tags_lose_their_separators():
    draft = QuestionDraft("fill", "端口 {{1}} 与 {{2}}", blanks=[Blank(["443", "HTTPS"]), Blank(["3.14"], 0.01)],
                          tags=["协议,端口", "网络"], dimension="专业技能")
    [question] = parse_bank(write_bank([draft]), source="x.md").bank.questions
    assert question.stem == "端口 {{1}} 与 {{2}}"
    assert question.payload["blanks"][0]["answers"] == ["443", "HTTPS"]
    assert question.payload["blanks"][1]["number"] == 3.14
    assert question.tags == ["协议 端口", "网络"]


def test_written_questions_keep_case_reference_and_rubric():
    draft = QuestionDraft("analysis", "分析原因", case="案例：\n## 不是题", reference="参考",
                          rubric=[RubricItem(2, "要点一"), RubricItem(1.5, "要点\n二")])
    [question] = parse_bank(write_bank([draft]), source="x.md").bank.questions
    assert question.points == 3.5
    assert question.payload["rubric"] == [{"points": 2.0, "text": "要点一"}, {"points": 1.5, "text": "要点 二"}]
    assert "不是题" in question.payload["case"]


@pytest.mark.parametrize(("name", "key"), [("题库 2026.xlsx", "题库-2026"), ("a/b/net.gift", "net"),
                                           ("C:\\x\\运维.docx", "运维"), ("...", "bank"), ("无扩展名", "无扩展名")])
def test_bank_key_from_the_file_name(name, key):
    assert bank_key_for(name) == key


def test_txt_files_are_told_apart_by_their_content():
    assert formats.detect("q.txt", "题目？\nA. 是\nB. 否\nANSWER: A\n".encode()).name == "aiken"
    assert formats.detect("q.txt", "::t:: 题目 {=是 ~否}\n".encode()).name == "gift"
    assert formats.detect("q.XLSX", b"").name == "xlsx"
    assert formats.detect("q.pdf", b"") is None


def test_an_unknown_file_type_is_one_clear_error():
    converted = convert_to_bank("scan.pdf", b"%PDF-1.7")
    assert not converted.ok and converted.total == 0
    [problem] = converted.conversion.errors
    assert problem.format().startswith("scan.pdf: unknown file type")


def test_numbers_are_written_exactly():
    draft = QuestionDraft("fill", "值 {{1}}", blanks=[Blank(["1234567.5"], 0.0012345678)], points=2.345678912)
    [question] = parse_bank(write_bank([draft]), source="x.md").bank.questions
    assert question.payload["blanks"][0]["tolerance"] == 0.0012345678
    assert question.points == 2.345678912


def test_a_txt_file_answered_in_chinese_is_aiken():
    assert formats.detect("q.txt", "题目？\nA. 是\nB. 否\n答案：A\n".encode()).name == "aiken"
