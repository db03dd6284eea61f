"""`flask exams apply`, `flask exams export` (by key, or by id giving the exam its key first) and `flask exams
list`: what they print and their exit codes, in English and Chinese."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import Exam
from examengine.models._time import utcnow
from tests.exam_admin_samples import load, singles
from tests.exam_builders import build_exam, ensure_group, ensure_user

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


# --- export --id N --key KEY: an exam made on the web ---

def web_exam(app, title: str = "网页上建的考试", status: str = "draft") -> int:
    """An exam as the settings page creates it (no key); its id."""
    with app.app_context():
        now = utcnow().replace(second=0, microsecond=0)
        exam = build_exam(bank_md=None, users=["alice"], status=status, title=title,
                          rules=[{"count": 3, "bank_keys": ["net"], "section": "单选题"}],
                          opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2))
        return exam.id


def stored_key(app, exam_id: int) -> str | None:
    with app.app_context():
        return db.session.get(Exam, exam_id).key


def test_export_by_id_gives_the_key_then_applies_unchanged(app, runner, setup, tmp_path):
    exam_id = web_exam(app)
    target = tmp_path / "web.yaml"
    result = runner.invoke(args=["exams", "export", "--id", str(exam_id), "--key", "web-made", "-o", str(target),
                                 "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"web-made (网页上建的考试): the exam {exam_id} has this key now\nwrote {target}\n"
    assert stored_key(app, exam_id) == "web-made"
    assert "key: web-made\ntitle: 网页上建的考试\nstatus: draft\n" in target.read_text(encoding="utf-8")
    again = runner.invoke(args=["exams", "apply", "--lang", "en", str(target)])
    assert (again.exit_code, again.stdout) == (0, "web-made (网页上建的考试): unchanged\n")
    assert exam_count(app) == 1
    by_key = runner.invoke(args=["exams", "export", "web-made"])  # `export KEY` works from now on
    assert by_key.exit_code == 0 and by_key.stdout == target.read_text(encoding="utf-8")


def test_export_by_id_in_chinese(app, runner, setup):
    exam_id = web_exam(app)
    result = runner.invoke(args=["exams", "export", "--id", str(exam_id), "--key", "期中-2030", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"期中-2030（网页上建的考试）：考试 {exam_id} 现在使用此标识\n"
    assert "key: 期中-2030\n" in result.stdout
    again = runner.invoke(args=["exams", "export", "--id", str(exam_id), "--key", "期中-2030", "--lang", "zh"])
    assert (again.exit_code, again.stderr, again.stdout) == (0, "", result.stdout)  # the same key: nothing to say


def test_export_by_id_alone_exports_an_exam_that_has_a_key(app, runner, exam_file):
    runner.invoke(args=["exams", "apply", str(exam_file)])
    with app.app_context():
        exam_id = db.session.scalar(select(Exam.id).where(Exam.key == "net-quiz"))
    result = runner.invoke(args=["exams", "export", "--id", str(exam_id)])
    assert result.exit_code == 0 and result.stdout == runner.invoke(args=["exams", "export", "net-quiz"]).stdout


ERRORS = {  # case -> (English, Chinese), "{id}" the web exam's id, "{other}" the keyed exam's id
    "unknown id": ("There is no exam with the id 999: `flask exams list` shows the ids.",
                   "没有 id 为 999 的考试：`flask exams list` 会列出所有考试的 id。"),
    "taken": ("The key net-quiz belongs to the exam {other} (网络小测验) already: choose another key.",
              "标识 net-quiz 已属于考试 {other}（网络小测验）：请另选一个标识。"),
    "has another key": ("The exam {other} has the key net-quiz already, and a key never changes: export it with "
                        "`exams export net-quiz`.",
                        "考试 {other} 已有标识 net-quiz，标识一经设定不再更改：请用 `exams export net-quiz` 导出。"),
    "invalid": ("exam key 'two words' is not valid: use up to 100 letters, digits, `_`, `-` or `.`, without spaces",
                "考试标识（key） 'two words' 无效：最多 100 个字母、数字、`_`、`-` 或 `.`，不能有空格"),
    "no key yet": ("The exam {id} has no key yet: give it one with --key KEY.",
                   "考试 {id} 还没有标识：请用 --key KEY 为它设定一个。"),
}
ARGS = {"unknown id": ["--id", "999", "--key", "web-made"], "taken": ["--id", "{id}", "--key", "net-quiz"],
        "has another key": ["--id", "{other}", "--key", "renamed"], "invalid": ["--id", "{id}", "--key", "two words"],
        "no key yet": ["--id", "{id}"]}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("case", sorted(ERRORS))
def test_export_by_id_refusals_exit_1_and_store_nothing(app, runner, exam_file, case, language):
    runner.invoke(args=["exams", "apply", str(exam_file)])
    exam_id = web_exam(app)
    with app.app_context():
        other = db.session.scalar(select(Exam.id).where(Exam.key == "net-quiz"))
    args = [arg.format(id=exam_id, other=other) for arg in ARGS[case]]
    result = runner.invoke(args=["exams", "export", *args, "--lang", language])
    message = ERRORS[case][0 if language == "en" else 1].format(id=exam_id, other=other)
    assert result.exit_code == 1 and result.stdout == ""
    assert message in result.stderr
    assert (stored_key(app, exam_id), stored_key(app, other)) == (None, "net-quiz")


@pytest.mark.parametrize("args, english, chinese", [
    ([], "give the exam's KEY, or --id N (with --key KEY for an exam without a key)",
     "请给出考试的 KEY，或 --id N（没有标识的考试还要加 --key KEY）"),
    (["net-quiz", "--id", "1"], "give the exam's KEY, or --id N (with --key KEY for an exam without a key)",
     "请给出考试的 KEY，或 --id N（没有标识的考试还要加 --key KEY）"),
    (["net-quiz", "--key", "other"], "--key goes with --id N: the exam to give the key",
     "--key 须与 --id N 一起使用：--id 指明要设定标识的考试"),
])
def test_export_needs_a_key_or_an_id(runner, setup, args, english, chinese):
    for language, message in (("en", english), ("zh", chinese)):
        result = runner.invoke(args=["exams", "export", *args, "--lang", language])
        assert result.exit_code == 2 and message in result.stderr


# --- list ---

def test_list_shows_every_exam_with_its_id_key_state_and_title(app, runner, exam_file):
    runner.invoke(args=["exams", "apply", str(exam_file)])
    web_id = web_exam(app, title="网页考试 B", status="published")  # opens tomorrow
    archived_id = web_exam(app, title="旧考试")
    with app.app_context():
        keyed = db.session.scalar(select(Exam.id).where(Exam.key == "net-quiz"))
        db.session.get(Exam, archived_id).status = "archived"
        db.session.commit()
    english = runner.invoke(args=["exams", "list", "--lang", "en"])
    assert english.exit_code == 0
    assert english.stdout.splitlines() == [f"{keyed}\tnet-quiz\tDraft\t网络小测验", f"{web_id}\t-\tScheduled\t网页考试 B",
                                           f"{archived_id}\t-\tArchived\t旧考试"]
    chinese = runner.invoke(args=["exams", "list", "--lang", "zh"])
    assert chinese.stdout.splitlines() == [f"{keyed}\tnet-quiz\t草稿\t网络小测验", f"{web_id}\t-\t未开始\t网页考试 B",
                                           f"{archived_id}\t-\t已归档\t旧考试"]
    as_json = runner.invoke(args=["exams", "list", "--json", "--lang", "zh"])
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout) == [
        {"id": keyed, "key": "net-quiz", "title": "网络小测验", "status": "draft"},
        {"id": web_id, "key": "", "title": "网页考试 B", "status": "scheduled"},
        {"id": archived_id, "key": "", "title": "旧考试", "status": "archived"},
    ]


def test_list_without_exams(runner, setup):
    assert runner.invoke(args=["exams", "list", "--json"]).stdout == "[]\n"
    english = runner.invoke(args=["exams", "list", "--lang", "en"])
    assert (english.exit_code, english.stdout, english.stderr) == (0, "", "No exams yet.\n")
    assert runner.invoke(args=["exams", "list", "--lang", "zh"]).stderr == "暂无考试。\n"
