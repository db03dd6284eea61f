"""The paper blueprint on the rules tab, and the sentence about the papers' totals."""
from __future__ import annotations

import re

from sqlalchemy import select

from examengine.extensions import db
from examengine.models import ExamRule, ExamSection
from tests.services.exams.test_blueprint import bank
from tests.web.exams.test_admin_exams import add_attempt, add_section, create, draw, load


def pool(app):
    load(app, "net", markdown=bank("net", [("single", "网络", 1, 2)] * 4 + [("truefalse", "安全", 2, 1)] * 3))
    load(app, "ops", markdown=bank("ops", [("single", "安全", 3, 3)] * 2))


def available(page_text: str) -> dict[str, int]:
    rows = re.findall(r'data-value="([^"]+)".*?data-testid="blueprint-available" data-available>(\d+)<',
                      page_text, re.S)
    return {value: int(n) for value, n in rows}


def rules(app) -> list[tuple]:
    with app.app_context():
        return [(r.qtype, r.dimension, r.count, r.points, r.bank_keys)
                for r in db.session.scalars(select(ExamRule).order_by(ExamRule.id))]


def form(**fields) -> dict:
    data = {"mode": "qtype", "difficulty_min": "1", "difficulty_max": "5", "target": "new", "title": "",
            "value-0": "single", "count-0": "", "points-0": "", "value-1": "truefalse", "count-1": "", "points-1": ""}
    data.update(fields)
    return data


def test_the_table_shows_each_type_and_dimension_with_its_available_count(app, admin_client):
    pool(app)
    exam_id = create(admin_client)
    page = admin_client.get(f"/admin/exams/{exam_id}/rules")
    assert 'data-testid="blueprint"' in page.text and " open" in page.text  # no sections yet: shown open
    assert available(page.text) == {"single": 6, "truefalse": 3}
    assert re.search(r"js/blueprint\.[0-9a-f]{12}\.js", page.text)
    by_dimension = admin_client.get(f"/admin/exams/{exam_id}/rules?mode=dimension&banks=ops")
    assert available(by_dimension.text) == {"安全": 2, "网络": 0}
    recount = admin_client.post(f"/admin/exams/{exam_id}/blueprint",
                                data=form(recount="1", banks="net", difficulty_min="2", **{"count-0": "3"}))
    assert recount.status_code == 200 and available(recount.text) == {"single": 0, "truefalse": 3}
    assert 'value="3"' in recount.text and rules(app) == []  # what was typed stays; nothing saved


def test_one_submit_saves_a_rule_per_row(app, admin_client):
    pool(app)
    exam_id = create(admin_client)
    response = admin_client.post(f"/admin/exams/{exam_id}/blueprint",
                                 data=form(banks=["net", "ops"], **{"count-0": "5", "points-0": "2.5", "count-1": "2"}))
    assert response.status_code == 302 and "#section-" in response.headers["Location"]
    assert rules(app) == [("single", None, 5, 2.5, ["net", "ops"]), ("truefalse", None, 2, None, ["net", "ops"])]
    page = admin_client.get(response.headers["Location"])
    assert "Saved the blueprint as 2 rules in Paper blueprint." in page.text
    assert "Replace the 2 rules of Section 1: Paper blueprint" in page.text


def test_errors_show_beside_their_rows_and_nothing_is_saved(app, admin_client):
    pool(app)
    exam_id = create(admin_client)
    response = admin_client.post(f"/admin/exams/{exam_id}/blueprint",
                                 data=form(**{"count-0": "two", "count-1": "1", "points-1": "-3"}))
    assert response.status_code == 400
    assert response.text.count('data-testid="blueprint-row-errors"') == 2
    assert "whole number from 0 to 500" in response.text and "Points per question: a number above 0" in response.text
    assert 'value="two"' in response.text and rules(app) == []
    short = admin_client.post(f"/admin/exams/{exam_id}/blueprint", data=form(**{"count-1": "4"}))
    assert short.status_code == 400 and "section 1, rule 1 needs 4 questions, 3 match" in short.text
    with app.app_context():
        assert db.session.scalars(select(ExamSection)).all() == []


def test_errors_are_in_chinese_for_the_chinese_ui(app, admin_client):
    pool(app)
    exam_id = create(admin_client)
    admin_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    response = admin_client.post(f"/admin/exams/{exam_id}/blueprint", data=form())
    assert response.status_code == 400 and "至少" in response.text and "Enter a number" not in response.text


def test_the_blueprint_is_refused_once_attempts_exist(app, admin_client):
    pool(app)
    exam_id = create(admin_client)
    section_id = add_section(admin_client, exam_id)
    assert draw(admin_client, exam_id, section_id, qtype="single").status_code == 302
    add_attempt(app, exam_id)
    assert 'data-testid="blueprint"' not in admin_client.get(f"/admin/exams/{exam_id}/rules").text
    response = admin_client.post(f"/admin/exams/{exam_id}/blueprint", data=form(**{"count-0": "1"}))
    assert response.status_code == 400 and "sections and rules are locked" in response.text
    assert len(rules(app)) == 1


def test_the_page_says_every_paper_totals_the_same_when_it_does(app, admin_client):
    pool(app)
    exam_id = create(admin_client)
    section_id = add_section(admin_client, exam_id)
    assert draw(admin_client, exam_id, section_id, qtype="single", bank_keys="net").status_code == 302  # own: 2 each
    assert draw(admin_client, exam_id, section_id, qtype="truefalse", points="4").status_code == 302
    page = admin_client.get(f"/admin/exams/{exam_id}/rules")
    assert "Every paper totals 6 points." in page.text and 'data-testid="totals-differ"' not in page.text


def test_the_page_says_totals_can_differ_only_when_own_points_differ(app, admin_client):
    pool(app)
    exam_id = create(admin_client)
    section_id = add_section(admin_client, exam_id)
    assert draw(admin_client, exam_id, section_id, qtype="single").status_code == 302  # 2 or 3 points
    page = admin_client.get(f"/admin/exams/{exam_id}/rules")
    assert 'data-testid="totals-differ"' in page.text and "Every paper totals" not in page.text
