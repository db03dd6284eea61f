"""`flask banks convert|export|template`: other formats in as Markdown banks, stored banks out."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from examengine.core.banks import load_bank_bytes, parse_bank

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NETWORK = PROJECT_ROOT / "question_banks" / "network-os.md"

AIKEN = """HTTPS 默认使用哪个端口？
A. 80
B. 443
C. 8080
ANSWER: B

哪个命令查看 Linux 监听端口？
A. ps aux
B. ss -ltn
ANSWER: B

缺少答案的题
A. 是
B. 否
"""


def fingerprints(text: str) -> list[str]:
    result = parse_bank(text, source="x.md")
    assert result.ok, [error.format() for error in result.errors]
    return [question.fingerprint for question in result.bank.questions]


def test_convert_writes_a_checked_bank_and_reports_the_bad_question_with_its_line(runner, tmp_path):
    source = tmp_path / "端口题.txt"
    source.write_text(AIKEN, encoding="utf-8")
    out = tmp_path / "out.md"
    result = runner.invoke(args=["banks", "convert", str(source), "-o", str(out), "--check", "--lang", "en"])
    assert result.exit_code == 1  # the question without ANSWER is an error
    assert f"{source}:12:" in result.output  # the question without ANSWER starts there
    bank = parse_bank(out.read_text(encoding="utf-8"), source=str(out)).bank
    assert [q.qtype for q in bank.questions] == ["single", "single"]
    assert bank.key == "端口题"
    assert "2 questions; not converted: 0; errors: 1" in result.output


def test_convert_prints_the_markdown_of_one_input_and_says_it_in_chinese(runner, tmp_path):
    source = tmp_path / "q.aiken"
    source.write_text(AIKEN.split("\n\n缺少")[0] + "\n", encoding="utf-8")
    result = runner.invoke(args=["banks", "convert", str(source), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert "## [单选题]" in result.output and "- [x] 443" in result.output
    assert "2 道题" in result.output


def test_several_inputs_need_an_output_folder(runner, tmp_path):
    first, second = tmp_path / "a.aiken", tmp_path / "b.aiken"
    for path in (first, second):
        path.write_text("题？\nA. 是\nB. 否\nANSWER: A\n", encoding="utf-8")
    result = runner.invoke(args=["banks", "convert", str(first), str(second), "--lang", "en"])
    assert result.exit_code == 2 and "-o FOLDER" in result.output
    result = runner.invoke(args=["banks", "convert", str(first), str(second), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.md", "b.md"]


def test_export_of_a_markdown_file_reads_back_as_the_same_questions(runner, tmp_path):
    out = tmp_path / "again.md"
    result = runner.invoke(args=["banks", "export", str(NETWORK), "--format", "md", "-o", str(out)])
    assert result.exit_code == 0, result.output
    original = load_bank_bytes(NETWORK.read_bytes(), source=str(NETWORK)).bank
    assert fingerprints(out.read_text(encoding="utf-8")) == [q.fingerprint for q in original.questions]


@pytest.mark.parametrize("format_name", ["md", "moodle-xml", "qti", "xlsx"])
def test_export_of_a_stored_bank_in_every_format(runner, tmp_path, format_name):
    assert runner.invoke(args=["banks", "import", str(NETWORK)]).exit_code == 0
    out = tmp_path / "bank.out"
    result = runner.invoke(args=["banks", "export", "network-os", "--format", format_name, "-o", str(out)])
    assert result.exit_code == 0, result.output
    content = out.read_bytes()
    if format_name == "md":
        original = load_bank_bytes(NETWORK.read_bytes(), source=str(NETWORK)).bank
        assert fingerprints(content.decode()) == [q.fingerprint for q in original.questions]
    elif format_name == "moodle-xml":
        assert content.lstrip().startswith(b"<?xml") and b"<quiz" in content
    elif format_name == "qti":
        assert "imsmanifest.xml" in zipfile.ZipFile(io.BytesIO(content)).namelist()
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        assert sheet.max_row == 1 + 37
    # what was exported converts back to the same questions
    back = tmp_path / "back.md"
    suffix = {"md": ".md", "moodle-xml": ".xml", "qti": ".zip", "xlsx": ".xlsx"}[format_name]
    if format_name != "md":
        renamed = out.rename(out.with_suffix(suffix))
        result = runner.invoke(args=["banks", "convert", str(renamed), "-o", str(back), "--check"])
        assert result.exit_code == 0, result.output
        original = load_bank_bytes(NETWORK.read_bytes(), source=str(NETWORK)).bank
        assert fingerprints(back.read_text(encoding="utf-8")) == [q.fingerprint for q in original.questions]


def test_export_of_an_unknown_bank_is_a_clear_error(runner):
    result = runner.invoke(args=["banks", "export", "没有这个", "--lang", "zh"])
    assert result.exit_code == 1 and "没有 id 为 '没有这个' 的题库" in result.output


def test_template_is_written_and_converts_without_errors(runner, tmp_path):
    out = tmp_path / "template.xlsx"
    assert runner.invoke(args=["banks", "template", "-o", str(out)]).exit_code == 0
    result = runner.invoke(args=["banks", "convert", str(out), "-o", str(tmp_path / "t.md"), "--check"])
    assert result.exit_code == 0, result.output
