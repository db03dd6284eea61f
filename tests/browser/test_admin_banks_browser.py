"""An admin, in a real browser, uploads a bank, reads the import report, finds and previews a question."""
from __future__ import annotations

from playwright.sync_api import expect

BANK = """---
id: browser-bank
title: 浏览器测试题库
dimension: 专业技能
---
# 网络
## [单选题] HTTPS 默认端口
id: b-1
tags: 协议

HTTPS 默认使用哪个端口？

- [ ] 80
- [x] 443

### 解析
HTTPS 默认端口为 443。

## [填空] DNS 端口
id: b-2

DNS 查询默认使用 {{53}} 端口。
"""

BROKEN = "## [single] 没有选项\n\n题干\n"


def login(page, base, username="admin"):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct-horse-42")
    page.get_by_role("button", name="登录").click()


def test_admin_uploads_browses_and_previews(page, live_server, make_user, tmp_path):
    make_user("admin", roles=("admin",))
    bank_file = tmp_path / "browser-bank.md"
    bank_file.write_text(BANK, encoding="utf-8")
    broken_file = tmp_path / "broken.md"
    broken_file.write_text(BROKEN, encoding="utf-8")

    login(page, live_server)
    page.goto(f"{live_server}/admin/banks/upload")
    page.set_input_files("input[type=file]", str(broken_file))
    page.locator("form[enctype] [type=submit]").click()
    expect(page.locator("body")).to_contain_text("broken.md")
    expect(page.locator("body")).to_contain_text("没有选项")  # the offending line is quoted

    page.set_input_files("input[type=file]", str(bank_file))
    page.locator("form[enctype] [type=submit]").click()
    expect(page.locator("body")).to_contain_text("浏览器测试题库")
    expect(page.locator("body")).to_contain_text("b-1")

    page.goto(f"{live_server}/admin/questions")
    page.fill("input[name=q]", "默认端口")
    page.locator("[data-testid=question-filters] button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("HTTPS 默认端口")
    expect(page.locator("body")).not_to_contain_text("DNS 端口")
    page.get_by_role("link", name="HTTPS 默认端口").first.click()
    expect(page.locator("body")).to_contain_text("HTTPS 默认使用哪个端口？")
    expect(page.locator("body")).to_contain_text("443")


def test_language_switch_in_the_navigation_bar(page, live_server, make_user):
    make_user("admin", roles=("admin",))
    login(page, live_server)
    expect(page.locator("nav")).to_contain_text("题库")
    page.get_by_test_id("language-switch").click()
    expect(page.locator("nav")).to_contain_text("Question banks")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_test_id("language-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_admin_converts_the_excel_template_reads_the_markdown_and_confirms(page, live_server, make_user, tmp_path):
    from examengine.core.converters.spreadsheet import template_xlsx

    make_user("admin", roles=("admin",))
    workbook = tmp_path / "模板题库.xlsx"
    workbook.write_bytes(template_xlsx())

    login(page, live_server)
    page.goto(f"{live_server}/admin/banks/upload")
    page.set_input_files("input[type=file]", str(workbook))
    page.locator("form[enctype] [type=submit]").click()
    expect(page.get_by_role("heading", name="检查转换后的题库")).to_be_visible()
    expect(page.get_by_test_id("convert-ok")).to_be_visible()
    page.get_by_text("Markdown 题库内容").click()  # the converted Markdown opens for reading
    expect(page.get_by_test_id("converted-markdown")).to_contain_text("## [单选题]")

    page.get_by_role("button", name="导入这些题库").click()
    expect(page.get_by_test_id("import-ok")).to_be_visible()
    expect(page.locator("body")).to_contain_text("模板题库")
    page.goto(f"{live_server}/admin/banks")
    expect(page.locator('[data-bank="模板题库"] [data-count="total"]')).to_have_text("6")
