"""`flask banks check` and `flask banks import`."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from examengine.cli.banks import banks_cli
from examengine.extensions import db
from examengine.models import Bank, QuestionVersion
from tests.conftest import make_app

PROJECT_ROOT = Path(__file__).resolve().parents[2]

GOOD = """---
id: net
title: 网络基础
dimension: 产品技术知识
tags: 网络
---

## [single] HTTPS 默认端口
id: https-port

HTTPS 默认使用哪个端口？

- [ ] 80
- [x] 443

## [truefalse] UDP 无连接
id: udp
answer: 对

UDP 是无连接协议。
"""

BAD = """## [single] 两个正确选项

选哪个？

- [x] A
- [x] B

## [essay] 未知题型

写点什么。
"""


@pytest.fixture
def banks(tmp_path) -> Path:
    folder = tmp_path / "banks"
    (folder / "sub").mkdir(parents=True)
    (folder / "net.md").write_text(GOOD, encoding="utf-8")
    (folder / "sub" / "os.md").write_text("## [truefalse] 内核\nanswer: T\n\nLinux 是内核。\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not a bank", encoding="utf-8")
    return folder


@pytest.fixture
def bad_file(tmp_path) -> Path:
    path = tmp_path / "bad.md"
    path.write_text(BAD, encoding="utf-8")
    return path


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_check_clean_folder_prints_a_summary(runner, banks):
    result = runner.invoke(args=["banks", "check", str(banks)])
    assert result.exit_code == 0, result.output
    assert "single" in result.output and "truefalse" in result.output
    assert "产品技术知识" in result.output and "网络" in result.output


def test_check_reports_every_error_as_path_line_message(runner, banks, bad_file):
    result = runner.invoke(args=["banks", "check", str(banks), str(bad_file)])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith(str(bad_file))]
    assert len(lines) == 2
    assert lines[0].startswith(f"{bad_file}:5: ") and "exactly one" in lines[0]
    assert lines[1].startswith(f"{bad_file}:8: ")


def test_check_refuses_markdown_past_the_markup_limits(tmp_path):
    path = tmp_path / "deep.md"
    table = "|" + "a|" * 60 + "\n|" + "-|" * 60
    path.write_text("## [truefalse] 判断\nanswer: 对\n\n" + "[" * 30 + "\n\n### 解析\n" + table + "\n",
                    encoding="utf-8")
    result = CliRunner().invoke(banks_cli, ["check", str(path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:4: brackets `[` or `(` are nested 21 deep here (or left open), over the limit of 20",
        f"{path}:7: this table row has 60 columns, over the limit of 50",
    ]


def test_check_json(runner, banks, bad_file):
    result = runner.invoke(args=["banks", "check", "--json", str(banks)])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["files"] == 2 and data["questions"] == 3
    assert data["by_type"] == {"single": 1, "truefalse": 2}
    assert data["errors"] == []

    result = runner.invoke(args=["banks", "check", "--json", str(bad_file)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [(e["path"], e["line"]) for e in data["errors"]] == [(str(bad_file), 5), (str(bad_file), 8)]
    assert set(data["errors"][0]) == {"path", "line", "message"}


def test_check_needs_no_database(tmp_path, banks, bad_file):
    # No app at all: the command is usable in CI on a bare checkout.
    result = CliRunner().invoke(banks_cli, ["check", str(banks)])
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(banks_cli, ["check", str(bad_file)]).exit_code == 1
    # Through Flask, against a database that was never migrated.
    app = make_app(tmp_path / "unmigrated", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'none.sqlite3'}")
    assert app.test_cli_runner().invoke(args=["banks", "check", str(banks)]).exit_code == 0


def test_check_missing_path_is_an_error(runner, tmp_path):
    result = runner.invoke(args=["banks", "check", str(tmp_path / "nope.md")])
    assert result.exit_code == 1 and f"{tmp_path / 'nope.md'}:0: " in result.output


def test_import_prints_what_changed(app, runner, banks):
    result = runner.invoke(args=["banks", "import", str(banks)])
    assert result.exit_code == 0, result.output
    assert "net (网络基础)" in result.output and "added 2" in result.output
    assert "+ HTTPS 默认端口  [https-port]" in result.output
    assert count(app, Bank) == 2

    (banks / "net.md").write_text(GOOD.replace("UDP 是无连接协议。", "UDP 不建立连接。"), encoding="utf-8")
    result = runner.invoke(args=["banks", "import", str(banks / "net.md")])
    assert result.exit_code == 0
    assert "changed 1" in result.output and "unchanged 1" in result.output
    assert "~ UDP 无连接  [udp]" in result.output
    assert count(app, QuestionVersion) == 4


def test_import_with_errors_stores_nothing(app, runner, banks, bad_file):
    result = runner.invoke(args=["banks", "import", str(banks), str(bad_file)])
    assert result.exit_code == 1
    assert f"{bad_file}:5: " in result.stdout
    assert "    | - [x] A" in result.stdout and "    | ## [essay] 未知题型" in result.stdout
    assert "nothing was imported" in result.stderr
    assert count(app, Bank) == 0


def test_import_of_a_folder_without_banks_or_a_missing_file(app, runner, banks, tmp_path):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(args=["banks", "import", str(banks), str(tmp_path / "empty"), str(tmp_path / "x.md")])
    assert result.exit_code == 1
    assert "no .md files in this folder" in result.output and "no such file" in result.output
    assert count(app, Bank) == 0


SAMPLE_BANKS = PROJECT_ROOT / "question_banks"


@pytest.mark.skipif(not any(SAMPLE_BANKS.glob("*.md")), reason="no sample banks yet")
def test_sample_banks_are_clean():
    result = CliRunner().invoke(banks_cli, ["check", str(SAMPLE_BANKS)])
    assert result.exit_code == 0, result.output
