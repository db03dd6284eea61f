"""The reviewers' pages: only assigned exams, anonymous answers, grading through the form (and forged
posts refused), the start page card, and the admin's reviewers page."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import Exam, GradingMark, User
from tests.conftest import Auth, english_client
from tests.exam_builders import build_exam, ensure_user
from tests.grading_builders import add_reviewers, grading_exam, submit_attempts, user_id, version_id, written_slot

NAMES = {"ann": "Annabelle Examinee", "bob": "Bobby Examinee"}


def login(app, username, roles=("reviewer",)):
    with app.app_context():
        ensure_user(username, roles=roles)
        db.session.commit()
    client = english_client(app)
    assert Auth(client).login(username).status_code == 302
    return client


def named_exam(app, answers, **kwargs):
    exam_id, ids = grading_exam(app, answers, **kwargs)
    with app.app_context():
        for username, name in NAMES.items():
            user = db.session.scalar(select(User).where(User.username == username))
            if user is not None:
                user.display_name = name
        db.session.commit()
    return exam_id, ids


def next_url(app, exam_id, qtype="short"):
    with app.app_context():
        return f"/review/exams/{exam_id}/questions/{version_id(qtype)}/next"


def action_url(app, exam_id, action, qtype="short"):
    return next_url(app, exam_id, qtype).replace("/next", f"/{action}")


def slot_ids(html: str) -> str:
    form = html.split('id="primary-form"', 1)[1].split("</form>", 1)[0]
    return re.search(r'name="slots" value="([\d,]+)"', form).group(1)


def marks(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(GradingMark))


# --- who sees what ---

def test_a_reviewer_sees_only_the_exams_assigned_to_them(app):
    mine, _ = named_exam(app, {"ann": "one"}, reviewers=["rita"], title="Mine to grade")
    other, _ = named_exam(app, {"bob": "two"}, reviewers=["ravi"], title="Someone else's")
    client = login(app, "rita")
    page = client.get("/review").text
    assert "Mine to grade" in page and "Someone else&#39;s" not in page and "Someone else's" not in page
    assert client.get(next_url(app, other)).status_code == 404
    for action in ("mark", "blank", "skip", "stop"):
        assert client.post(action_url(app, other, action), data={"slots": "1"}).status_code == 404, action
    assert client.get(next_url(app, mine)).status_code == 200
    assert client.get("/review/exams/999999/questions/1/next").status_code == 404
    with app.app_context():
        objective = version_id("single")
    assert client.get(f"/review/exams/{mine}/questions/{objective}/next").status_code == 404  # not written


@pytest.mark.parametrize("roles", [("employee",), ()])
def test_non_reviewers_cannot_grade(app, roles):
    exam_id, _ = named_exam(app, {"ann": "one"})
    if roles:
        client = login(app, "emma", roles)
        assert client.get("/review").status_code == 403
        assert client.get(next_url(app, exam_id)).status_code == 403
        assert client.post(action_url(app, exam_id, "mark"), data={}).status_code == 403
    else:
        client = english_client(app)
        response = client.get(next_url(app, exam_id))
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_reviewers_see_codes_never_names_and_admins_see_names(app):
    exam_id, ids = named_exam(app, {"ann": "<script>alert(1)</script>\nsecond line", "bob": "other"})
    client = login(app, "rita")
    for url in ("/review", next_url(app, exam_id)):
        page = client.get(url).text
        for username, name in NAMES.items():
            assert name not in page and f">{username}<" not in page
    page = client.get(next_url(app, exam_id)).text
    with app.app_context():
        from examengine.models import Attempt
        code = db.session.get(Attempt, ids["ann"]).code
    assert f'data-code="{code}"' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\nsecond line" in page  # escaped, line break kept
    assert "<script>alert(1)" not in page
    assert re.search(r'class="[^"]*\bpre-wrap\b[^"]*" data-testid="answer"', page)  # line breaks shown
    assert "SHORT-REFERENCE-SECRET" in page and "SHORT-RUBRIC-SECRET scope" in page  # key material for reviewers
    assert "A user says a web page does not load" in page  # the stem
    admin = login(app, "boss", ("admin",))
    assert "Bobby Examinee" in admin.get(next_url(app, exam_id)).text  # rita holds ann's answer


def test_the_case_material_is_shown_for_analysis_questions(app):
    exam_id, _ = named_exam(app, {"ann": "Roll back."})
    page = login(app, "rita").get(next_url(app, exam_id, "analysis")).text
    assert "The payment service failed at 10:00" in page and "ANALYSIS-REFERENCE-SECRET" in page


# --- grading through the form ---

def test_grading_a_group_with_the_form(app):
    exam_id, ids = named_exam(app, {"ann": "Same answer", "bob": "Same   answer", "cat": "Different"})
    client = login(app, "rita")
    page = client.get(next_url(app, exam_id)).text
    assert "This answer was given by 2 examinees" in page
    assert 'data-testid="grading-keys"' in page and "Ctrl+Enter save and next" in page
    response = client.post(action_url(app, exam_id, "mark"), data={
        "slots": slot_ids(page), "rubric": ["0", "1"], "adjustment": "-0.5", "comment": "Nearly."})
    assert response.status_code == 302 and response.headers["Location"].endswith(next_url(app, exam_id))
    page = client.get(response.headers["Location"]).text
    assert "Saved: 2 answers scored 4.5." in page
    assert "Different" in page
    with app.app_context():
        assert written_slot(ids["ann"]).score == 4.5 and written_slot(ids["bob"]).score == 4.5
        assert written_slot(ids["cat"]).needs_grading


@pytest.mark.parametrize("data, message", [
    ({"rubric": ["7"]}, "Unknown rubric item"),
    ({"rubric": ["x"]}, "Unknown rubric item"),
    ({"adjustment": "nan"}, "must be a number"),
    ({"adjustment": "Infinity"}, "must be a number"),
    ({"rubric": ["0", "1"], "adjustment": "1"}, "between 0 and 5"),
    ({"adjustment": "-0.01"}, "between 0 and 5"),
])
def test_forged_or_out_of_range_marks_are_refused(app, data, message):
    exam_id, ids = named_exam(app, {"ann": "An answer"})
    client = login(app, "rita")
    page = client.get(next_url(app, exam_id)).text
    response = client.post(action_url(app, exam_id, "mark"), data={"slots": slot_ids(page), **data})
    assert response.status_code == 400
    assert message in response.text and 'data-testid="mark-error"' in response.text
    assert slot_ids(response.text) == slot_ids(page)  # the same answer, still held
    assert marks(app) == 0
    with app.app_context():
        assert written_slot(ids["ann"]).needs_grading


def test_answers_not_claimed_by_the_reviewer_are_refused(app):
    exam_id, _ = named_exam(app, {"ann": "one", "bob": "two"}, reviewers=["rita", "ravi"])
    rita, ravi = login(app, "rita"), login(app, "ravi")
    rita_ids = slot_ids(rita.get(next_url(app, exam_id)).text)
    ravi_ids = slot_ids(ravi.get(next_url(app, exam_id)).text)
    assert rita_ids != ravi_ids
    response = rita.post(action_url(app, exam_id, "mark"), data={"slots": ravi_ids, "rubric": ["0"]},
                         follow_redirects=True)
    assert "claimed by someone else, or your claim expired" in response.text
    for bad in (["abc"], [], ["1" * 30]):
        assert rita.post(action_url(app, exam_id, "mark"), data={"slots": bad}).status_code == 400
    assert marks(app) == 0


def test_blank_answers_are_scored_zero_in_one_action(app):
    exam_id, ids = named_exam(app, {"ann": None, "bob": "   "})
    client = login(app, "rita")
    page = client.get(next_url(app, exam_id)).text
    assert "Score all 2 blank answers 0" in page and 'data-testid="mark-form"' not in page
    response = client.post(action_url(app, exam_id, "blank"), data={"slots": slot_ids(page)}, follow_redirects=True)
    assert "Saved: 2 answers scored 0." in response.text
    assert "Every answer to this question is graded." in response.text
    with app.app_context():
        assert written_slot(ids["ann"]).score == 0 and written_slot(ids["bob"]).score == 0


def test_skip_shows_another_answer_and_stop_releases_the_claim(app):
    exam_id, _ = named_exam(app, {"ann": "first answer", "bob": "second answer"}, reviewers=["rita", "ravi"])
    rita = login(app, "rita")
    page = rita.get(next_url(app, exam_id)).text
    assert "first answer" in page
    key = re.search(r'name="key" value="([0-9a-f]*)"', page).group(1)
    page = rita.post(action_url(app, exam_id, "skip"), data={"slots": slot_ids(page), "key": key},
                     follow_redirects=True).text
    assert "second answer" in page
    rita.post(action_url(app, exam_id, "stop"))
    ravi = login(app, "ravi")
    assert "first answer" in ravi.get(next_url(app, exam_id)).text  # released: not held for rita any more


def test_nothing_left_page(app):
    exam_id, _ = named_exam(app, {"rita": "my own"}, reviewers=["rita"])
    page = login(app, "rita").get(next_url(app, exam_id)).text
    assert "Nothing left for you on this question" in page and "1 answer is still waiting" in page


def test_the_start_page_card_and_the_nav_link(app):
    exam_id, _ = named_exam(app, {"ann": "one", "bob": None})
    client = login(app, "rita")
    page = client.get("/").text
    assert "4 answers are waiting to be graded." in page and 'href="/review"' in page
    assert ">Grading</a>" in page
    with app.app_context():
        add_reviewers(exam_id, [])
    other = login(app, "ravi")
    assert "No answers are waiting for you." in other.get("/").text
    index = client.get("/review").text
    assert index.count('data-testid="grade-next"') == 2 and "0 of 2 graded" in index


# --- the admin's page ---

def test_the_admin_assigns_reviewers_and_double_marking(app):
    with app.app_context():
        exam = build_exam(users=["ann"])
        exam_id = exam.id
        for name in ("rita", "ravi"):
            ensure_user(name, roles=("reviewer",))
        ensure_user("emma")
        db.session.commit()
        rita, ravi, emma = user_id("rita"), user_id("ravi"), user_id("emma")
    admin = login(app, "boss", ("admin",))
    page = admin.get(f"/admin/exams/{exam_id}/reviewers").text
    assert "rita" in page and "ravi" in page and ">emma<" not in page
    response = admin.post(f"/admin/exams/{exam_id}/reviewers", data={
        "reviewers": [str(rita), str(ravi)], "double_marking": "y", "double_marking_tolerance": "15",
        "calibration_tolerance": "10"})
    assert response.status_code == 302
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert [u.username for u in exam.reviewers] == ["ravi", "rita"]
        assert exam.double_marking and exam.double_marking_tolerance == 15
    for bad in ({"reviewers": [str(emma)], "double_marking_tolerance": "10"},
                {"double_marking_tolerance": "150"}, {"double_marking_tolerance": "nan"},
                {"double_marking_tolerance": ""}):
        assert admin.post(f"/admin/exams/{exam_id}/reviewers", data=bad).status_code == 400, bad
    with app.app_context():
        assert len(db.session.get(Exam, exam_id).reviewers) == 2


def test_the_admin_page_shows_progress_and_agreement(app):
    exam_id, _ = named_exam(app, {"ann": "one"}, reviewers=["rita", "ravi"], double_marking=True)
    for reviewer, items in (("rita", ["0"]), ("ravi", ["0", "1"])):
        client = login(app, reviewer)
        page = client.get(next_url(app, exam_id)).text
        client.post(action_url(app, exam_id, "mark"), data={"slots": slot_ids(page), "rubric": items})
    admin = login(app, "boss", ("admin",))
    page = admin.get(f"/admin/exams/{exam_id}/reviewers").text
    assert 'data-testid="pairs">1<' in page and "0 (0%)" in page and "3 points (60%)" in page
    assert 'data-testid="third-waiting">1<' in page
    assert re.search(r'data-testid="graded">0 / 1<', page)
    with app.app_context():
        submit_attempts(exam_id, {"bob": "two"})
    assert re.search(r'data-testid="graded">0 / 2<', admin.get(f"/admin/exams/{exam_id}/reviewers").text)


def test_a_group_shows_each_distinct_text_with_its_count_and_case_makes_groups(app):
    exam_id, _ = grading_exam(app, {"ann": "grep  -i ERROR app.log", "bob": "grep -i ＥＲＲＯＲ app.log",
                                    "cat": "grep  -i ERROR app.log", "dan": "GREP -I error APP.LOG"})
    page = login(app, "rita").get(next_url(app, exam_id)).text
    assert 'data-testid="group-size">This answer was given by 3 examinees' in page
    assert "written in 2 ways" in page
    variants = re.findall(r'data-testid="answer-variant">([^<]*)</div>\s*<p[^>]*data-testid="variant-count">'
                          r'given by (\d) examinee', page)
    assert variants == [("grep  -i ERROR app.log", "2"), ("grep -i ＥＲＲＯＲ app.log", "1")]
    assert "GREP -I error APP.LOG" not in page  # a group of its own, next in the queue
