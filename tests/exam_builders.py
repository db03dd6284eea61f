"""Build exams for tests: a standard bank covering all six question types, and `make_exam`.

    exam_id = make_exam(app, users=["alice"])                    # one question of each type, 6 slots
    exam_id = make_exam(app, rules=[{"count": 2, "qtype": "single"}], time_limit_minutes=30)

Rules are dicts with ExamRule's column names (kind, count, bank_keys, qtype, tags, dimension,
difficulty_min, difficulty_max, points, question_keys) plus an optional "section" (title; rules with
the same title share a section, in order). Users/groups are usernames/group names (created when
missing). Times are naive UTC; by default the exam opened an hour ago and closes in a day.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from examengine.core.release import legacy_policy
from examengine.extensions import db
from examengine.models import AttemptSlot, Exam, ExamOverride, ExamRule, ExamSection, Group, User
from examengine.models._time import utcnow
from examengine.services import attempts as attempt_service
from examengine.services.accounts import create_user
from examengine.services.banks import import_banks

PASSWORD = "correct-horse-42"

# One question of each type; keys are the identities ("std/<id>" for fixed rules).
STANDARD_BANK = """---
id: std
title: Standard test bank
dimension: Basics
---

# Everything

## [single] HTTPS port
id: single-https
difficulty: 2
points: 2

Which **port** does HTTPS use by default?

- [ ] 80
- [x] 443
- [ ] 22
- [ ] 21

### Explanation

SINGLE-EXPLANATION-SECRET 443 is the standard port.

## [multiple] Transport protocols
id: multiple-transport
difficulty: 3
points: 4

Which of these are transport-layer protocols?

- [x] TCP
- [x] UDP
- [ ] HTTP
- [ ] ARP

### Explanation

MULTIPLE-EXPLANATION-SECRET TCP and UDP.

## [truefalse] UDP is connectionless
id: truefalse-udp
difficulty: 1
answer: true
points: 1

UDP is a connectionless protocol.

### Explanation

TRUEFALSE-EXPLANATION-SECRET yes.

## [fill] Protocols and numbers
id: fill-proto
difficulty: 2
points: 2

The secure version of HTTP is {{HTTPS|FILLSECRETALT}}; pi is about {{3.14 ± 0.01}}.

### Explanation

FILL-EXPLANATION-SECRET see RFC 2818.

## [short] Triage
id: short-triage
difficulty: 3

A user says a web page does not load. How do you troubleshoot?

### Reference answer

SHORT-REFERENCE-SECRET check scope first, then layer by layer.

### Rubric

- (2) SHORT-RUBRIC-SECRET scope
- (3) layers

### Explanation

SHORT-EXPLANATION-SECRET.

## [analysis] Outage analysis
id: analysis-outage
difficulty: 4

### Case

The payment service failed at 10:00 after a deploy.

What happened, and what do you do next?

### Reference answer

ANALYSIS-REFERENCE-SECRET roll back.

### Rubric

- (4) ANALYSIS-RUBRIC-SECRET roll back
- (6) root cause

### Explanation

ANALYSIS-EXPLANATION-SECRET.
"""

# Strings that only appear in key material of STANDARD_BANK: none may reach an examinee before review.
KEY_MARKERS = (
    "EXPLANATION-SECRET", "REFERENCE-SECRET", "RUBRIC-SECRET", "FILLSECRETALT", "3.14 ± 0.01",
)
STANDARD_TYPES = ("single", "multiple", "truefalse", "fill", "short", "analysis")
# Points per type in STANDARD_BANK (short/analysis: their rubric totals).
STANDARD_POINTS = {"single": 2.0, "multiple": 4.0, "truefalse": 1.0, "fill": 2.0, "short": 5.0, "analysis": 10.0}
# A correct response for each auto-graded type of STANDARD_BANK, in AUTHORED option indexes (as stored).
# The page posts displayed positions: translate with `shown()` / `option_orders()` before saving.
CORRECT = {"single": 1, "multiple": [0, 1], "truefalse": True, "fill": ["https", "3.140"]}
WRONG = {"single": 0, "multiple": [2], "truefalse": False, "fill": ["http", "2"]}

ONE_OF_EACH = [{"count": 1, "qtype": qtype} for qtype in STANDARD_TYPES]


def objective_bank(count: int, *, key: str = "obj", qtype: str = "single", difficulty: int = 2) -> str:
    """A bank of `count` distinct single/truefalse questions (for large pools and draw tests)."""
    parts = [f"---\nid: {key}\ntitle: Generated {key}\n---\n"]
    for i in range(count):
        if qtype == "truefalse":
            body = f"Statement number {i} is true.\n"
            parts.append(f"## [truefalse] {key} {i}\nid: {key}-{i}\ndifficulty: {difficulty}\nanswer: true\n\n{body}")
        else:
            parts.append(f"## [single] {key} {i}\nid: {key}-{i}\ndifficulty: {difficulty}\n\n"
                         f"Question number {i}?\n\n- [ ] wrong {i}\n- [x] right {i}\n- [ ] other {i}\n")
    return "\n".join(parts)


def import_bank(app_or_none, markdown: str, name: str = "t.md") -> None:
    """Import `markdown` (inside an app context when `app_or_none` is None)."""
    def run():
        report = import_banks([(name, markdown.encode())], max_bytes=1 << 24)
        assert report.ok, [e.format() if e.path else e.message for e in report.errors]

    if app_or_none is None:
        run()
    else:
        with app_or_none.app_context():
            run()


def ensure_user(username: str, roles=("employee",), password: str = PASSWORD) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    return user or create_user(username, password=password, roles=roles)


def ensure_group(name: str) -> Group:
    group = db.session.scalar(select(Group).where(Group.name == name))
    if group is None:
        group = Group(name=name)
        db.session.add(group)
        db.session.flush()
    return group


def build_exam(*, bank_md: str | None = STANDARD_BANK, rules=None, users=(), groups=(),
               sections=None, overrides=None, status: str = "published", **exam_fields) -> Exam:
    """Like make_exam, inside an app context; returns the Exam (committed). Published unless
    `status=` says otherwise ("draft", "archived"), so examinees can sit it as before exams had states."""
    if bank_md:
        import_bank(None, bank_md)
    now = utcnow().replace(microsecond=0)
    fields = {
        "title": "Test exam", "instructions": "Answer everything.", "time_limit_minutes": 60,
        "opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=1),
        "attempts_allowed": 1, "pass_percent": 60, "multiple_scoring": "all-or-nothing",
        "shuffle_questions": True, "shuffle_options": True,
    }
    fields.update(release_fields(exam_fields))
    exam = Exam(**fields, status=status, published_at=None if status == "draft" else now)
    by_title: dict[str, ExamSection] = {}
    for rule in rules if rules is not None else ONE_OF_EACH:
        rule = dict(rule)
        title = rule.pop("section", "Part 1")
        section = by_title.get(title)
        if section is None:
            section = ExamSection(title=title, position=len(by_title))
            by_title[title] = section
            exam.sections.append(section)
        rule.setdefault("kind", "fixed" if rule.get("question_keys") else "draw")
        section.rules.append(ExamRule(position=len(section.rules), **rule))
    for username in users:
        exam.users.append(ensure_user(username))
    for name in groups:
        exam.groups.append(ensure_group(name))
    db.session.add(exam)
    db.session.flush()
    for username, values in (overrides or {}).items():
        exam.overrides.append(ExamOverride(user_id=ensure_user(username).id, **values))
    db.session.commit()
    return exam


def release_fields(exam_fields: dict) -> dict:
    """The exam's fields with the old review settings (show_score="immediately", show_correctness,
    show_answers) turned into the release policy they map to (`core.release.legacy_policy`, as the
    migration does); explicit release_* fields win. Without either: the score at once, nothing else."""
    fields = dict(exam_fields)
    legacy = legacy_policy(fields.pop("show_score", "immediately"), fields.pop("show_correctness", False),
                           fields.pop("show_answers", False))
    for item, condition in legacy.items():
        fields.setdefault(f"release_{item}", condition)
    return fields


def make_exam(app, *, bank_md: str | None = STANDARD_BANK, rules=None, users=(), groups=(), **exam_fields) -> int:
    """Create an exam (importing `bank_md` first unless None) and return its id.

    `overrides={"alice": {"extra_minutes": 10}}` adds per-user overrides.
    """
    with app.app_context():
        return build_exam(bank_md=bank_md, rules=rules, users=users, groups=groups, **exam_fields).id


def close_exam(exam_id: int, *, ago: timedelta = timedelta(minutes=5)) -> None:
    """Inside an app context: the exam closed `ago` (past the save grace: nobody can sit or save)."""
    exam = db.session.get(Exam, exam_id)
    exam.closes_at = utcnow().replace(microsecond=0) - ago
    db.session.commit()


def option_orders(attempt_id: int) -> dict[int, list[int] | None]:
    """Slot position -> its frozen option order (displayed position -> authored index); app context."""
    return dict(db.session.execute(
        select(AttemptSlot.position, AttemptSlot.option_order).where(AttemptSlot.attempt_id == attempt_id)).all())


def shown(response, option_order):
    """A choice answer in AUTHORED indexes as the page posts it: each option's DISPLAYED position on the
    paper whose slot has `option_order`. Anything else (true/false, texts, None) is returned as it is."""
    if option_order is None:
        return response
    if isinstance(response, int) and not isinstance(response, bool):
        return list(option_order).index(response)
    if isinstance(response, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in response):
        return sorted(list(option_order).index(v) for v in response)
    return response


def standard_changes(attempt, answers=None, *, seq: int = 1, text: str = "My written answer.") -> list[dict]:
    """save_changes() input answering every slot of the attempt's STANDARD_BANK paper as the page would:
    `answers` per type in authored indexes (default CORRECT), posted as displayed positions; written
    slots get `text`."""
    answers = CORRECT if answers is None else answers
    orders = option_orders(attempt.id)
    changes = []
    for view in attempt_service.paper_view(attempt):
        if view.qtype in answers:
            response = shown(answers[view.qtype], orders[view.position])
        else:
            response = text if view.qtype in ("short", "analysis") else None
        changes.append({"slot": view.position, "seq": seq, "response": response})
    return changes
