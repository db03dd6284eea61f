"""`flask exams apply` and `flask exams export`: what they print and their exit codes, in English and
Chinese."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import Exam
from tests.exam_admin_samples import load, singles
from tests.exam_builders import ensure_group, ensure_user

FILE = """\
key: net-quiz
title: 网络小测验
window:
  opens: 2030-03-02 09:00
  closes: 2030-03-02 10:00
attempts: 2
groups: [销售部]
sections:
  - title: 单选题
    rules:
      - count: 3
        banks: [net]
"""


@pytest.fixture
def setup(app):
    with app.app_context():
        load("net", singles(4))
        ensure_group("销售部")
        ensure_user("alice")


@pytest.fixture
def exam_file(tmp_path, setup) -> Path:
    path = tmp_path / "quiz.yaml"
    path.write_text(FILE, encoding="utf-8")
    return path


def exam_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Exam))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_apply_says_created_then_unchanged_then_updated(app, runner, exam_file):
    first = runner.invoke(args=["exams", "apply", "--lang", "en", str(exam_file)])
    assert (first.exit_code, first.stdout) == (0, "net-quiz (网络小测验): created\n")
    again = runner.invoke(args=["exams", "apply", "--lang", "en", str(exam_file)])
    assert (again.exit_code, again.stdout) == (0, "net-quiz (网络小测验): unchanged\n")
    write(exam_file, FILE.replace("attempts: 2", "attempts: 3").replace("title: 网络小测验", "title: 网络测验"))
    updated = runner.invoke(args=["exams", "apply", "--lang", "en", str(exam_file)])
    assert (updated.exit_code, updated.stdout) == (0, "net-quiz (网络测验): updated: title, attempts\n")
    assert exam_count(app) == 1


def test_apply_in_chinese(runner, exam_file):
    assert runner.invoke(args=["exams", "apply", "--lang", "zh", str(exam_file)]).stdout == "net-quiz（网络小测验）：已创建\n"
    assert runner.invoke(args=["exams", "apply", "--lang", "zh", str(exam_file)]).stdout == "net-quiz（网络小测验）：未变更\n"


def test_apply_prints_every_problem_as_path_line_message_and_stores_nothing(app, runner, exam_file):
    bad = FILE.replace("attempts: 2", "attempts: two").replace("groups: [销售部]", "groups: [市场部]")
    write(exam_file, bad)
    result = runner.invoke(args=["exams", "apply", "--lang", "en", str(exam_file)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{exam_file}:6: attempts must be a whole number, not 'two'",
        f"{exam_file}:7: There is no group 市场部.",
    ]
    assert result.stderr == "2 errors; nothing was stored.\n"
    assert exam_count(app) == 0


def test_problems_in_chinese(app, runner, exam_file):
    bad = FILE.replace("attempts: 2", "attempts: two").replace("groups: [销售部]", "groups: [市场部]")
    write(exam_file, bad)
    result = runner.invoke(args=["exams", "apply", "--lang", "zh", str(exam_file)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{exam_file}:6: attempts 必须是整数，而不是 'two'",
        f"{exam_file}:7: 没有名为 市场部 的用户组。",
    ]
    assert result.stderr == "2 个错误；未保存任何内容。\n"
    write(exam_file, FILE.replace("  closes: 2030-03-02 10:00", "  closes: 2030-03-02 08:00"))
    result = runner.invoke(args=["exams", "apply", "--lang", "zh", str(exam_file)])
    assert result.stdout.splitlines() == [f"{exam_file}:5: 截止时间必须晚于开始时间。"]  # the settings form's check
    assert exam_count(app) == 0


def test_the_language_follows_the_environment(runner, exam_file, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert "已创建" in runner.invoke(args=["exams", "apply", str(exam_file)]).stdout


def test_a_dry_run_stores_nothing(app, runner, exam_file):
    result = runner.invoke(args=["exams", "apply", "--dry-run", "--lang", "en", str(exam_file)])
    assert (result.exit_code, result.stdout) == (
        0, "net-quiz (网络小测验): would be created (dry run: nothing was stored)\n")
    assert exam_count(app) == 0


def test_an_unreadable_file_is_an_error(runner, tmp_path, setup):
    result = runner.invoke(args=["exams", "apply", "--lang", "en", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 1 and f"cannot read {tmp_path / 'missing.yaml'}" in result.stderr


def test_export_writes_the_file_that_applies_unchanged(runner, exam_file, tmp_path):
    runner.invoke(args=["exams", "apply", str(exam_file)])
    printed = runner.invoke(args=["exams", "export", "net-quiz"])
    assert printed.exit_code == 0
    assert "key: net-quiz\ntitle: 网络小测验\nstatus: draft\n" in printed.stdout
    assert "  opens: 2030-03-02 09:00\n" in printed.stdout and "groups: [销售部]" in printed.stdout
    target = tmp_path / "out" / "quiz.yaml"
    target.parent.mkdir()
    written = runner.invoke(args=["exams", "export", "net-quiz", "-o", str(target), "--lang", "en"])
    assert (written.exit_code, written.stderr) == (0, f"wrote {target}\n")
    assert target.read_text(encoding="utf-8") == printed.stdout
    again = runner.invoke(args=["exams", "apply", "--lang", "en", str(target)])
    assert (again.exit_code, again.stdout) == (0, "net-quiz (网络小测验): unchanged\n")


def test_export_of_an_unknown_key_fails(runner, setup):
    english = runner.invoke(args=["exams", "export", "nope", "--lang", "en"])
    assert english.exit_code == 1 and "There is no exam with the key nope." in english.stderr
    chinese = runner.invoke(args=["exams", "export", "nope", "--lang", "zh"])
    assert chinese.exit_code == 1 and "没有标识为 nope 的考试。" in chinese.stderr
