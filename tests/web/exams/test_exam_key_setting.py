"""The exam settings page shows the exam's key (read-only) and how to keep it as a file; an exam made on
the web has no key and shows none, until `flask exams export --id N --key KEY` gives it one."""
from __future__ import annotations

from examengine.extensions import db
from examengine.models import Exam
from tests.conftest import PASSWORD
from tests.web.exams.test_admin_exams import FORM, create


def key_block(page: str) -> str:
    start = page.index('data-testid="exam-key"')
    return page[start:page.index("</div>\n        </div>", start)]


def test_an_exam_made_on_the_web_shows_no_key(admin_client):
    exam_id = create(admin_client)
    page = admin_client.get(f"/admin/exams/{exam_id}").text
    assert 'data-testid="exam-key"' not in page and "flask exams export" not in page


def test_the_key_is_shown_read_only_with_the_command_that_exports_it(app, admin_client, runner):
    exam_id = create(admin_client)
    keyed = runner.invoke(args=["exams", "export", "--id", str(exam_id), "--key", "期中-2030", "--lang", "en"])
    assert keyed.exit_code == 0, keyed.output
    block = key_block(admin_client.get(f"/admin/exams/{exam_id}").text)
    assert 'value="期中-2030" readonly' in block and 'name=' not in block  # not a form field: never posted
    assert "Exam key" in block and "Kept as a file: <code>flask exams export 期中-2030</code>" in block
    saved = admin_client.post(f"/admin/exams/{exam_id}", data={**FORM, "key": "other"})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Exam, exam_id).key == "期中-2030"


def test_the_key_block_in_chinese(app, make_user, runner):
    make_user("zh-admin", roles=("admin",))
    client = app.test_client()  # no Accept-Language: the default, Chinese
    client.post("/login", data={"username": "zh-admin", "password": PASSWORD})
    exam_id = create(client)
    assert runner.invoke(args=["exams", "export", "--id", str(exam_id), "--key", "net-2030"]).exit_code == 0
    block = key_block(client.get(f"/admin/exams/{exam_id}").text)
    assert "考试标识" in block and "以文件保存： <code>flask exams export net-2030</code>" in block

