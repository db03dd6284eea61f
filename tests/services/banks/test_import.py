"""Importing banks: all or nothing, versioning on re-import, retirement instead of deletion."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from examengine.extensions import db
from examengine.models import Bank, Question, QuestionTag, QuestionVersion
from examengine.services.banks import import_banks
from examengine.services.banks import imports as bank_import

MAX = 2 * 1024 * 1024

NET = """---
id: net
title: 网络基础
dimension: 产品技术知识
---

# 协议

## [single] HTTPS 默认端口
id: https-port
difficulty: easy
tags: TLS, 端口

HTTPS 默认使用哪个端口？

- [ ] 80
- [x] 443

## [truefalse] UDP 无连接
id: udp
answer: 对

UDP 是无连接协议。

## [fill] DNS 端口

DNS 默认端口是 {{53}}。
"""

OS = """---
id: os
title: 操作系统
---

## [multiple] Linux 查看进程
id: ps

哪些命令可以查看进程？

- [x] ps
- [x] top
- [ ] ls
"""

BAD_SINGLE = """## [single] 两个正确选项
id: two

选哪个？

- [x] A
- [x] B
"""


def run(app, *files):
    with app.app_context():
        return import_banks([(name, text.encode()) for name, text in files], max_bytes=MAX)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def versions(app, bank_key="net") -> dict[str, list[tuple[int, int, bool]]]:
    """identity -> [(version id, number, is_current)] for every question of the bank."""
    with app.app_context():
        rows = db.session.execute(
            select(Question.identity, QuestionVersion.id, QuestionVersion.number, QuestionVersion.is_current)
            .join(QuestionVersion.question).join(Question.bank).where(Bank.key == bank_key)
            .order_by(QuestionVersion.number)
        )
        result: dict[str, list] = {}
        for identity, vid, number, current in rows:
            result.setdefault(identity, []).append((vid, number, current))
        return result


def retired(app, bank_key="net") -> set[str]:
    with app.app_context():
        return set(db.session.scalars(
            select(Question.identity).join(Question.bank)
            .where(Bank.key == bank_key, Question.retired_at.is_not(None))
        ))


def test_new_bank_is_stored_with_versions_and_tags(app):
    report = run(app, ("net.md", NET))
    assert report.ok, report.errors
    [bank] = report.banks
    assert (bank.key, bank.title, bank.created) == ("net", "网络基础", True)
    assert bank.counts == {"added": 3, "changed": 0, "restored": 0, "retired": 0, "unchanged": 0}
    assert [ref.title for ref in bank.added] == ["HTTPS 默认端口", "UDP 无连接", "DNS 端口"]
    assert all(rows == [(rows[0][0], 1, True)] for rows in versions(app).values())
    with app.app_context():
        https = db.session.scalars(select(QuestionVersion).where(QuestionVersion.title == "HTTPS 默认端口")).one()
        assert {"TLS", "端口", "协议"} <= set(https.tags)
        assert https.dimension == "产品技术知识"
        assert https.question.position == 0 and https.source_line > 0


def test_bank_with_one_bad_question_stores_nothing(app):
    report = run(app, ("net.md", NET + "\n" + BAD_SINGLE))
    assert not report.ok and not report.banks
    [error] = report.errors
    assert error.path == "net.md"
    assert error.line == NET.count("\n") + 1 + BAD_SINGLE.splitlines().index("- [x] A") + 1
    assert "exactly one" in error.message
    assert error.text == "- [x] A"
    assert count(app, Bank) == count(app, Question) == count(app, QuestionVersion) == 0


def test_multi_file_import_with_one_bad_file_stores_nothing(app):
    report = run(app, ("net.md", NET), ("os.md", OS), ("bad.md", BAD_SINGLE))
    assert [error.path for error in report.errors] == ["bad.md"]
    assert count(app, Bank) == count(app, Question) == 0


def test_two_files_with_the_same_bank_id_are_rejected(app):
    report = run(app, ("net.md", NET), ("copy.md", NET))
    [error] = report.errors
    assert (error.path, error.line, error.text) == ("copy.md", 2, "id: net")
    assert "net.md" in error.message
    assert count(app, Bank) == 0


def test_reimport_leaves_unchanged_questions_untouched(app):
    run(app, ("net.md", NET))
    before = versions(app)
    report = run(app, ("net.md", NET))
    [bank] = report.banks
    assert bank.created is False
    assert bank.counts["unchanged"] == 3 and bank.counts["added"] == bank.counts["changed"] == 0
    assert versions(app) == before


def test_changed_question_gets_a_new_version_and_keeps_the_old(app):
    run(app, ("net.md", NET))
    old = versions(app)["https-port"]
    report = run(app, ("net.md", NET.replace("HTTPS 默认使用哪个端口？", "HTTPS 默认监听哪个 TCP 端口？")))
    [bank] = report.banks
    assert [ref.identity for ref in bank.changed] == ["https-port"]
    assert bank.counts["unchanged"] == 2
    rows = versions(app)["https-port"]
    assert rows[0] == (old[0][0], 1, False)
    assert rows[1][1:] == (2, True)
    with app.app_context():
        current = db.session.get(QuestionVersion, rows[1][0])
        assert "TCP" in current.stem and {"TLS", "端口"} <= set(current.tags)
        assert "TCP" not in db.session.get(QuestionVersion, rows[0][0]).stem


def test_missing_question_is_retired_and_restored_when_it_reappears(app):
    run(app, ("net.md", NET))
    without_udp = NET.replace("## [truefalse] UDP 无连接\nid: udp\nanswer: 对\n\nUDP 是无连接协议。\n", "")
    report = run(app, ("net.md", without_udp))
    [bank] = report.banks
    assert [ref.identity for ref in bank.retired] == ["udp"]
    assert [ref.title for ref in bank.retired] == ["UDP 无连接"]
    assert retired(app) == {"udp"}
    assert len(versions(app)["udp"]) == 1  # retired, not deleted

    report = run(app, ("net.md", without_udp))
    assert report.banks[0].counts["retired"] == 0  # already retired: not reported again

    report = run(app, ("net.md", NET))
    assert [ref.identity for ref in report.banks[0].restored] == ["udp"]
    assert retired(app) == set()
    assert versions(app)["udp"][0][1:] == (1, True)


def test_question_without_id_is_identified_by_its_content(app):
    run(app, ("net.md", NET))
    [fill_identity] = [key for key in versions(app) if key not in ("https-port", "udp")]
    assert run(app, ("net.md", NET)).banks[0].counts["unchanged"] == 3

    report = run(app, ("net.md", NET.replace("{{53}}", "{{53|domain}}")))
    [bank] = report.banks
    assert [ref.identity for ref in bank.retired] == [fill_identity]
    assert [ref.title for ref in bank.added] == ["DNS 端口"]
    assert retired(app) == {fill_identity}


def test_reordering_updates_positions_only(app):
    run(app, ("os.md", OS), ("net.md", NET))
    before = versions(app)
    head, _, rest = NET.partition("## [single]")
    single, _, tail = rest.partition("## [truefalse]")
    reordered = head + "## [truefalse]" + tail + "\n## [single]" + single
    report = run(app, ("net.md", reordered))
    assert report.banks[0].counts["unchanged"] == 3
    assert versions(app) == before
    with app.app_context():
        positions = dict(db.session.execute(select(Question.identity, Question.position)
                                            .join(Question.bank).where(Bank.key == "net")).all())
        assert positions["udp"] < positions["https-port"]


def test_same_question_twice_without_id_is_an_error(app):
    twice = "## [truefalse] 重复\nanswer: 对\n\n同一道题。\n\n"
    report = run(app, ("dup.md", twice + twice))
    assert not report.ok
    assert report.errors[-1].line == 6
    assert count(app, Question) == 0


def test_value_longer_than_its_column_is_an_error_not_a_database_failure(app):
    long_title = "长" * 301
    report = run(app, ("long.md", f"## [truefalse] {long_title}\nanswer: 对\n\n题干。\n"))
    [error] = report.errors
    assert (error.line, "300") == (1, "300") and "title" in error.message
    assert error.text.startswith("## [truefalse]")
    assert count(app, Bank) == 0


@pytest.mark.parametrize("data", [b"", b"\xff\xfe\x00not utf-8", b"---\nid: [broken\n---\n"])
def test_unreadable_files_are_errors(app, data):
    with app.app_context():
        report = import_banks([("bad.md", data)], max_bytes=MAX)
    assert report.errors and all(error.path == "bad.md" for error in report.errors)
    assert count(app, Bank) == 0


def test_file_over_the_limit_is_an_error(app):
    with app.app_context():
        report = import_banks([("net.md", NET.encode())], max_bytes=100)
    assert report.errors and count(app, Bank) == 0


def test_database_error_rolls_back_everything(app, monkeypatch):
    def failing_insert(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(bank_import, "_insert_versions", failing_insert)
    report = run(app, ("net.md", NET), ("os.md", OS))
    [error] = report.errors
    assert "nothing was stored" in error.message and "disk I/O error" in error.message
    assert count(app, Bank) == count(app, Question) == count(app, QuestionTag) == 0


def test_no_files_is_an_error(app):
    assert not run(app).ok


# --- the work an import does grows with the number of questions, not faster ---

def tiny_bank(count: int, *, changed: bool = False) -> str:
    return "".join(f"## [truefalse] 第 {n} 题\nanswer: 对\n\n说法 {n}{'（修订）' if changed and n % 3 == 0 else ''}。\n\n"
                   for n in range(count))


def statements_per_import(app, count: int) -> list[int]:
    """SQL statements (an executemany counts once) of a first import, an unchanged and a changed re-import."""
    from sqlalchemy import event

    counted = []
    with app.app_context():
        executed = []

        def count_statement(*_args):
            executed.append(1)

        event.listen(db.engine, "before_cursor_execute", count_statement)
        try:
            for text in (tiny_bank(count), tiny_bank(count), tiny_bank(count, changed=True)):
                executed.clear()
                assert import_banks([(f"tiny{count}.md", text.encode())], max_bytes=MAX).ok
                counted.append(len(executed))
        finally:
            event.remove(db.engine, "before_cursor_execute", count_statement)
    return counted


def test_statements_per_import_do_not_grow_with_the_questions(app):
    assert statements_per_import(app, 20) == statements_per_import(app, 400)


def test_each_question_is_fingerprinted_once(app, monkeypatch):
    """The content hash identifies questions without an id; it was once recomputed nine times each."""
    import hashlib

    from examengine.core.banks import specs

    calls = []

    class CountingHashlib:
        @staticmethod
        def sha256(data):
            calls.append(1)
            return hashlib.sha256(data)

    monkeypatch.setattr(specs, "hashlib", CountingHashlib)
    with app.app_context():
        assert import_banks([("tiny.md", tiny_bank(50).encode())], max_bytes=MAX).ok
    assert len(calls) == 50
