"""An admin, in a real browser (Chinese UI), builds a paper with the blueprint table: the counts follow
the bank and difficulty choice as they change, and one submit saves the rules."""
from __future__ import annotations

from datetime import datetime

from playwright.sync_api import expect
from sqlalchemy import select

from examengine.extensions import db
from examengine.models import ExamRule
from examengine.services.banks import import_banks
from examengine.services.exams import ExamSettings, create_exam
from tests.browser.test_admin_banks_browser import login
from tests.services.exams.test_blueprint import bank


def test_admin_fills_the_blueprint(page, live_server, app, make_user):
    make_user("admin", roles=("admin",))
    with app.app_context():
        for key, questions in (("net", [("single", "网络", 1, 2)] * 4 + [("truefalse", "安全", 2, 1)] * 3),
                               ("ops", [("single", "安全", 4, 3)] * 2)):
            assert import_banks([(f"{key}.md", bank(key, questions).encode())], max_bytes=1 << 20).ok
        exam_id = create_exam(ExamSettings(title="蓝图考试", opens_at=datetime(2030, 3, 1),
                                           closes_at=datetime(2030, 3, 8))).id

    login(page, live_server)
    page.goto(f"{live_server}/admin/exams/{exam_id}/rules")
    table = page.get_by_test_id("blueprint")
    single = table.locator("tr[data-value=single]")
    expect(single.get_by_test_id("blueprint-available")).to_have_text("6")
    expect(table.get_by_role("button", name="更新可用数量")).to_be_hidden()  # the script keeps the counts

    table.get_by_label("Bank net (net)").check()
    expect(single.get_by_test_id("blueprint-available")).to_have_text("4")
    page.select_option("#blueprint-dmax", "1")
    expect(table.locator("tr[data-value=truefalse]").get_by_test_id("blueprint-available")).to_have_text("0")
    page.select_option("#blueprint-dmax", "5")

    single.locator("input[name^=count-]").fill("3")
    single.locator("input[name^=points-]").fill("5")
    table.locator("tr[data-value=truefalse] input[name^=count-]").fill("2")
    table.get_by_test_id("blueprint-save").click()

    expect(page.locator(".alert-success")).to_contain_text("已将蓝图保存为")
    expect(page.get_by_test_id("rule")).to_have_count(2)
    expect(page.get_by_test_id("totals-same")).to_contain_text("17")  # 3 × 5 + 2 true/false of 1 point
    with app.app_context():
        assert [(r.qtype, r.count, r.points, r.bank_keys) for r in db.session.scalars(select(ExamRule))] == [
            ("single", 3, 5.0, ["net"]), ("truefalse", 2, None, ["net"])]
