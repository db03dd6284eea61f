"""Admin exam pages: settings with the site time zone, the rules editor, lock and copy, overrides, preview."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import Attempt, Exam, ExamOverride, ExamRule, ExamSection, Group, QuestionVersion, User
from examengine.models._time import utcnow
from examengine.services.accounts import create_user
from examengine.services.banks import import_banks
from tests.conftest import csrf_token_from
from tests.exam_admin_samples import bank_md, singles
from tests.exam_builders import KEY_MARKERS, STANDARD_BANK

FORM = {
    "title": "Network basics", "instructions": "Read *carefully*.", "time_limit_minutes": "45",
    "opens_at": "2030-03-01T09:00", "closes_at": "2030-03-08T18:30", "attempts_allowed": "1",
    "pass_percent": "60", "release_score": "after_grading", "multiple_scoring": "all-or-nothing",
    "shuffle_questions": "y", "shuffle_options": "y",
}


def load(app, key: str, questions=None, markdown: str | None = None) -> None:
    with app.app_context():
        text = markdown if markdown is not None else bank_md(key, questions)
        assert import_banks([(f"{key}.md", text.encode())], max_bytes=1 << 22).ok


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def only_exam(app) -> Exam:
    with app.app_context():
        return db.session.scalars(select(Exam)).one()


def create(client, **changes) -> int:
    response = client.post("/admin/exams/new", data={**FORM, **changes})
    assert response.status_code == 302, response.text
    return int(re.search(r"/admin/exams/(\d+)/rules", response.headers["Location"]).group(1))


def add_section(client, exam_id: int, title: str = "Part 1") -> int:
    assert client.post(f"/admin/exams/{exam_id}/sections", data={"title": title}).status_code == 302
    with client.application.app_context():
        return db.session.scalars(select(ExamSection.id).where(ExamSection.exam_id == exam_id)
                                  .order_by(ExamSection.id.desc())).first()


def draw(client, exam_id: int, section_id: int, **fields):
    data = {"count": "1", "qtype": "", "dimension": "", "difficulty_min": "1", "difficulty_max": "5", **fields}
    return client.post(f"/admin/exams/{exam_id}/sections/{section_id}/draw", data=data)


def add_attempt(app, exam_id: int) -> None:
    with app.app_context():
        user = create_user("sitter", password="password-123")
        db.session.add(Attempt(exam_id=exam_id, user_id=user.id, number=1, code="LOCK1", seed=3,
                               deadline=utcnow() + timedelta(hours=1)))
        db.session.commit()


def test_admins_see_the_exams_link_and_an_empty_list(admin_client):
    page = admin_client.get("/admin/exams")
    assert page.status_code == 200
    assert 'href="/admin/exams"' in page.text and "No exams yet." in page.text


# --- settings and the time zone ---

def test_times_are_typed_and_shown_in_the_site_zone_and_stored_in_utc(app, admin_client):
    exam_id = create(admin_client)
    exam = only_exam(app)
    assert (exam.opens_at, exam.closes_at) == (datetime(2030, 3, 1, 1, 0), datetime(2030, 3, 8, 10, 30))
    assert (exam.title, exam.time_limit_minutes, exam.instructions) == ("Network basics", 45, "Read *carefully*.")
    page = admin_client.get(f"/admin/exams/{exam_id}").text
    assert 'value="2030-03-01T09:00"' in page and 'value="2030-03-08T18:30"' in page
    assert "<em>carefully</em>" in page  # the instructions rendered from Markdown
    listing = admin_client.get("/admin/exams").text
    assert "2030-03-01 09:00" in listing and "Draft" in listing


def test_another_site_zone_converts_the_other_way(app_factory, make_user):
    app = app_factory(EXAMENGINE_TIMEZONE="America/New_York")
    client = app.test_client()
    with app.app_context():
        create_user("root", password="correct-horse-42", roles=("admin",))
    client.post("/login", data={"username": "root", "password": "correct-horse-42"})
    create(client, opens_at="2030-07-01T09:00", closes_at="2030-07-01T17:00")
    assert only_exam(app).opens_at == datetime(2030, 7, 1, 13, 0)


@pytest.mark.parametrize(("changes", "message"), [
    ({"title": ""}, "Enter a title."),
    ({"time_limit_minutes": "0"}, "The time limit must be at least 1 minute."),
    ({"time_limit_minutes": "abc"}, "Not a valid integer value."),
    ({"closes_at": "2030-03-01T08:59"}, "The exam must close after it opens."),
    ({"opens_at": "next tuesday"}, "Not a valid datetime value."),
    ({"attempts_allowed": "0"}, "Allow from 1 to 100 attempts."),
    ({"pass_percent": "101"}, "The pass mark must be a percentage from 0 to 100."),
    ({"release_score": "sometimes"}, "Not a valid choice."),
    ({"users": "99999"}, "is not a valid choice"),
])
def test_bad_settings_show_the_form_again_with_a_message(app, admin_client, changes, message):
    response = admin_client.post("/admin/exams/new", data={**FORM, **changes})
    assert response.status_code == 400
    assert message in response.text
    assert count(app, Exam) == 0


def test_instructions_preview_saves_nothing(app, admin_client):
    response = admin_client.post("/admin/exams/new", data={**FORM, "instructions": "# Rules\n<script>x</script>",
                                                            "preview": "1"})
    assert response.status_code == 200 and "<h1>Rules</h1>" in response.text
    assert "<script>x</script>" not in response.text
    assert count(app, Exam) == 0


def test_instructions_past_the_markup_limits(app, admin_client):
    deep = "<b><i>" * 500
    response = admin_client.post("/admin/exams/new", data={**FORM, "instructions": deep})
    assert response.status_code == 400
    assert "nests HTML tags more than 20 deep" in response.text
    assert count(app, Exam) == 0
    preview = admin_client.post("/admin/exams/new", data={**FORM, "instructions": deep, "preview": "1"})
    assert preview.status_code == 200 and 'data-markup-plain="html"' in preview.text
    # Stored before the limits existed: the settings page still opens, showing the text as written.
    exam_id = create(admin_client)
    with app.app_context():
        db.session.get(Exam, exam_id).instructions = "[" * 100_000
        db.session.commit()
    page = admin_client.get(f"/admin/exams/{exam_id}")
    assert page.status_code == 200 and 'data-markup-plain="field_chars"' in page.text


def test_groups_and_users_are_assigned_from_the_form(app, admin_client):
    with app.app_context():
        group = Group(name="Ops")
        db.session.add(group)
        alice = create_user("alice", password="password-123", display_name="Alice Li")
        db.session.commit()
        group_id, alice_id = group.id, alice.id
    page = admin_client.get("/admin/exams/new").text
    assert "alice (Alice Li)" in page and "Ops" in page and "data-filter-list" in page
    exam_id = create(admin_client, groups=str(group_id), users=str(alice_id))
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert ([g.name for g in exam.groups], [u.username for u in exam.users]) == (["Ops"], ["alice"])
    data = {**FORM, "groups": str(group_id)}
    assert admin_client.post(f"/admin/exams/{exam_id}", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Exam, exam_id).users == []


# --- sections and rules ---

def test_the_rules_editor_adds_moves_edits_and_deletes_without_javascript(app, admin_client):
    load(app, "net", singles(8, tags="TLS"))
    exam_id = create(admin_client)
    section_id = add_section(admin_client, exam_id, "Basics")
    assert draw(admin_client, exam_id, section_id, count="3", bank_keys="net", tags="TLS", points="2").status_code == 302
    fixed = admin_client.post(f"/admin/exams/{exam_id}/sections/{section_id}/fixed",
                              data={"question_keys": "net/q7\r\nnet/q6\r\n"})
    assert fixed.status_code == 302
    page = admin_client.get(f"/admin/exams/{exam_id}/rules").text
    assert "Draw 3 × any type" in page and "8 match" in page and "2 of 2 found" in page
    assert "Each paper has 5 questions." in page
    with app.app_context():
        rules = db.session.scalars(select(ExamRule).order_by(ExamRule.position)).all()
        draw_id, fixed_id = rules[0].id, rules[1].id
        assert rules[1].question_keys == ["net/q7", "net/q6"]
    assert admin_client.post(f"/admin/exams/{exam_id}/rules/{fixed_id}/move", data={"direction": "up"}).status_code == 302
    with app.app_context():
        assert db.session.get(ExamRule, fixed_id).position == 0
    form = admin_client.get(f"/admin/exams/{exam_id}/rules/{draw_id}").text
    assert 'value="3"' in form and "checked" in form
    edit = {"count": "2", "qtype": "single", "dimension": "", "difficulty_min": "1", "difficulty_max": "5"}
    assert admin_client.post(f"/admin/exams/{exam_id}/rules/{draw_id}", data=edit).status_code == 302
    with app.app_context():
        rule = db.session.get(ExamRule, draw_id)
        assert (rule.count, rule.qtype, rule.bank_keys, rule.tags, rule.points) == (2, "single", [], [], None)
    assert draw(admin_client, exam_id, section_id, count="4").status_code == 302  # 8 - 2 fixed - 2 drawn
    assert draw(admin_client, exam_id, section_id, count="1").status_code == 400  # nothing left
    assert admin_client.post(f"/admin/exams/{exam_id}/rules/{draw_id}/delete").status_code == 302
    assert count(app, ExamRule) == 2
    assert admin_client.post(f"/admin/exams/{exam_id}/sections/{section_id}/delete").status_code == 302
    assert count(app, ExamRule) == count(app, ExamSection) == 0


def test_a_shortfall_is_refused_with_the_exact_message_and_nothing_stored(app, admin_client):
    load(app, "net", singles(7) + [(1, "", None, "truefalse")])
    exam_id = create(admin_client)
    section_id = add_section(admin_client, exam_id)
    assert draw(admin_client, exam_id, section_id, qtype="truefalse").status_code == 302
    refused = draw(admin_client, exam_id, section_id, count="10", qtype="single")
    assert refused.status_code == 400
    assert "section 1, rule 2 needs 10 questions, 7 match" in refused.text
    assert "Not saved: the question pool cannot fill the rules." in refused.text
    assert count(app, ExamRule) == 1


def test_overlapping_rules_are_refused_together(app, admin_client):
    load(app, "net", singles(5, tags="TLS"))
    exam_id = create(admin_client)
    section_id = add_section(admin_client, exam_id)
    assert draw(admin_client, exam_id, section_id, count="3", tags="TLS").status_code == 302
    refused = draw(admin_client, exam_id, section_id, count="3", qtype="single")
    assert refused.status_code == 400
    assert ("section 1 rule 1 and section 1 rule 2 together need 6 questions but their pools only hold "
            "5 distinct ones") in refused.text
    assert count(app, ExamRule) == 1


@pytest.mark.parametrize(("fields", "message"), [
    ({"count": "0"}, "A rule draws at least 1 question."),
    ({"count": ""}, "Enter a number."),
    ({"difficulty_min": "4", "difficulty_max": "2"}, "The lowest difficulty cannot be above the highest."),
    ({"difficulty_min": "9"}, "Not a valid choice."),
    ({"bank_keys": "nope"}, "is not a valid choice"),
    ({"qtype": "essay"}, "Not a valid choice."),
    ({"points": "-1"}, "Points must be more than 0 and at most 1000."),
    ({"points": "lots"}, "Not a valid float value."),
])
def test_bad_rules_are_refused_with_a_message(app, admin_client, fields, message):
    load(app, "net", singles(3))
    exam_id = create(admin_client)
    section_id = add_section(admin_client, exam_id)
    response = draw(admin_client, exam_id, section_id, **fields)
    assert response.status_code == 400 and message in response.text
    assert count(app, ExamRule) == 0


def test_bad_fixed_rules_are_refused_with_a_message(app, admin_client):
    load(app, "net", singles(3))
    exam_id = create(admin_client)
    section_id = add_section(admin_client, exam_id)
    url = f"/admin/exams/{exam_id}/sections/{section_id}/fixed"
    for keys, message in [("", "List at least one question"), ("q1", "Not a question key (bank/id): q1"),
                          ("net/q1\nnet/q1", "Listed twice: net/q1"),
                          ("net/missing", "question net/missing is not in the pool")]:
        response = admin_client.post(url, data={"question_keys": keys})
        assert response.status_code == 400 and message in response.text, keys
    assert count(app, ExamRule) == 0


def test_rules_of_another_exam_are_not_found(app, admin_client):
    load(app, "net", singles(3))
    first, second = create(admin_client), create(admin_client, title="Other")
    section_id = add_section(admin_client, first)
    assert draw(admin_client, first, section_id).status_code == 302
    with app.app_context():
        rule_id = db.session.scalar(select(ExamRule.id))
    assert admin_client.get(f"/admin/exams/{second}/rules/{rule_id}").status_code == 404
    assert admin_client.post(f"/admin/exams/{second}/rules/{rule_id}/delete").status_code == 404
    assert draw(admin_client, second, section_id).status_code == 404


# --- the lock, copy and delete ---

def test_an_attempt_locks_the_rules_and_a_copy_unlocks_them(app, admin_client):
    load(app, "net", singles(6))
    exam_id = create(admin_client)
    section_id = add_section(admin_client, exam_id)
    assert draw(admin_client, exam_id, section_id, count="2").status_code == 302
    add_attempt(app, exam_id)
    rules_page = admin_client.get(f"/admin/exams/{exam_id}/rules").text
    assert "Locked" in rules_page and "Add a draw rule" not in rules_page and "Copy exam to change its rules" in rules_page
    refused = draw(admin_client, exam_id, section_id, count="1")
    assert refused.status_code == 400 and "Attempts exist, so the sections and rules are locked." in refused.text
    assert admin_client.post(f"/admin/exams/{exam_id}/sections/{section_id}/delete").status_code == 400
    settings = admin_client.get(f"/admin/exams/{exam_id}").text
    assert re.search(r'name="time_limit_minutes"[^>]*disabled|disabled[^>]*name="time_limit_minutes"', settings)
    saved = admin_client.post(f"/admin/exams/{exam_id}", data={**FORM, "title": "Renamed", "time_limit_minutes": "5",
                                                              "closes_at": "2030-03-09T18:30"})
    assert saved.status_code == 302
    exam = only_exam(app)
    assert (exam.title, exam.time_limit_minutes, exam.closes_at) == ("Renamed", 45, datetime(2030, 3, 9, 10, 30))
    deleted = admin_client.post(f"/admin/exams/{exam_id}/delete")
    assert deleted.status_code == 400 and "cannot be deleted" in deleted.text
    listing = admin_client.get("/admin/exams").text
    assert "Locked" in listing and re.search(r'data-testid="attempt-count">1<', listing)
    copied = admin_client.post(f"/admin/exams/{exam_id}/copy")
    assert copied.status_code == 302
    with app.app_context():
        copy = db.session.scalars(select(Exam).where(Exam.id != exam_id)).one()
        assert copy.title == "Renamed (copy)" and [r.count for r in copy.sections[0].rules] == [2]
        copy_id, copy_section = copy.id, copy.sections[0].id
    assert copied.headers["Location"].endswith(f"/admin/exams/{copy_id}")
    assert draw(admin_client, copy_id, copy_section, count="1").status_code == 302


def test_an_exam_without_attempts_can_be_deleted(app, admin_client):
    exam_id = create(admin_client)
    response = admin_client.post(f"/admin/exams/{exam_id}/delete")
    assert response.status_code == 302 and count(app, Exam) == 0


# --- overrides ---

def test_overrides_are_added_edited_and_removed(app, admin_client):
    with app.app_context():
        alice_id = create_user("alice", password="password-123").id
    exam_id = create(admin_client, users=str(alice_id))
    url = f"/admin/exams/{exam_id}/overrides"
    assert "alice" in admin_client.get(url).text
    data = {"user_id": str(alice_id), "extra_minutes": "20", "extra_attempts": "1", "closes_at": "2030-03-10T09:00"}
    assert admin_client.post(url, data=data).status_code == 302
    with app.app_context():
        override = db.session.scalars(select(ExamOverride)).one()
        assert (override.extra_minutes, override.extra_attempts, override.closes_at) == (
            20, 1, datetime(2030, 3, 10, 1, 0))
    assert 'value="2030-03-10T09:00"' in admin_client.get(f"{url}?user={alice_id}").text
    early = admin_client.post(url, data={**data, "closes_at": "2030-03-08T09:00"})
    assert early.status_code == 400 and "The later close must be after the exam closes (2030-03-08 18:30)." in early.text
    negative = admin_client.post(url, data={**data, "extra_minutes": "-5"})
    assert negative.status_code == 400 and "Extra time is from 0 to 1440 minutes." in negative.text
    assert admin_client.post(url, data={**data, "user_id": "99999"}).status_code == 400
    assert admin_client.post(f"{url}/{alice_id}/delete").status_code == 302
    assert count(app, ExamOverride) == 0
    assert admin_client.post(f"{url}/{alice_id}/delete").status_code == 404
    assert admin_client.post(f"{url}/{2**40}/delete").status_code == 404


def test_overrides_need_an_assigned_user(app, admin_client):
    exam_id = create(admin_client)
    response = admin_client.post(f"/admin/exams/{exam_id}/overrides", data={"user_id": "1", "extra_minutes": "5",
                                                                             "extra_attempts": "0"})
    assert response.status_code == 400 and "Assign the exam to users or groups first" in response.text


# --- preview ---

def test_the_preview_shows_points_and_spread_and_no_key_material(app, admin_client):
    load(app, "std", markdown=STANDARD_BANK)
    exam_id = create(admin_client)
    section_id = add_section(admin_client, exam_id)
    for qtype in ("single", "multiple", "truefalse", "fill", "short", "analysis"):
        assert draw(admin_client, exam_id, section_id, qtype=qtype, points="5").status_code == 302
    page = admin_client.get(f"/admin/exams/{exam_id}/preview?seed=11")
    assert page.status_code == 200
    assert "Total points: 30" in page.text and page.text.count('data-testid="preview-question"') == 6
    assert "Fairness over 200 sample papers" in page.text
    assert re.search(r'data-testid="spread-min">15<', page.text) and re.search(r'data-testid="spread-stdev">0.00<', page.text)
    assert "points-warning" not in page.text
    for marker in KEY_MARKERS:
        assert marker not in page.text
    assert "correct" not in page.text.lower() and "Reference answer" not in page.text and "Rubric" not in page.text
    again = admin_client.get(f"/admin/exams/{exam_id}/preview?seed=11").text
    paper = page.text[page.text.index('data-testid="preview-question"'):]
    assert paper == again[again.index('data-testid="preview-question"'):]  # same seed, same paper


def test_the_preview_warns_when_totals_differ_and_shows_shortfalls(app, admin_client):
    load(app, "net", [(2, "", 1, "single"), (2, "", 4, "single")])
    exam_id = create(admin_client)
    section_id = add_section(admin_client, exam_id)
    assert draw(admin_client, exam_id, section_id, qtype="single").status_code == 302
    page = admin_client.get(f"/admin/exams/{exam_id}/preview").text
    assert 'data-testid="points-warning"' in page and re.search(r'data-testid="spread-points">1–4<', page)
    load(app, "net", [(3, "", 1, "truefalse")])  # re-imported: no single-choice question is left
    page = admin_client.get(f"/admin/exams/{exam_id}/preview?seed=abc")
    assert page.status_code == 200 and "section 1, rule 1 needs 1 question, 0 match" in page.text
    assert "section 1, rule 1 needs 1 question, 0 match" in admin_client.get(f"/admin/exams/{exam_id}/rules").text


# --- robustness ---

def test_the_pages_carry_csrf_tokens_that_work(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        create_user("root", password="correct-horse-42", roles=("admin",))
    token = csrf_token_from(client.get("/login").text)
    client.post("/login", data={"username": "root", "password": "correct-horse-42", "csrf_token": token})
    token = csrf_token_from(client.get("/admin/exams/new").text)
    assert client.post("/admin/exams/new", data={**FORM, "csrf_token": token}).status_code == 302
    exam_id = only_exam(app).id
    token = csrf_token_from(client.get(f"/admin/exams/{exam_id}/rules").text)
    assert client.post(f"/admin/exams/{exam_id}/sections", data={"title": "A", "csrf_token": token}).status_code == 302
    assert client.post(f"/admin/exams/{exam_id}/copy").status_code == 400  # no token



def test_no_exam_post_answers_500_whatever_it_gets(app, admin_client):
    load(app, "net", singles(3))
    exam_id = create(admin_client)
    section_id = add_section(admin_client, exam_id)
    assert draw(admin_client, exam_id, section_id).status_code == 302
    with app.app_context():
        rule_id = db.session.scalar(select(ExamRule.id))
        user_id = db.session.scalar(select(User.id))
        version_id = db.session.scalar(select(QuestionVersion.id))
    ids = {"exam_id": exam_id, "section_id": section_id, "rule_id": rule_id, "user_id": user_id,
           "version_id": version_id, "sample_id": 1}
    junk = [{}, {"title": "x" * 5000, "count": "-1", "direction": "sideways", "user_id": "abc",
             "opens_at": "2030-13-45T99:99", "question_keys": "/\n/x\nx/", "points": "nan", "pass_percent": "inf"}]
    routes = [rule for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("admin_exams.") and "POST" in rule.methods]
    for rule in sorted(routes, key=lambda rule: "delete" in rule.endpoint):  # deletions last
        url = rule.build({arg: ids[arg] for arg in rule.arguments}, append_unknown=False)[1]
        for data in junk:
            status = admin_client.post(url, data=data).status_code
            assert status < 500, f"{rule.endpoint} {data}: {status}"
