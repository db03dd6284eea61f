"""Uploading a bank in another format: the converted Markdown is shown, and imported only on confirmation;
downloads of a stored bank in every export format and of the XLSX template."""
from __future__ import annotations

import html
import io
import re

import openpyxl
import pytest

from examengine.core.banks import parse_bank
from tests.i18n_helpers import english_msgids, untranslated
from tests.web.bank_samples import NET, seed, stored, upload

AIKEN = "HTTPS 默认使用哪个端口？\nA. 80\nB. 443\nANSWER: B\n\nping 使用什么协议？\nA. ICMP\nB. UDP\nANSWER: A\n"
AIKEN_BAD = AIKEN + "\n缺少答案的题\nA. 是\nB. 否\n"


def confirmation_fields(page: str) -> dict:
    names = re.findall(r'<input type="hidden" name="name" value="([^"]*)">', page)
    texts = [html.unescape(text) for text in re.findall(r'<textarea name="markdown" hidden>(.*?)</textarea>', page, re.S)]
    return {"name": [html.unescape(name) for name in names], "markdown": texts}


def test_a_foreign_file_is_shown_converted_and_nothing_is_stored_yet(app, admin_client):
    response = upload(admin_client, ("端口.txt", AIKEN.encode()))
    assert response.status_code == 200
    assert 'data-testid="convert-ok"' in response.text
    assert 'data-count="single"' in response.text
    fields = confirmation_fields(response.text)
    assert fields["name"] == ["端口.md"]
    bank = parse_bank(fields["markdown"][0], source="x.md").bank
    assert [q.stem for q in bank.questions] == ["HTTPS 默认使用哪个端口？", "ping 使用什么协议？"]
    assert stored(app) == 0


def test_confirming_imports_exactly_the_shown_markdown(app, admin_client):
    fields = confirmation_fields(upload(admin_client, ("端口.txt", AIKEN.encode())).text)
    response = admin_client.post("/admin/banks/upload/confirm", data=fields)
    assert response.status_code == 200 and 'data-testid="import-ok"' in response.text
    assert stored(app) == 1


def test_a_file_with_errors_lists_them_and_offers_no_import(app, admin_client):
    response = upload(admin_client, ("bad.txt", AIKEN_BAD.encode()))
    assert response.status_code == 400
    assert 'data-testid="convert-errors"' in response.text
    assert 'data-kind="error"' in response.text
    assert "Import these banks" not in response.text
    assert stored(app) == 0


def test_markdown_files_beside_a_foreign_one_are_checked_and_imported_together(app, admin_client):
    response = upload(admin_client, ("net.md", NET.encode()), ("端口.txt", AIKEN.encode()))
    assert response.status_code == 200
    fields = confirmation_fields(response.text)
    assert fields["name"] == ["net.md", "端口.md"]
    assert admin_client.post("/admin/banks/upload/confirm", data=fields).status_code == 200
    assert stored(app) == 2


def test_a_confirmation_with_broken_markdown_is_checked_again_and_stores_nothing(app, admin_client):
    fields = {"name": ["端口.md"], "markdown": ["## [single] 两个答案\n\n选？\n\n- [x] A\n- [x] B\n"]}
    response = admin_client.post("/admin/banks/upload/confirm", data=fields)
    assert response.status_code == 400 and 'data-testid="upload-errors"' in response.text
    assert stored(app) == 0


@pytest.mark.parametrize("fields", [{}, {"name": ["a.md"]}, {"name": ["a.exe"], "markdown": ["x"]}])
def test_an_incomplete_or_forged_confirmation_is_a_clear_error(app, admin_client, fields):
    response = admin_client.post("/admin/banks/upload/confirm", data=fields)
    assert response.status_code == 400 and "upload the files again" in response.text
    assert stored(app) == 0


def test_the_preview_is_all_chinese_for_a_chinese_reader(app, admin_client):
    admin_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    response = upload(admin_client, ("bad.txt", AIKEN_BAD.encode()))
    assert "检查转换后的题库" in response.text and "错误" in response.text
    assert untranslated(response.text, english_msgids()) == []


@pytest.mark.parametrize(("format_name", "media_type", "extension"), [
    ("md", "text/markdown", ".md"), ("moodle-xml", "application/xml", ".xml"),
    ("qti", "application/zip", ".qti.zip"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")])
def test_a_stored_bank_downloads_in_every_format(app, admin_client, format_name, media_type, extension):
    seed(app, ("net.md", NET))
    page = admin_client.get("/admin/banks").text
    link = re.search(rf'href="([^"]+/export/{format_name})"', page).group(1)
    response = admin_client.get(link)
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert f'filename="net{extension}"' in response.headers["Content-Disposition"]
    assert len(response.data) > 100


def test_unknown_export_format_or_bank_is_404_and_employees_may_not_download(app, admin_client, client, make_user):
    seed(app, ("net.md", NET))
    assert admin_client.get("/admin/banks/1/export/pdf").status_code == 404
    assert admin_client.get("/admin/banks/999/export/md").status_code == 404


def test_employees_may_not_download_banks(app, make_user, auth, client):
    seed(app, ("net.md", NET))
    make_user("emp")
    auth.login("emp")
    assert client.get("/admin/banks/1/export/md").status_code in (302, 403)
    assert client.get("/admin/banks/template.xlsx").status_code in (302, 403)


def test_the_template_downloads_with_its_chinese_name(app, admin_client):
    response = admin_client.get("/admin/banks/template.xlsx")
    assert response.status_code == 200
    assert "filename*=UTF-8''%E9%A2%98%E5%BA%93" in response.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert "题型" in [cell.value for cell in workbook.worksheets[0][1]]
