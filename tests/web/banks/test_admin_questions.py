"""Admin question pages: the bank list, the question browser (filters, paging) and the preview."""
from __future__ import annotations

import re

from sqlalchemy import event, func, select

from examengine.extensions import db
from examengine.models import Bank, Question, QuestionVersion
from tests.web.bank_samples import NET, question_id, seed


def test_bank_list_counts_per_type_and_retired(app, admin_client):
    seed(app, ("net.md", NET))
    seed(app, ("net.md", NET.split("## [short]")[0]))  # retires the short question
    page = admin_client.get("/admin/banks").text
    row = re.search(r'<tr data-bank="net">(.*?)</tr>', page, re.DOTALL).group(1)
    assert 'data-count="total">2<' in row
    assert 'data-count="single">1<' in row and 'data-count="short">0<' in row
    assert 'data-count="retired">1<' in row


def browse(client, **params) -> list[str]:
    page = client.get("/admin/questions", query_string=params)
    assert page.status_code == 200
    table = re.search(r'data-testid="question-table">(.*?)</table>', page.text, re.DOTALL)
    if not table:
        return []
    return re.findall(r'/admin/questions/\d+">([^<]+)</a>', table.group(1))


def test_browser_filters(app, admin_client):
    seed(app, ("net.md", NET))
    assert browse(admin_client) == ["HTTPS 默认端口", "UDP 无连接", "排查思路"]
    assert browse(admin_client, q="无连接") == ["UDP 无连接"]
    assert browse(admin_client, q="https") == ["HTTPS 默认端口"]  # case-insensitive
    assert browse(admin_client, q="网页打不开") == ["排查思路"]  # matches the stem
    assert browse(admin_client, q="100%") == []  # LIKE wildcards are literal
    assert browse(admin_client, tag="TLS") == ["HTTPS 默认端口"]
    assert browse(admin_client, tag="协议") == ["HTTPS 默认端口", "UDP 无连接", "排查思路"]
    assert browse(admin_client, type="truefalse") == ["UDP 无连接"]
    assert browse(admin_client, dimension="故障诊断") == ["排查思路"]
    assert browse(admin_client, difficulty=1) == ["UDP 无连接"]
    with app.app_context():
        bank_id = db.session.scalar(select(Bank.id))
    assert len(browse(admin_client, bank=bank_id)) == 3
    assert browse(admin_client, bank=bank_id + 1) == []
    assert browse(admin_client, type="single", tag="TLS", q="端口") == ["HTTPS 默认端口"]


def test_browser_hides_retired_questions(app, admin_client):
    seed(app, ("net.md", NET))
    seed(app, ("net.md", NET.split("## [short]")[0]))
    assert browse(admin_client) == ["HTTPS 默认端口", "UDP 无连接"]


def test_browser_pages(app, admin_client):
    many = "".join(f"## [truefalse] 判断题 {n:02d}\nanswer: 对\n\n第 {n} 题。\n\n" for n in range(30))
    seed(app, ("many.md", many))
    first = browse(admin_client)
    second = browse(admin_client, page=2)
    assert len(first) == 25 and len(second) == 5
    assert second[-1] == "判断题 29"
    assert browse(admin_client, page=9) == []
    page = admin_client.get("/admin/questions", query_string={"q": "判断"}).text
    assert "page=2" in page and "q=" in page  # paging links keep the filters


def test_preview_shows_question_key_and_history(app, admin_client):
    seed(app, ("net.md", NET))
    seed(app, ("net.md", NET.replace("HTTPS 默认使用哪个", "HTTPS 默认监听哪个")))
    qid = question_id(app, "https-port")
    page = admin_client.get(f"/admin/questions/{qid}")
    assert page.status_code == 200
    assert "默认监听哪个<strong>端口</strong>" in page.text
    assert "443" in page.text and "80" in page.text
    assert 'data-testid="answer-key"' in page.text
    assert "443 是 HTTPS 的标准端口" in page.text
    history = re.search(r'data-testid="version-history">(.*?)</table>', page.text, re.DOTALL).group(1)
    assert history.count("<tr") == 3  # header + 2 versions
    old = admin_client.get(f"/admin/questions/{qid}?version=1")
    assert "默认使用哪个" in old.text
    assert admin_client.get(f"/admin/questions/{qid}?version=7").status_code == 404


def test_preview_of_a_written_question_shows_reference_and_rubric(app, admin_client):
    seed(app, ("net.md", NET))
    page = admin_client.get(f"/admin/questions/{question_id(app, 'triage')}").text
    assert "先确认影响范围，再逐层排查。" in page
    assert "分层定位" in page


def test_preview_of_a_missing_question_is_404(admin_client):
    assert admin_client.get("/admin/questions/999").status_code == 404


def test_stem_html_is_sanitized_in_the_preview(app, admin_client):
    evil = "## [truefalse] XSS\nid: xss\nanswer: F\n\n<script>alert(1)</script> [x](javascript:alert(1))\n"
    seed(app, ("evil.md", evil))
    page = admin_client.get(f"/admin/questions/{question_id(app, 'xss')}").text
    assert "<script>alert(1)" not in page and "javascript:alert" not in page


def test_preview_of_stored_markdown_past_the_limits_shows_it_as_written(app, admin_client):
    """Text stored before the bank checker had limits (or written to the database by hand)."""
    seed(app, ("net.md", NET))
    with app.app_context():
        for identity, changes in (
            ("https-port", {"stem": "<b><i>" * 100_000, "explanation": "[" * 100_000}),
            ("triage", {"stem": "\n".join("    " * n + "- x" for n in range(40)),
                        "explanation": "*a" * 100_000}),
        ):
            version = db.session.scalars(select(QuestionVersion).join(QuestionVersion.question)
                                         .where(Question.identity == identity)).one()
            payload = dict(version.payload)
            if "options" in payload:
                payload["options"] = [{**payload["options"][0], "md": "<div>" * 30_000}, *payload["options"][1:]]
            else:
                payload["reference"] = "|" + "a|" * 50_000 + "\n|" + "-|" * 50_000
            version.payload, version.stem, version.explanation = payload, changes["stem"], changes["explanation"]
        db.session.commit()
    single = admin_client.get(f"/admin/questions/{question_id(app, 'https-port')}")
    assert single.status_code == 200
    assert single.text.count('data-markup-plain="') >= 4  # stem and option (examinee's view and key), explanation
    assert "&lt;b&gt;&lt;i&gt;" in single.text and "<b><i><b>" not in single.text
    written = admin_client.get(f"/admin/questions/{question_id(app, 'triage')}")
    assert written.status_code == 200
    assert 'data-markup-plain="nesting"' in written.text and 'data-markup-plain="field_chars"' in written.text


def test_browser_query_count_does_not_grow_with_questions(app, admin_client):
    many = "".join(f"## [single] 题 {n}\ntags: a{n}, b\n\n问？\n\n- [x] 是\n- [ ] 否\n\n" for n in range(40))
    seed(app, ("many.md", many))
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        admin_client.get("/admin/questions")
        browse_count = len(statements)
        statements.clear()
        admin_client.get("/admin/banks")
        banks_count = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert browse_count < 15 and banks_count < 10
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuestionVersion)) == 40
