"""`flask demo accounts` and `flask demo exam`: demo accounts and a demo exam with simulated examinees,
for a first look at the product (the Makefile also imports the sample banks)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..services.accounts import find_user, generate_password, groups_by_name, new_user

DEMO_ACCOUNTS = (
    ("admin", "演示管理员", ("admin",), ()),
    ("reviewer", "演示阅卷人", ("reviewer",), ("技术支持部",)),
    ("employee", "演示员工", ("employee",), ("技术支持部", "一线支持组")),
)


@click.group("demo", help="Demo data for trying the product.")
def demo_cli() -> None:
    pass


@demo_cli.command("accounts")
@with_appcontext
def accounts() -> None:
    """Create (or reset) the demo accounts and print their new passwords."""
    lines = []
    for username, display_name, roles, group_names in DEMO_ACCOUNTS:
        password = generate_password()
        user = find_user(username)
        if user is None:
            groups = groups_by_name(group_names, create=True)
            user = new_user(username, display_name=display_name, roles=roles, groups=groups)
        user.set_password(password)
        user.active = True
        lines.append(f"  {username:<10} {password}   ({', '.join(roles)})")
    db.session.commit()
    click.echo("Demo accounts (user name, password):")
    click.echo("\n".join(lines))


DEMO_EXAM_TITLE = "演示：技术支持季度考核"
DEMO_EXAMINEES = 40
DEMO_UNGRADED = 5  # the last examinees' written answers wait in the reviewer's queue
DEMO_RULES = (("single", 8), ("multiple", 2), ("truefalse", 3), ("fill", 2), ("short", 1))
WRITTEN_ANSWERS = ("先确认影响范围和用户数量，再查看监控与日志，逐层排查网络、服务和配置，最后回访用户。",
                   "重启服务器。", "先安抚用户情绪，说明处理进度，再按步骤排查并记录工单。", "")


@demo_cli.command("exam")
@with_appcontext
def exam() -> None:
    """A demo exam from the sample banks, sat by 40 simulated examinees (objective answers from a
    simple ability model, written answers marked against the rubric but for the last 5, which wait for
    the demo reviewer), so results, analysis and grading have something to show; the demo employee can
    still sit it. Does nothing if it exists already."""
    from sqlalchemy import select

    from ..models import Exam

    if db.session.scalar(select(Exam.id).where(Exam.title == DEMO_EXAM_TITLE)) is not None:
        click.echo(f"The demo exam exists already: {DEMO_EXAM_TITLE}")
        return
    exam_id = _demo_exam()
    sat = _simulate_examinees(exam_id)
    click.echo(f"Demo exam: {DEMO_EXAM_TITLE} (id {exam_id}), sat by {sat} simulated examinees.")


def _demo_exam() -> int:
    from datetime import timedelta

    from ..models._time import utcnow
    from ..services.exams import ExamSettings, RuleInput, add_rule, add_section, create_exam, publish
    from ..services.grading import set_grading

    now = utcnow().replace(microsecond=0)
    groups = groups_by_name(("技术支持部", "演示考生"), create=True)
    admin = find_user("admin")
    exam = create_exam(ExamSettings(
        title=DEMO_EXAM_TITLE, opens_at=now - timedelta(days=7), closes_at=now + timedelta(days=30),
        instructions="本考试用于演示：共 16 题，限时 60 分钟。客观题提交后自动评分，简答题由阅卷人评分。",
        shuffle_questions=False), group_ids=[group.id for group in groups],
        created_by_id=admin.id if admin else None)
    section = add_section(exam, "专业技能与服务")
    for qtype, count in DEMO_RULES:
        add_rule(section, RuleInput(kind="draw", count=count, qtype=qtype))
    reviewer = find_user("reviewer")
    if reviewer is not None:
        set_grading(exam, reviewer_ids=[reviewer.id], double_marking=False, tolerance=20)
    publish(exam, actor_id=admin.id if admin else None)  # new exams are drafts; the demo one is live
    return exam.id


def _simulate_examinees(exam_id: int) -> int:
    """Each examinee has an ability; a question is answered right with a logistic probability of
    ability minus difficulty, otherwise with a wrong option or text. Written answers get reviewer marks."""
    import math
    import random

    from ..core import qtypes
    from ..models import GradingMark
    from ..services.attempts import start_or_resume, submit, update_total
    from ..services.audit import record_score_change

    rng = random.Random(2026)
    group = groups_by_name(("演示考生",), create=True)
    reviewer = find_user("reviewer")
    for number in range(1, DEMO_EXAMINEES + 1):
        username = f"demo{number:02d}"
        user = find_user(username) or new_user(username, display_name=f"演示考生 {number:02d}",
                                               roles=("employee",), groups=group)
        user.set_password(generate_password())
        db.session.commit()
        ability = rng.gauss(0, 1)
        attempt = start_or_resume(exam_id, user)
        for slot in attempt.slots:
            version = slot.version
            right = rng.random() < 1 / (1 + math.exp(-(ability - (version.difficulty - 3) * 0.6)))
            slot.response = _simulated_response(version, right, rng)
        db.session.commit()
        submit(attempt)
        for slot in attempt.slots:
            if qtypes.get(slot.version.qtype).auto_graded or reviewer is None or \
                    number > DEMO_EXAMINEES - DEMO_UNGRADED:
                continue
            rubric = (slot.version.payload or {}).get("rubric", [])
            credited = [i for i in range(len(rubric)) if rng.random() < 1 / (1 + math.exp(-ability))]
            score = min(float(slot.points), sum(rubric[i]["points"] for i in credited)) if slot.response else 0.0
            old, slot.score, slot.needs_grading, slot.mark_count = slot.score, score, False, 1
            db.session.add(GradingMark(slot_id=slot.id, reviewer_id=reviewer.id, round="first",
                                       rubric_items=credited, adjustment=0, comment="", score=score))
            record_score_change(attempt_id=attempt.id, slot_id=slot.id, source="reviewer", old=old, new=score,
                                actor_id=reviewer.id, reason="demo data")
        update_total(attempt.id)
        db.session.commit()
    return DEMO_EXAMINEES


def _simulated_response(version, right: bool, rng):
    """A stored (author-order) response of the version's type: the key when `right`, else a wrong one."""
    payload = version.payload or {}
    if version.qtype == "truefalse":
        return payload["answer"] if right else not payload["answer"]
    if version.qtype in ("single", "multiple"):
        keys = [i for i, option in enumerate(payload["options"]) if option["correct"]]
        wrong = [i for i in range(len(payload["options"])) if i not in keys] or keys
        if version.qtype == "single":
            return keys[0] if right else rng.choice(wrong)
        return keys if right else sorted({rng.choice(wrong), *keys[:1]})
    if version.qtype == "fill":
        return [blank["answers"][0] if right else "不知道" for blank in payload["blanks"]]
    return rng.choice(WRITTEN_ANSWERS[:2] if right else WRITTEN_ANSWERS[1:])
