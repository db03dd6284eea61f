"""The whole product in a real browser, in Chinese (the default UI) and in English (issue 9, "Done when").

An admin uploads a bank, builds an exam with the paper blueprint, assigns an employee and a reviewer and
publishes it; the employee sits it (a full-width `８５％` fills `{{85}}%` right) and sees no key, reference or
rubric before the exam closes; the reviewer grades the short answer; the admin reads the results and closes
the exam early; the employee then sees the score, the fill graded correct and the reviewer's feedback.
On every page of the Chinese walk no English catalog text (4 words or more) may appear; on every page of
the English walk no Chinese may appear except the test's own data.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from examengine.models._time import utcnow
from tests.browser.helpers import option
from tests.exam_builders import ensure_user
from tests.i18n_helpers import english_msgids, untranslated
from tests.web.exam_fixtures import positions

PASSWORD = "correct-horse-42"
REFERENCE = "先确认影响范围再逐层排查。"
RUBRIC_ITEMS = ("确认影响范围", "逐层定位原因")
EXPLANATION = "HTTPS 的默认端口是 443。"
BANK = f"""---
id: walk-bank
title: 走查题库
dimension: 运维
---
# 走查
## [单选题] 默认端口
id: w-1
points: 2

HTTPS 默认使用哪个端口？

- [ ] 80
- [x] 443

### 解析
{EXPLANATION}

## [填空] 满意度
id: w-2
points: 2

满意度应超过 {{{{85}}}}%。

## [简答] 排障思路
id: w-3

一个服务间歇性超时，你如何排查？

### 参考答案
{REFERENCE}

### 评分标准
- (3) {RUBRIC_ITEMS[0]}
- (2) {RUBRIC_ITEMS[1]}
"""
HALF_WIDTH_COLON = re.compile(r"[\u4e00-\u9fff）]: ?\S{0,12}")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# Chinese the English pages may show: the test's own data, and the language switch naming 简体中文.
OWN_CHINESE = ("简体中文", "走查题库", "走查考试", "默认端口", "HTTPS 默认使用哪个端口？", "满意度应超过", "%。", "满意度",
               "排障思路", "一个服务间歇性超时，你如何排查？", "走查", "运维", "８５％", "超时后先看日志。",
               "思路清楚，第二点不足", REFERENCE, *RUBRIC_ITEMS, EXPLANATION)
TEXT = {
    "zh": {"login": "登录", "create": "创建", "save": "保存", "open": "进行中"},
    "en": {"login": "Log in", "create": "Create", "save": "Save", "open": "Open"},
}


class Walk:
    """One person's browser in one language, checking the language of every page it shows."""

    def __init__(self, browser, base, lang, msgids):
        self.context = browser.new_context(locale="zh-CN" if lang == "zh" else "en-US",
                                           viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.base, self.lang, self.msgids = base, lang, msgids
        self.checked = 0

    def goto(self, path):
        self.page.goto(self.base + path)
        self.check_language()

    def check_language(self):
        self.page.wait_for_load_state()
        expect(self.page.locator("html")).to_have_attribute("lang", "zh-CN" if self.lang == "zh" else "en")
        if self.lang == "zh":
            assert untranslated(self.page.content(), self.msgids) == [], self.page.url
            # Chinese punctuation in Chinese text: a label's colon is full-width.
            text = self.page.locator("body").inner_text()
            assert HALF_WIDTH_COLON.findall(text) == [], (self.page.url, HALF_WIDTH_COLON.findall(text))
        else:
            text = self.page.locator("body").inner_text()
            for own in sorted(OWN_CHINESE, key=len, reverse=True):
                text = text.replace(own, "")
            assert CJK.findall(text) == [], (self.page.url, [line for line in text.splitlines() if CJK.search(line)])
        self.checked += 1

    def login(self, username):
        self.goto("/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.locator("form [type=submit]").last.click()
        expect(self.page).not_to_have_url(re.compile(r"/login"))
        self.check_language()

    def close(self):
        self.context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_walk_through_the_product(browser, live_server, app, lang):
    # "After the exam closes" holds once the late saves' grace has passed too: none here, so the answers
    # show as soon as the admin closes the exam.
    app.config["EXAMENGINE_GRACE_SECONDS"] = 0
    with app.app_context():
        ensure_user("admin", roles=("admin",))
        ensure_user("alice")
        ensure_user("rita", roles=("reviewer",))
    msgids = english_msgids() if lang == "zh" else set()
    words = TEXT[lang]

    # 1. The admin: bank, exam, blueprint, reviewer, publish.
    admin = Walk(browser, live_server, lang, msgids)
    page = admin.page
    admin.login("admin")
    admin.goto("/admin/banks/upload")
    page.set_input_files("input[type=file]", files=[{"name": "walk.md", "mimeType": "text/markdown",
                                                       "buffer": BANK.encode()}])
    page.locator("form[enctype] [type=submit]").click()
    expect(page.locator("body")).to_contain_text("走查题库")
    expect(page.locator("body")).to_contain_text("w-3")
    admin.check_language()

    admin.goto("/admin/exams/new")
    page.fill("#title", "走查考试")
    start = utcnow() - timedelta(days=2)
    page.fill("#opens_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#closes_at", (start + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#users-list label", has_text="alice").click()
    page.get_by_role("button", name=words["create"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/exams/\d+/rules"))
    admin.check_language()
    exam_id = int(re.search(r"/admin/exams/(\d+)/", page.url).group(1))

    table = page.get_by_test_id("blueprint")
    if not table.evaluate("details => details.open"):
        table.locator("summary").click()
    for qtype in ("single", "fill", "short"):
        row = table.locator(f"tr[data-value={qtype}]")
        expect(row.get_by_test_id("blueprint-available")).to_have_text("1")
        row.locator("input[name^=count-]").fill("1")
    table.get_by_test_id("blueprint-save").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.get_by_test_id("rule")).to_have_count(3)
    admin.check_language()

    admin.goto(f"/admin/exams/{exam_id}/reviewers")
    page.locator("label", has_text="rita").click()
    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page.locator(".alert-success")).to_be_visible()
    admin.check_language()

    admin.goto(f"/admin/exams/{exam_id}")
    page.get_by_test_id("publish-exam").click()
    expect(page).to_have_url(re.compile(rf"/admin/exams/{exam_id}/publish$"))
    admin.check_language()
    page.get_by_test_id("confirm-publish").click()
    expect(page).to_have_url(re.compile(rf"/admin/exams/{exam_id}$"))
    expect(page.get_by_test_id("exam-status").first).to_have_text(words["open"])
    admin.check_language()

    # 2. The employee sits it; before the exam closes the review shows no key, reference or rubric.
    employee = Walk(browser, live_server, lang, msgids)
    page = employee.page
    employee.login("alice")
    employee.goto("/exams")
    page.locator(f'[data-exam="{exam_id}"] h2 a').click()
    employee.check_language()
    page.get_by_test_id("start-exam").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    employee.check_language()
    attempt_id = int(page.url.rsplit("/", 1)[1])
    where = positions(app, attempt_id)
    option(page, where["single"], "443").click()
    page.fill(f"input[name='q{where['fill']}.0']", "８５％")
    page.fill(f"textarea[name=q{where['short']}]", "超时后先看日志。")
    expect(page.get_by_test_id("save-status")).to_have_attribute("data-state", "saved")
    page.get_by_test_id("submit-exam").click()
    page.get_by_test_id("submit-modal").get_by_test_id("confirm-submit").click()
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt_id}/review$"))
    employee.check_language()
    body = page.locator("body")
    for secret in (REFERENCE, *RUBRIC_ITEMS, EXPLANATION):
        expect(body).not_to_contain_text(secret)
    expect(page.get_by_test_id("slot-feedback")).to_have_count(0)
    expect(page.locator(".question-explanation")).to_have_count(0)
    expect(page.locator("[data-correct]")).to_have_count(0)  # marks wait for the grading
    expect(page.get_by_test_id("release-pending")).to_be_visible()

    # 3. The reviewer grades the short answer.
    reviewer = Walk(browser, live_server, lang, msgids)
    page = reviewer.page
    reviewer.login("rita")
    reviewer.goto("/review")
    page.locator(f'[data-exam="{exam_id}"]').get_by_test_id("grade-next").click()
    expect(page.get_by_test_id("answer")).to_have_text("超时后先看日志。")
    reviewer.check_language()
    page.locator("label[for=rubric-0]").click()
    expect(page.get_by_test_id("mark-total")).to_have_text("3")
    page.fill("#comment", "思路清楚，第二点不足")
    page.get_by_test_id("save-mark").click()
    expect(page.get_by_test_id("queue-done")).to_be_visible()
    reviewer.check_language()

    # 4. The admin reads the results and closes the exam now.
    page = admin.page
    admin.goto(f"/admin/exams/{exam_id}/results")
    expect(page.locator("body")).to_contain_text("alice")
    expect(page.get_by_test_id("release")).to_be_visible()
    admin.goto(f"/admin/exams/{exam_id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("close-exam-now").click()
    expect(page.get_by_test_id("close-exam-now")).to_have_count(0)
    admin.check_language()
    admin.goto(f"/admin/exams/{exam_id}/results")

    # 5. The employee sees the score, the fill graded right and the reviewer's feedback.
    page = employee.page
    employee.goto(f"/attempts/{attempt_id}/review")
    expect(page.get_by_test_id("result")).to_contain_text("7")
    expect(page.get_by_test_id("result")).to_contain_text("9")
    expect(page.locator(f"#q-{where['fill']} [data-correct=yes]")).to_be_visible()
    expect(page.locator(f"#q-{where['single']} [data-correct=yes]")).to_be_visible()
    feedback = page.locator(f"#q-{where['short']}").get_by_test_id("slot-feedback")
    expect(feedback.locator("li[data-awarded=yes]")).to_have_count(1)
    expect(feedback.locator("li[data-awarded=yes]")).to_contain_text(RUBRIC_ITEMS[0])
    expect(feedback.get_by_test_id("feedback-comment")).to_have_text("思路清楚，第二点不足")
    expect(page.locator("body")).to_contain_text(REFERENCE)  # the answers are released on close

    assert admin.checked and employee.checked and reviewer.checked
    for walk in (admin, employee, reviewer):
        walk.close()
