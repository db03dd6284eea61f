"""The paper blueprint: rows saved as draw rules in one submit, all or nothing, and the counts per row;
and the total every paper has (or not) on the rules page."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import Attempt, ExamRule, ExamSection
from examengine.models._time import utcnow
from examengine.services.accounts import create_user
from examengine.services.banks import import_banks
from examengine.services.exams import (
    BlueprintInput,
    BlueprintRow,
    ExamError,
    ExamSettings,
    RuleInput,
    add_rule,
    add_section,
    apply_blueprint,
    availability,
    create_exam,
    row_error_key,
    uniform_total,
)


def bank(key: str, questions) -> str:
    """questions: [(qtype, dimension, difficulty, points)]; single and truefalse only."""
    parts = [f"---\nid: {key}\ntitle: Bank {key}\n---\n"]
    for i, (qtype, dimension, difficulty, points) in enumerate(questions):
        head = f"## [{qtype}] {key} question {i}\nid: q{i}\ndifficulty: {difficulty}\npoints: {points}\n"
        head += f"dimension: {dimension}\n" if dimension else ""
        body = "answer: true\n\nStatement.\n" if qtype == "truefalse" else "\nQuestion?\n\n- [ ] no\n- [x] yes\n"
        parts.append(head + body)
    return "\n".join(parts)


def load(key: str, questions) -> None:
    report = import_banks([(f"{key}.md", bank(key, questions).encode())], max_bytes=1 << 22)
    assert report.ok, report.errors


@pytest.fixture
def ctx(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        load("net", [("single", "网络", 1, 2)] * 4 + [("single", "网络", 4, 2)] * 2
             + [("truefalse", "安全", 2, 1)] * 3)
        load("ops", [("single", "安全", 2, 2)] * 2 + [("truefalse", "", 3, 1)] * 2)
        yield app


def new_exam():
    return create_exam(ExamSettings(title="Blueprint", opens_at=datetime(2030, 3, 1),
                                    closes_at=datetime(2030, 3, 8)))


def rows_of(result) -> dict[str, int]:
    return {row.value: row.available for row in result}


def rules() -> list[ExamRule]:
    return list(db.session.scalars(select(ExamRule).order_by(ExamRule.id)))


def section_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ExamSection))


# --- availability ---

def test_availability_by_type_counts_the_live_pool_per_bank_and_difficulty(ctx):
    assert rows_of(availability("qtype")) == {"single": 8, "truefalse": 5}
    assert rows_of(availability("qtype", ["net"])) == {"single": 6, "truefalse": 3}
    assert rows_of(availability("qtype", [], (1, 2))) == {"single": 6, "truefalse": 3}
    single = availability("qtype")[0]
    assert single.counts == {"net": [4, 0, 0, 2, 0], "ops": [0, 2, 0, 0, 0]}


def test_availability_by_dimension_leaves_out_questions_without_one(ctx):
    assert rows_of(availability("dimension")) == {"安全": 5, "网络": 6}
    assert rows_of(availability("dimension", ["ops"])) == {"安全": 2, "网络": 0}


# --- saving ---

def test_a_blueprint_becomes_one_draw_rule_per_nonzero_row_in_a_new_section(ctx):
    exam = new_exam()
    section = apply_blueprint(exam, BlueprintInput(
        mode="qtype", bank_keys=["net"], difficulty_min=1, difficulty_max=4,
        rows=[BlueprintRow("single", 5, 3.0), BlueprintRow("truefalse", 0), BlueprintRow("multiple", 0)]))
    assert section.title == "Paper blueprint" and len(exam.sections) == 1
    (rule,) = rules()
    assert (rule.kind, rule.count, rule.qtype, rule.dimension, rule.bank_keys, rule.points) == (
        "draw", 5, "single", None, ["net"], 3.0)
    assert (rule.difficulty_min, rule.difficulty_max) == (1, 4)


def test_rows_by_dimension_use_each_questions_own_points_when_empty(ctx):
    exam = new_exam()
    apply_blueprint(exam, BlueprintInput(mode="dimension", rows=[BlueprintRow("网络", 2), BlueprintRow("安全", 3)],
                                         title="Mixed"))
    assert [(r.dimension, r.qtype, r.count, r.points, r.position) for r in rules()] == [
        ("网络", None, 2, None, 0), ("安全", None, 3, None, 1)]
    assert exam.sections[0].title == "Mixed"


def test_every_row_problem_is_reported_and_nothing_is_saved(ctx):
    exam = new_exam()
    add_section(exam, "hand made")
    with pytest.raises(ExamError) as refused:
        apply_blueprint(exam, BlueprintInput(rows=[BlueprintRow("single", -1), BlueprintRow("truefalse", "many"),
                                                   BlueprintRow("essay", 1), BlueprintRow("multiple", 1, 0.0)]))
    errors = refused.value.errors
    assert "whole number from 0 to 500" in errors[row_error_key("single")][0]
    assert "whole number" in errors[row_error_key("truefalse")][0]
    assert "Unknown question type: essay" in errors[row_error_key("essay")][0]
    assert "Points per question" in errors[row_error_key("multiple")][0]
    assert rules() == [] and section_count() == 1


def test_an_empty_blueprint_and_wrong_common_fields_are_refused(ctx):
    exam = new_exam()
    with pytest.raises(ExamError) as empty:
        apply_blueprint(exam, BlueprintInput(rows=[BlueprintRow("single", 0)]))
    assert "at least one row" in empty.value.errors["rows"][0]
    with pytest.raises(ExamError) as common:
        apply_blueprint(exam, BlueprintInput(bank_keys=["nope"], difficulty_min=4, difficulty_max=2,
                                             rows=[BlueprintRow("single", 1)]))
    assert "Unknown bank: nope" in common.value.errors["bank_keys"][0]
    assert "lowest difficulty" in common.value.errors["difficulty_min"][0]
    assert section_count() == 0


def test_a_paper_the_pool_cannot_fill_is_refused_as_a_whole(ctx):
    exam = new_exam()
    with pytest.raises(ExamError) as refused:
        apply_blueprint(exam, BlueprintInput(rows=[BlueprintRow("single", 3), BlueprintRow("truefalse", 6)]))
    assert refused.value.errors["pool"] == ["section 1, rule 2 needs 6 questions, 5 match"]
    assert rules() == [] and section_count() == 0


def test_rows_that_overlap_other_sections_are_checked_together(ctx):
    exam = new_exam()
    section = add_section(exam)
    add_rule(section, RuleInput(count=7, qtype="single"))
    with pytest.raises(ExamError) as refused:
        apply_blueprint(exam, BlueprintInput(mode="dimension", rows=[BlueprintRow("网络", 3)]))
    assert "together need 10 questions" in refused.value.errors["pool"][0]
    assert len(rules()) == 1 and section_count() == 1


def test_replacing_a_section_swaps_only_its_rules(ctx):
    exam = new_exam()
    keep = add_section(exam, "hand made")
    add_rule(keep, RuleInput(count=1, qtype="truefalse"))
    first = apply_blueprint(exam, BlueprintInput(rows=[BlueprintRow("single", 2)]))
    again = apply_blueprint(exam, BlueprintInput(section_id=first.id, rows=[BlueprintRow("single", 4),
                                                                            BlueprintRow("truefalse", 2)]))
    assert again.id == first.id and again.title == "Paper blueprint" and section_count() == 2
    assert [(r.section_id, r.qtype, r.count) for r in rules()] == [
        (keep.id, "truefalse", 1), (first.id, "single", 4), (first.id, "truefalse", 2)]


def test_a_section_of_another_exam_cannot_be_replaced(ctx):
    other = new_exam()
    foreign = add_section(other)
    exam = new_exam()
    with pytest.raises(ExamError) as refused:
        apply_blueprint(exam, BlueprintInput(section_id=foreign.id, rows=[BlueprintRow("single", 1)]))
    assert "section_id" in refused.value.errors and section_count() == 1


def test_a_locked_exam_refuses_the_blueprint(ctx):
    exam = new_exam()
    user = create_user("sitter", password="password-123")
    db.session.add(Attempt(exam_id=exam.id, user_id=user.id, number=1, code="LOCK1", seed=3,
                           deadline=utcnow() + timedelta(hours=1)))
    db.session.commit()
    with pytest.raises(ExamError) as refused:
        apply_blueprint(exam, BlueprintInput(rows=[BlueprintRow("single", 1)]))
    assert "locked" in refused.value.messages[0] and section_count() == 0


# --- the total of every paper ---

def test_the_total_is_the_same_on_every_paper_when_matching_questions_carry_equal_points(ctx):
    exam = new_exam()
    apply_blueprint(exam, BlueprintInput(rows=[BlueprintRow("single", 3), BlueprintRow("truefalse", 2, 5)]))
    assert uniform_total(exam) == 3 * 2 + 2 * 5  # every single question has 2 points


def test_the_total_can_differ_when_a_rule_uses_own_points_that_differ(ctx):
    exam = new_exam()
    apply_blueprint(exam, BlueprintInput(mode="dimension", rows=[BlueprintRow("安全", 2)]))
    assert uniform_total(exam) is None  # 安全 holds true/false of 1 point and singles of 2
