"""Results pages: who may see what, the admin's results page and attempt detail, the exports, the
employee's own results, and the scoring settings page."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from examengine.extensions import db
from examengine.models import AttemptEvent, Exam, Group
from tests.conftest import Auth, english_client
from tests.exam_builders import build_exam, ensure_user
from tests.results_builders import (
    D_SERVICE,
    D_SKILL,
    D_SOLVING,
    DIMENSION_BANK,
    DIMENSION_CORRECT,
    DIMENSION_RULES,
    DIMENSION_WRONG,
    score_written,
    sit,
)
from tests.web.exam_fixtures import employee_client

XSS = "<script>alert(1)</script>"


def make_dimension_exam(app, **fields) -> int:
    fields.setdefault("users", ["alice", "bob", "carol"])
    fields.setdefault("bank_md", DIMENSION_BANK)
    with app.app_context():
        return build_exam(rules=DIMENSION_RULES, **fields).id


@pytest.fixture
def graded(app):
    """alice 100 % (Excellent), bob 5/12 (Fail), carol waiting for a reviewer; alice in group XSS."""
    exam_id = make_dimension_exam(app, title="网络基础 exam")
    with app.app_context():
        alice = ensure_user("alice")
        alice.display_name = "=2+3 张三"
        group = Group(name=XSS)
        alice.groups.append(group)
        db.session.commit()
    sit(app, exam_id, "alice", answers=DIMENSION_CORRECT, written={"short": 5}, reviewer="rita",
        rubric_items=[0, 1], comment="Very good.")
    sit(app, exam_id, "bob", answers=DIMENSION_WRONG, written={"short": 5})
    sit(app, exam_id, "carol", answers=DIMENSION_CORRECT)
    return exam_id


def logged_in(app, username, roles):
    client = english_client(app)
    with app.app_context():
        ensure_user(username, roles=roles)
    assert Auth(client).login(username).status_code == 302
    return client


def admin_result_urls(app, exam_id: int, attempt_id: int) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("results.") and rule.rule.startswith("/admin") and "GET" in rule.methods:
            values = {"exam_id": exam_id, "attempt_id": attempt_id, "fmt": "csv"}
            urls.append(rule.build({arg: values[arg] for arg in rule.arguments}, append_unknown=False)[1])
            if "fmt" in rule.arguments:
                urls.append(rule.build({**{a: values[a] for a in rule.arguments}, "fmt": "xlsx"},
                                       append_unknown=False)[1])
    return urls


# --- authorization ---

@pytest.mark.parametrize("roles", [("reviewer",), ("employee",), ("reviewer", "employee")])
def test_only_admins_see_results_and_export(app, graded, roles):
    urls = admin_result_urls(app, graded, 1)
    assert len(urls) >= 6  # results page, attempt detail, 2 × 2 exports
    client = logged_in(app, "someone", roles)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"alice" not in response.data
    scoring = client.post(f"/admin/exams/{graded}/scoring", data={"appeal_days": "1"})
    assert scoring.status_code == 403


def test_anonymous_users_go_to_the_login_page(app, graded):
    client = app.test_client()
    for url in [*admin_result_urls(app, graded, 1), "/results"]:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url


def test_the_employee_page_is_for_employees(app):
    assert logged_in(app, "rev", ("reviewer",)).get("/results").status_code == 403
    assert logged_in(app, "boss", ("admin",)).get("/results").status_code == 403


# --- the admin's results page ---

def test_results_page_rows_charts_and_escaping(app, admin_client, graded):
    page = admin_client.get(f"/admin/exams/{graded}/results")
    assert page.status_code == 200
    html = page.text
    assert html.count('data-testid="result-row"') == 3
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'data-testid="histogram"' in html and 'data-testid="dimension-averages"' in html
    assert "<svg" in html and D_SERVICE in html
    assert 'data-testid="summary-graded">2<' in html and 'data-testid="summary-pending">1<' in html
    assert "Excellent" in html and "Fail" in html
    assert f'href="/admin/exams/{graded}/results"' in html  # the tab
    chinese = app.test_client()
    Auth(chinese).login("admin")
    assert "优秀" in chinese.get(f"/admin/exams/{graded}/results").text


def test_sorting_and_filters(app, admin_client, graded):
    def order(query):
        html = admin_client.get(f"/admin/exams/{graded}/results?{query}").text
        return [part.split('"')[0] for part in html.split('data-user="')[1:]]

    assert order("sort=percent&dir=desc") == ["alice", "bob", "carol"]
    assert order("sort=percent&dir=asc") == ["bob", "alice", "carol"]  # open scores last
    assert order("band=0") == ["alice"]
    assert order("band=3") == ["bob"]
    assert order("band=99") == ["alice", "bob", "carol"]  # an unknown band is ignored
    with app.app_context():
        group_id = db.session.query(Group.id).filter_by(name=XSS).scalar()
    assert order(f"group={group_id}") == ["alice"]
    assert admin_client.get(f"/admin/exams/{graded}/results?sort=evil&page=-3&group=x").status_code == 200


def test_weighted_results_and_custom_bands_show(app, admin_client, graded):
    with app.app_context():
        exam = db.session.get(Exam, graded)
        exam.dimension_weights = {D_SKILL: 50, D_SERVICE: 30, D_SOLVING: 20}
        exam.grade_bands = [["顶尖 <b>", 95], ["其他", 0]]
        db.session.commit()
    html = admin_client.get(f"/admin/exams/{graded}/results?sort=name").text
    assert "weighted by dimension" in html
    assert "顶尖 &lt;b&gt;" in html and "顶尖 <b>" not in html
    # bob: skills 0, service 5/5, solving 0 -> 30 of 100
    assert "30 / 100" in html


def test_attempt_detail(app, admin_client, graded):
    with app.app_context():
        from sqlalchemy import select

        from examengine.models import Attempt, User
        attempt_id = db.session.scalar(select(Attempt.id).join(User).where(User.username == "alice"))
        db.session.add(AttemptEvent(attempt_id=attempt_id, kind="blur"))
        db.session.add(AttemptEvent(attempt_id=attempt_id, kind="focus"))  # a leave counts once back
        db.session.commit()
    html = admin_client.get(f"/admin/attempts/{attempt_id}").text
    assert "=2+3 张三" in html
    assert 'data-testid="grader">rita<' in html
    assert "acknowledges the feelings" in html and "Very good." in html
    assert 'data-testid="leave-count">1<' in html
    assert html.count('data-testid="detail-question"') == 4
    assert "Reference answer" in html  # admins see the key
    assert 'data-testid="history"' in html and "graded in a test" in html
    assert admin_client.get("/admin/attempts/999999").status_code == 404
    assert admin_client.get("/admin/attempts/0").status_code == 404


def test_results_of_an_unknown_exam_are_404(admin_client):
    for url in ("/admin/exams/4242/results", "/admin/exams/4242/results.csv", "/admin/exams/4242/question-scores.xlsx"):
        assert admin_client.get(url).status_code == 404
    assert admin_client.get("/admin/exams/1/results.pdf").status_code == 404


# --- exports ---

def test_csv_export_has_bom_chinese_and_neutralised_formulas(admin_client, graded):
    response = admin_client.get(f"/admin/exams/{graded}/results.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][0] == "Name" and f"{D_SERVICE} (%)" in rows[0]
    by_user = {row[1]: row for row in rows[1:]}
    assert set(by_user) == {"alice", "bob", "carol"}
    assert by_user["alice"][0] == "'=2+3 张三"
    assert by_user["alice"][2] == XSS  # plain text in a CSV, not HTML
    assert by_user["alice"][8] == "Excellent" and by_user["carol"][4] == "Awaiting grading"
    filtered = admin_client.get(f"/admin/exams/{graded}/results.csv?band=3").data.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(filtered)))) == 2


def test_chinese_headers_follow_the_ui_language(app, graded):
    client = app.test_client()  # no Accept-Language: the default, Simplified Chinese
    with app.app_context():
        ensure_user("root", roles=("admin",))
    Auth(client).login("root")
    text = client.get(f"/admin/exams/{graded}/results.csv").data.decode("utf-8-sig")
    header, *lines = list(csv.reader(io.StringIO(text)))
    assert header[1] == "用户名" and f"{D_SKILL}（%）" in header
    assert any("优秀" in line for line in lines) and any("待阅卷" in line for line in lines)


def test_xlsx_export_opens_and_has_the_rows(admin_client, graded):
    response = admin_client.get(f"/admin/exams/{graded}/results.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Name" and len(rows) == 4
    by_user = {row[1]: row for row in rows[1:]}
    assert by_user["alice"][0] == "'=2+3 张三"  # stored as text, never as a formula
    assert by_user["alice"][5] == 12 and by_user["alice"][7] == 100
    assert by_user["carol"][5] is None


def test_question_scores_exports(admin_client, graded):
    text = admin_client.get(f"/admin/exams/{graded}/question-scores.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    short = header.index("Calm an angry customer [dims/d-short]")
    assert {row[1]: row[short] for row in rows[1:]} == {"alice": "5", "bob": "5", "carol": "pending"}
    book = admin_client.get(f"/admin/exams/{graded}/question-scores.xlsx")
    sheet = load_workbook(io.BytesIO(book.data), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 4 and "HTTPS port [dims/d-single]" in values[0]


# --- the employee's results ---

def test_employee_sees_only_own_results_and_only_when_released(app):
    never = make_dimension_exam(app, title="Hidden exam", show_score="never")
    later = make_dimension_exam(app, title="Later exam", show_score="after_grading", bank_md=None)
    shown = make_dimension_exam(app, title="Shown exam", show_score="immediately", bank_md=None)
    unsat = make_dimension_exam(app, title="Bob only", users=["bob"], bank_md=None)
    hidden_id = sit(app, never, "alice", answers=DIMENSION_CORRECT, written={"short": 5})
    later_id = sit(app, later, "alice", answers=DIMENSION_CORRECT)  # waits for a reviewer
    sit(app, shown, "alice", answers=DIMENSION_CORRECT, written={"short": 1})
    sit(app, unsat, "bob", answers=DIMENSION_WRONG, written={"short": 0})
    client = employee_client(app, "alice")
    html = client.get("/results").text
    assert html.count('data-testid="my-result"') == 3 and "Bob only" not in html
    cards = {part.split('"')[0]: part for part in html.split('data-exam="')[1:]}
    hidden, pending, released = cards[str(never)], cards[str(later)], cards[str(shown)]
    for card in (hidden, pending):
        assert 'data-testid="not-released"' in card
        assert "my-score" not in card and "<svg" not in card and "/ 12" not in card
    assert 'data-testid="my-score"' in released and "8 / 12" in released
    assert 'data-testid="radar-chart"' not in released  # test ids carry the attempt id
    assert "<svg" in released and D_SOLVING in released
    assert f"/attempts/{hidden_id}/review" in hidden
    # grading completes: "after grading" is released now
    with app.app_context():
        score_written(later_id, {"short": 5})
    html = client.get("/results").text
    later_card = html.split(f'data-exam="{later}"')[1].split('data-testid="my-result"')[0]
    assert "12 / 12" in later_card and "Excellent" in later_card
    assert 'href="/results"' in html  # the nav link


def test_employee_without_attempts(app):
    make_dimension_exam(app)
    html = employee_client(app, "alice").get("/results").text
    assert 'data-testid="no-results"' in html


# --- scoring settings page ---

def scoring_form(dimensions, weights, bands, days="7"):
    data = {"dimension_count": str(len(dimensions)), "appeal_days": days}
    for index, name in enumerate(dimensions):
        data[f"dimension-{index}"] = name
        data[f"weight-{index}"] = weights.get(name, "")
    for index, (label, minimum) in enumerate(bands):
        data[f"band-label-{index}"] = label
        data[f"band-min-{index}"] = minimum
    return data


def test_scoring_page_saves_and_refuses(app, admin_client):
    exam_id = make_dimension_exam(app)
    page = admin_client.get(f"/admin/exams/{exam_id}/scoring")
    assert page.status_code == 200
    assert D_SKILL in page.text and D_SERVICE in page.text and 'data-testid="default-bands"' in page.text
    dims = sorted([D_SKILL, D_SERVICE, D_SOLVING])
    bands = [("Top", "85"), ("Middle", "50"), ("Bottom", "0"), ("", "")]
    good = scoring_form(dims, {D_SKILL: "50", D_SERVICE: "30", D_SOLVING: "20"}, bands, "14")
    response = admin_client.post(f"/admin/exams/{exam_id}/scoring", data=good)
    assert response.status_code == 302
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert exam.dimension_weights == {D_SKILL: 50, D_SERVICE: 30, D_SOLVING: 20}
        assert exam.grade_bands == [["Top", 85], ["Middle", 50], ["Bottom", 0]] and exam.appeal_days == 14
    bad = scoring_form(dims, {D_SKILL: "50", D_SERVICE: "30", D_SOLVING: ""}, [("Top", "85"), ("Rest", "20")], "x")
    response = admin_client.post(f"/admin/exams/{exam_id}/scoring", data=bad)
    assert response.status_code == 400
    assert "Give " in response.text and "lowest band must start at 0" in response.text
    assert "appeal window" in response.text
    assert 'value="Rest"' in response.text  # what was typed comes back
    bad_sum = scoring_form(dims, {D_SKILL: "50", D_SERVICE: "30", D_SOLVING: "abc"}, bands)
    assert "between 0 and 100" in admin_client.post(f"/admin/exams/{exam_id}/scoring", data=bad_sum).text
    stale = scoring_form(dims[:2], {}, bands)
    assert "have changed" in admin_client.post(f"/admin/exams/{exam_id}/scoring", data=stale).text
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert exam.dimension_weights == {D_SKILL: 50, D_SERVICE: 30, D_SOLVING: 20}  # nothing half-saved
        assert exam.appeal_days == 14
    assert admin_client.post(f"/admin/exams/{exam_id}/scoring/default-bands").status_code == 302
    with app.app_context():
        assert db.session.get(Exam, exam_id).grade_bands is None
    # all weights empty: the plain sum again
    plain = scoring_form(dims, {}, bands)
    assert admin_client.post(f"/admin/exams/{exam_id}/scoring", data=plain).status_code == 302
    with app.app_context():
        assert db.session.get(Exam, exam_id).dimension_weights == {}


def test_reviewer_agreement_shows_for_double_marked_exams(app, admin_client, graded):
    assert 'data-testid="agreement"' not in admin_client.get(f"/admin/exams/{graded}/results").text
    with app.app_context():
        from sqlalchemy import select

        from examengine.models import Attempt, AttemptSlot, GradingMark, QuestionVersion, User
        exam = db.session.get(Exam, graded)
        exam.double_marking = True
        slot_id = db.session.scalar(
            select(AttemptSlot.id).join(Attempt).join(User, User.id == Attempt.user_id)
            .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
            .where(User.username == "bob", QuestionVersion.qtype == "short"))
        for name, round_, score in (("r1", "first", 4), ("r2", "second", 5)):
            reviewer = ensure_user(name, roles=("reviewer",))
            db.session.add(GradingMark(slot_id=slot_id, reviewer_id=reviewer.id, round=round_, score=score))
        db.session.commit()
    html = admin_client.get(f"/admin/exams/{graded}/results").text
    assert 'data-testid="agreement"' in html and 'data-testid="pairs">1<' in html


def test_the_table_is_paged(app, admin_client, graded, monkeypatch):
    from examengine.web.results import routes as results_web
    monkeypatch.setattr(results_web, "PAGE_SIZE", 2)
    first = admin_client.get(f"/admin/exams/{graded}/results?sort=name").text
    second = admin_client.get(f"/admin/exams/{graded}/results?sort=name&page=2").text
    assert first.count('data-testid="result-row"') == 2 and second.count('data-testid="result-row"') == 1
    assert 'class="pagination' in first and "3 examinees match" in first
    assert admin_client.get(f"/admin/exams/{graded}/results?page=99").status_code == 200


def test_svg_charts_escape_their_labels():
    from examengine.web.results import charts as svg_charts
    evil = '<script>alert("x")</script>'
    for chart in (svg_charts.bar_chart([(evil, 50.0), ("b", None)], title=evil),
                  svg_charts.radar([(evil, 50.0), ("b", 20.0), ("c", None)], title=evil),
                  svg_charts.histogram([1, 2], [evil, "b"], title=evil),
                  svg_charts.dimension_chart([(evil, 1.0)], title="t")):
        text = str(chart)
        assert text.startswith("<svg") and "<script>" not in text and "&lt;script&gt;" in text
    assert 'data-testid="radar-chart"' in str(svg_charts.dimension_chart([("a", 1), ("b", 2), ("c", 3)], title="t",
                                                                          test_id="radar-chart"))
