"""The UI speaks Simplified Chinese by default and English on request."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parents[2] / "examengine" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"


@pytest.fixture
def client(app):
    return app.test_client()  # no Accept-Language: the site's default applies


def test_default_language_is_simplified_chinese(client):
    page = client.get("/login").text
    assert '<html lang="zh-CN">' in page
    assert "登录" in page


def test_accept_language_english_gives_english(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).text
    assert '<html lang="en">' in page
    assert "Log in" in page
    assert "登录" not in page


def test_accept_language_chinese_variants_give_chinese(client):
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}).text
    assert '<html lang="zh-CN">' in page


def test_the_user_choice_beats_the_browser(client):
    client.post("/language/en", data={"next": "/login"})
    page = client.get("/login", headers={"Accept-Language": "zh-CN"}).text
    assert "Log in" in page
    client.post("/language/zh_CN")
    assert "登录" in client.get("/login", headers={"Accept-Language": "en"}).text


def test_the_choice_is_kept_on_the_account(app, client, make_user, auth):
    make_user("alice")
    auth.login("alice")
    client.post("/language/en")
    other = app.test_client()
    other.post("/login", data={"username": "alice", "password": "correct-horse-42"})
    assert '<html lang="en">' in other.get("/", headers={"Accept-Language": "zh-CN"}).text


def test_the_choice_survives_login(client, make_user, auth):
    make_user("alice")
    client.post("/language/en")
    auth.login("alice")
    assert '<html lang="en">' in client.get("/").text


def test_unknown_language_is_refused_politely(client):
    response = client.post("/language/xx", data={"next": "/login"})
    assert response.status_code == 302
    assert '<html lang="zh-CN">' in client.get("/login").text


def test_language_switch_rejects_foreign_redirects(client):
    response = client.post("/language/en", data={"next": "//evil.example/x"})
    assert "evil.example" not in response.headers["Location"]


def test_every_message_has_a_chinese_translation():
    with open(CATALOG / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    missing = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == [], f"untranslated: {missing[:10]}"
    assert fuzzy == [], f"fuzzy: {fuzzy[:10]}"


def test_placeholders_survive_translation():
    with open(CATALOG / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id or isinstance(message.id, tuple):
            continue
        wanted = sorted(re.findall(r"%\(\w+\)[sd]", message.id))
        assert sorted(re.findall(r"%\(\w+\)[sd]", message.string)) == wanted, message.id


# --- core and service messages in the reader's language (issue 9 §5) ---

from examengine.core.banks import load_bank_bytes, parse_bank  # noqa: E402
from examengine.core.messages import N_, Np_  # noqa: E402
from examengine.services.audit import shown_reason  # noqa: E402
from examengine.services.messages import translate  # noqa: E402
from examengine.web.ui import percent  # noqa: E402
from tests.i18n_helpers import english_msgids, untranslated  # noqa: E402
from tests.web.bank_samples import upload  # noqa: E402

TWO_CHECKED = "## [single] 端口\n\nHTTPS 默认端口？\n\n- [x] 443\n- [x] 80\n"
GBK_BANK = "## [单选] 端口\n\n默认端口是多少？\n\n- [x] 443\n- [ ] 80\n"


def chinese(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    return client


def test_a_message_is_english_text_that_keeps_its_msgid():
    message = N_("%(rule)s needs %(questions)s", rule=N_("section %(section)d, rule %(rule)d", section=2, rule=1),
                 questions=Np_("%(num)d question", "%(num)d questions", 5))
    assert message == "section 2, rule 1 needs 5 questions" and isinstance(message, str)
    assert message.id == "%(rule)s needs %(questions)s"
    assert str(Np_("%(num)d match", "%(num)d matches", 1)) == "1 match"


def test_core_messages_translate_in_a_request_and_stay_english_elsewhere(app):
    message = parse_bank(TWO_CHECKED, source="b.md").errors[0].message
    assert translate(message) == "a [single] question needs exactly one checked option (`- [x]`), found 2"
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert translate(message) == "[single] 单选题必须恰好有一个勾选的选项（`- [x]`），现有 2 个"
        assert translate("written by a person") == "written by a person"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert translate(message) == str(message)


def test_bank_checker_messages_on_the_upload_page_in_both_languages(app, admin_client):
    admin_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # this module's client has no language
    english = upload(admin_client, ("b.md", TWO_CHECKED.encode())).text
    assert "needs exactly one checked option (`- [x]`), found 2" in english
    admin_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    page = upload(admin_client, ("b.md", "## [essay] 论述\n\n写点什么\n".encode())).text
    assert "未知题型 [essay]" in page and "unknown question type" not in page


def test_a_gbk_upload_names_the_encoding_and_shows_the_line_decoded(app, admin_client):
    data = ("---\ntitle: 网络基础\n---\n\n" + GBK_BANK).encode("gbk")
    error = load_bank_bytes(data, source="gbk.md").errors[0]
    assert "GBK (GB18030)" in error.message and "save the file again choosing the encoding UTF-8" in error.message
    assert error.line == 2 and error.text == "title: 网络基础"
    admin_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    page = upload(admin_client, ("gbk.md", data)).text
    assert "看起来是 GBK (GB18030) 编码" in page and "title: 网络基础" in page


def test_a_utf8_file_with_a_stray_byte_is_not_called_another_encoding():
    error = load_bank_bytes("## [single] 端口\n坏 \xff 字节\n".encode().replace(b"\xc3\xbf", b"\xff"),
                            source="x.md").errors[0]
    assert error.message.startswith("the file is not valid UTF-8: byte 0xFF") and "looks like" not in error.message


def test_the_cli_follows_lang_and_the_environment(app, runner, tmp_path, monkeypatch):
    bank = tmp_path / "b.md"
    bank.write_text(TWO_CHECKED, encoding="utf-8")
    chinese_run = runner.invoke(args=["banks", "check", "--lang", "zh", str(bank)])
    assert chinese_run.exit_code == 1 and "单选题必须恰好有一个勾选的选项" in chinese_run.output
    english_run = runner.invoke(args=["banks", "check", "--lang", "en", str(bank)])
    assert "found 2" in english_run.output and "1 error." in english_run.output
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert "1 个错误" in runner.invoke(args=["banks", "check", str(bank)]).output
    good = tmp_path / "g.md"
    good.write_text("## [truefalse] 对吗\nanswer: true\n\n是的。\n", encoding="utf-8")
    summary = runner.invoke(args=["banks", "check", "--lang", "en", str(good)]).output
    assert "1 file, 1 question, no errors" in summary


def test_score_history_reasons_are_translated_when_shown(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert shown_reason("graded automatically on submission") == "提交时自动评分"
        assert shown_reason("regraded against version 3 of HTTPS 端口") == "按“HTTPS 端口”的第 3 版重新评分"
        assert shown_reason("评分依据：第二点不完整") == "评分依据：第二点不完整"  # a reviewer's own words
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert shown_reason("graded automatically on submission") == "graded automatically on submission"


def test_examinee_input_errors_are_translated(app):
    from examengine.core import qtypes

    payload = {"options": [{"md": "a", "correct": True}, {"md": "b", "correct": False}], "shuffle": False}
    with pytest.raises(ValueError) as refused:
        qtypes.get("single").clean_response(payload, 7)
    assert str(refused.value) == "option 7 does not exist (the question has 2 options)"
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert translate(refused.value.args[0]) == "选项 7 不存在（此题有 2 个选项）"


def test_plural_forms_in_english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert translate(Np_("%(num)d matches", "%(num)d match", 1)) == "1 matches"
        assert translate(Np_("%(num)d matches", "%(num)d match", 3)) == "3 match"
        from flask import render_template_string
        assert render_template_string("{{ ngettext('%(num)d examinee matches.', '%(num)d examinees match.', 1) }}") \
            == "1 examinee matches."


@pytest.mark.parametrize("value, fraction, shown", [
    (62.5, False, "62.5%"), (62.45, False, "62.5%"), (62, False, "62%"), (0.625, True, "62.5%"),
    (33.3333, False, "33.3%"), (None, False, "—"), (100, False, "100%"), (0.0, True, "0%")])
def test_one_percent_format_everywhere(value, fraction, shown):
    assert percent(value, fraction=fraction) == shown


def test_no_template_uses_its_own_percent_format():
    templates = Path(__file__).resolve().parents[2] / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(percent|facility|rate)[^}]*\) ~ '%'|'%\.[01]f'\|format\([^)]*(percent|\* 100)", text), path


def test_pages_with_checker_shortfall_and_answer_messages_have_no_english_in_chinese(app, admin_client):
    from tests.web.exams.test_admin_exams import add_section, create, draw, load

    msgids = english_msgids()
    admin_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    bad_bank = upload(admin_client, ("b.md", (TWO_CHECKED + "\n## [essay] x\n\ny\n").encode())).text
    assert "现有 2 个" in bad_bank
    assert untranslated(bad_bank, msgids) == []
    admin_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    english = upload(admin_client, ("b.md", TWO_CHECKED.encode())).text
    assert untranslated(english, msgids)  # the check does see English when it is there
    admin_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    load(app, "net", [(2, "", 1, "single")])
    exam_id = create(admin_client)
    section_id = add_section(admin_client, exam_id)
    refused = draw(admin_client, exam_id, section_id, qtype="single", count=5).text
    assert "第 1 部分第 1 条规则需要共 5 道试题，符合的只有 1 道" in refused
    assert untranslated(refused, msgids) == []
    for url in (f"/admin/exams/{exam_id}/rules", f"/admin/exams/{exam_id}/preview", "/admin/banks", "/"):
        page = admin_client.get(url).text
        assert untranslated(page, msgids) == [], url
