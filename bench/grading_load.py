"""Benchmark: after a big exam, with 20,000 submitted attempts of a 30-question exam in the database.

    .venv/bin/python bench/grading_load.py [--attempts 20000] [--questions 30] [--written 6] [--calls 50]
        [--database-url postgresql://...] [--double-marking] [--analyze]

It builds a database (a fresh SQLite file in a temporary folder, or the given PostgreSQL database,
which is EMPTIED first) with bulk inserts: a generated bank of `--questions` questions of which
`--written` are short answers, one exam drawing all of them, the examinees, and one submitted attempt
each (objective slots scored; written answers waiting: ~5% blank, ~25% from a few common phrasings,
the rest unique; grouping keys as submission computes them). Then it times each phase:

- `time_grade_next`: a reviewer opens "grade next" (GET, through the Flask test client: the claim,
  the group and the page) and saves a mark (POST), --calls times, on one question after the other.
  Target (issue 4): grade next under 50 ms.
- `time_results_page`: (after giving nine in ten attempts their written scores, not timed) the
  admin's results page, plain and sorted/filtered. Target: under 1 s.
- `time_xlsx_export`: the results table and the per-question scores as XLSX. Target: under 5 s.
- `time_analysis`: the item analysis computed from nothing, then cached, and its XLSX. Target: 3 s.

Phases are plain functions `time_<phase>(app, data, args) -> list[Timings]`, listed in PHASES; more
(the results page, the XLSX export) are added the same way. `--analyze` runs ANALYZE after building
(PostgreSQL's autovacuum does so by itself; SQLite only when told).
"""
from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from latency import Timings  # noqa: E402  (bench/ is the script's folder)

PASSWORD = "bench-password-1"
SECRET_KEY = "bench-secret-key"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
COMMON_ANSWERS = [f"先确认影响范围，再逐层排查：第{i}种常见写法。" for i in range(40)]
WORDS = "网络 延迟 丢包 DNS 路由 防火墙 端口 证书 回滚 日志 监控 重启 用户 影响 范围 根因 告警 变更".split()


def row(timings: Timings) -> str:
    if not timings.latencies:
        return f"{timings.name:<34} (no calls)"
    return (f"{timings.name:<34} {len(timings.latencies):>6} {len(timings.errors):>6} {timings.ms(50):>9.1f} "
            f"{timings.ms(95):>9.1f} {timings.max_ms:>9.1f}")


HEADER = f"{'phase':<34} {'calls':>6} {'errors':>6} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}"


@dataclass
class BenchData:
    """What the phases need: the exam, who can log in, the written questions."""

    exam_id: int
    attempts: int
    reviewer: str = "reviewer"
    admin: str = "admin"
    password: str = PASSWORD
    written_versions: list[int] = field(default_factory=list)


# --- building the database ---

def make_app(url: str):
    from examengine import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "WTF_CSRF_ENABLED": False})


def bank_markdown(questions: int, written: int) -> str:
    parts = ["---\nid: bench\ntitle: Bench bank\ndimension: 专业技能\n---\n"]
    for i in range(questions - written):
        parts.append(f"## [single] 单选 {i}\nid: s{i}\ndifficulty: {1 + i % 5}\npoints: 2\n\n第 {i} 题？\n\n"
                     f"- [ ] 错误 {i}\n- [x] 正确 {i}\n- [ ] 其他 {i}\n")
    for i in range(written):
        parts.append(f"## [short] 简答 {i}\nid: w{i}\ndifficulty: 3\n\n用户反馈网页打不开（情形 {i}），如何排查？\n\n"
                     f"### 参考答案\n\n先确认范围，再逐层排查。\n\n### 评分标准\n\n- (4) 确认影响范围\n- (6) 逐层排查\n")
    return "\n".join(parts)


def written_text(rng: random.Random, n: int) -> str | None:
    roll = rng.random()
    if roll < 0.05:
        return None
    if roll < 0.30:
        return rng.choice(COMMON_ANSWERS)
    return f"考生 {n}：" + "，".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40))) + "。"


def build(url: str, attempts: int, questions: int, written: int, *, double_marking: bool = False,
          analyze: bool = False, seed: int = 7) -> BenchData:
    """A fresh database with one exam and `attempts` submitted attempts (bulk inserts)."""
    from sqlalchemy import insert, select, text
    from werkzeug.security import generate_password_hash

    from examengine.core.answer_groups import text_key
    from examengine.extensions import db
    from examengine.models import Attempt, AttemptSlot, Exam, ExamRule, ExamSection, QuestionVersion, User, UserRole
    from examengine.models._time import utcnow
    from examengine.services.banks import import_banks

    rng = random.Random(seed)
    app = make_app(url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        report = import_banks([("bench.md", bank_markdown(questions, written).encode())], max_bytes=1 << 24)
        assert report.ok, report.errors
        versions = db.session.execute(select(QuestionVersion.id, QuestionVersion.qtype, QuestionVersion.points)
                                      .order_by(QuestionVersion.id)).all()
        password_hash = generate_password_hash(PASSWORD)
        now = utcnow().replace(microsecond=0)
        staff = [User(username="reviewer", display_name="阅卷人", password_hash=password_hash),
                 User(username="admin", display_name="管理员", password_hash=password_hash)]
        staff[0].set_roles(["reviewer"])
        staff[1].set_roles(["admin"])
        db.session.add_all(staff)
        exam = Exam(title="大规模阅卷考试", time_limit_minutes=120, opens_at=now - timedelta(days=2),
                    closes_at=now - timedelta(days=1), attempts_allowed=1, double_marking=double_marking,
                    release_score="after_grading")
        exam.sections = [ExamSection(position=0, title="综合", rules=[
            ExamRule(position=0, kind="draw", count=questions, bank_keys=["bench"], tags=[], question_keys=[])])]
        exam.reviewers = [staff[0]]
        db.session.add(exam)
        db.session.commit()
        exam_id = exam.id

        started = time.perf_counter()
        db.session.execute(insert(User), [
            {"username": f"examinee{n:05d}", "display_name": f"考生 {n}", "password_hash": password_hash}
            for n in range(attempts)])
        user_ids = list(db.session.scalars(select(User.id).where(User.username.like("examinee%")).order_by(User.id)))
        db.session.execute(insert(UserRole), [{"user_id": uid, "role": "employee"} for uid in user_ids])
        codes: set[str] = set()
        while len(codes) < attempts:
            codes.add("".join(rng.choice(CODE_ALPHABET) for _ in range(10)))
        max_score = float(sum(points for _id, _qtype, points in versions))
        db.session.execute(insert(Attempt), [
            {"exam_id": exam_id, "user_id": uid, "number": 1, "code": code, "seed": n, "state": "submitted",
             "started_at": now - timedelta(days=1, hours=2), "deadline": now - timedelta(days=1),
             "submitted_at": now - timedelta(days=1, minutes=30 - n % 30), "submitted_by": "examinee",
             "max_score": max_score}
            for n, (uid, code) in enumerate(zip(user_ids, sorted(codes)))])
        attempt_ids = list(db.session.scalars(select(Attempt.id).where(Attempt.exam_id == exam_id).order_by(Attempt.id)))
        db.session.commit()
        batch: list[dict] = []
        for n, attempt_id in enumerate(attempt_ids):
            order = list(versions)
            rng.shuffle(order)
            for position, (version_id, qtype, points) in enumerate(order):
                if qtype == "short":
                    response = written_text(rng, n)
                    row = {"response": response, "needs_grading": True, "score": None, "auto_score": None,
                           "response_key": text_key(response)}
                else:
                    right = rng.random() < 0.7
                    row = {"response": 1 if right else 0, "needs_grading": False, "score": points if right else 0.0,
                           "auto_score": points if right else 0.0, "response_key": None}
                batch.append({"attempt_id": attempt_id, "position": position, "section": 0,
                              "question_version_id": version_id, "points": points, "option_order": [0, 1, 2],
                              "response_seq": 1, "flagged": False, "mark_count": 0, **row})
            if len(batch) >= 20_000:
                db.session.execute(insert(AttemptSlot), batch)
                db.session.commit()
                batch = []
        if batch:
            db.session.execute(insert(AttemptSlot), batch)
            db.session.commit()
        if analyze:
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        print(f"built {attempts:,} attempts x {questions} questions ({written} written) "
              f"in {time.perf_counter() - started:.1f} s")
        written_versions = [version_id for version_id, qtype, _points in versions if qtype == "short"]
        db.session.remove()
        db.engine.dispose()
    return BenchData(exam_id=exam_id, attempts=attempts, written_versions=written_versions)


# --- phases ---

def logged_in(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, f"login as {username} failed"
    return client


SLOT_FIELD = re.compile(r'name="slots" value="([\d,]+)"')


def time_grade_next(app, data: BenchData, args) -> list[Timings]:
    """GET "grade next" (claims a group and renders it), then POST its mark; one question after the other."""
    grade_next, save = Timings("grade next (GET, page)"), Timings("save mark (POST)")
    client = logged_in(app, data.reviewer)
    calls_per_question = max(1, args.calls // len(data.written_versions))
    for version_id in data.written_versions:
        base = f"/review/exams/{data.exam_id}/questions/{version_id}"
        for call in range(calls_per_question + (version_id == data.written_versions[0])):
            if call == 0 and version_id == data.written_versions[0]:  # warm-up (statement caches), not timed
                page = client.get(f"{base}/next").text
                action = "blank" if 'data-testid="score-blank"' in page else "mark"
                client.post(f"{base}/{action}", data={"slots": SLOT_FIELD.search(page).group(1), "rubric": ["0"]})
                continue
            started = time.perf_counter()
            response = client.get(f"{base}/next")
            grade_next.add(time.perf_counter() - started,
                           None if response.status_code == 200 else f"GET {response.status_code}")
            ids = SLOT_FIELD.search(response.text)
            if not ids:
                grade_next.errors.append("no group shown")
                break
            action = "blank" if 'data-testid="score-blank"' in response.text else "mark"
            started = time.perf_counter()
            response = client.post(f"{base}/{action}", data={"slots": ids.group(1), "rubric": ["0"]})
            save.add(time.perf_counter() - started, None if response.status_code == 302 else f"POST {response.status_code}")
    return [grade_next, save]


def time_review_overview(app, data: BenchData, args) -> list[Timings]:
    """The reviewer's overview (waiting answers and progress per question)."""
    timings = Timings("review overview (GET /review)")
    client = logged_in(app, data.reviewer)
    for _call in range(5):
        started = time.perf_counter()
        response = client.get("/review")
        timings.add(time.perf_counter() - started, None if response.status_code == 200 else str(response.status_code))
    return [timings]


def finish_most_grading(app, data: BenchData) -> None:
    """Not timed: give nine in ten attempts reviewer scores on their written answers (set-based
    UPDATEs) and total them, so the results pages show mostly final results with some still open."""
    from sqlalchemy import text

    from examengine.extensions import db

    with app.app_context():
        started = time.perf_counter()
        db.session.execute(text(
            "UPDATE attempt_slots SET score = CASE WHEN id % 3 = 0 THEN points ELSE points / 2 END, "
            "needs_grading = false WHERE needs_grading AND attempt_id % 10 <> 0"))
        db.session.execute(text(
            "UPDATE attempts SET state = 'graded', score = (SELECT SUM(s.score) FROM attempt_slots s "
            "WHERE s.attempt_id = attempts.id) WHERE exam_id = :exam AND state = 'submitted' AND NOT EXISTS "
            "(SELECT 1 FROM attempt_slots s WHERE s.attempt_id = attempts.id AND s.needs_grading)"),
            {"exam": data.exam_id})
        db.session.commit()
        print(f"(graded nine in ten attempts for the results phases in {time.perf_counter() - started:.1f} s)")


def time_results_page(app, data: BenchData, args) -> list[Timings]:
    """The admin's results page of the exam (every attempt aggregated per dimension, one page of rows
    and the charts), plain and sorted by percent within a band. Target (issue 4): under 1 s."""
    finish_most_grading(app, data)
    plain, sorted_ = Timings("results page (GET)"), Timings("results page, sorted + filtered")
    client = logged_in(app, data.admin)
    for timings, query in ((plain, ""), (sorted_, "?sort=percent&dir=desc&band=2")):
        for _call in range(5):
            started = time.perf_counter()
            response = client.get(f"/admin/exams/{data.exam_id}/results{query}")
            ok = response.status_code == 200 and 'data-testid="result-row"' in response.text
            timings.add(time.perf_counter() - started, None if ok else f"GET {response.status_code}")
    return [plain, sorted_]


def time_xlsx_export(app, data: BenchData, args) -> list[Timings]:
    """The results table as XLSX (one row per examinee), and the per-question scores as XLSX.
    Target (issue 4): the export under 5 s."""
    results, questions = Timings("results.xlsx export"), Timings("question-scores.xlsx export")
    client = logged_in(app, data.admin)
    for timings, name in ((results, "results"), (questions, "question-scores")):
        for _call in range(3):
            started = time.perf_counter()
            response = client.get(f"/admin/exams/{data.exam_id}/{name}.xlsx")
            ok = response.status_code == 200 and response.data[:2] == b"PK"
            timings.add(time.perf_counter() - started, None if ok else f"GET {response.status_code}")
    return [results, questions]


def time_analysis(app, data: BenchData, args) -> list[Timings]:
    """The item analysis of the exam (issue 10): computed from nothing (the cache cleared each call),
    then served from the cache, then the whole analysis as XLSX. Target: computed in under 3 s."""
    from examengine.extensions import db
    from examengine.models import Exam
    from examengine.services.analysis import clear_cache, exam_analysis

    finish_most_grading(app, data)  # idempotent: a no-op after the results phase
    cold, warm = Timings("analysis computed (cache cleared)"), Timings("analysis page, cached")
    with app.app_context():
        exam = db.session.get(Exam, data.exam_id)
        for _call in range(3):
            clear_cache()
            started = time.perf_counter()
            result = exam_analysis(exam)
            ok = result.test.attempts > 0 and len(result.questions) == args.questions
            cold.add(time.perf_counter() - started, None if ok else "no figures")
    client = logged_in(app, data.admin)
    client.get(f"/admin/exams/{data.exam_id}/analysis")
    for _call in range(3):
        started = time.perf_counter()
        response = client.get(f"/admin/exams/{data.exam_id}/analysis")
        ok = response.status_code == 200 and 'data-testid="question-row"' in response.text
        warm.add(time.perf_counter() - started, None if ok else f"GET {response.status_code}")
    export = Timings("analysis.xlsx export (cached figures)")
    for _call in range(3):
        started = time.perf_counter()
        response = client.get(f"/admin/exams/{data.exam_id}/analysis.xlsx")
        export.add(time.perf_counter() - started, None if response.data[:2] == b"PK" else f"GET {response.status_code}")
    return [cold, warm, export]


PHASES = [time_grade_next, time_review_overview, time_results_page, time_xlsx_export, time_analysis]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, default=20_000)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--written", type=int, default=6, help="of the questions, how many are short answers")
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--database-url", help="PostgreSQL URL of a database this bench may EMPTY")
    parser.add_argument("--double-marking", action="store_true")
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE after building")
    parser.add_argument("--phases", help="comma-separated phases to run (e.g. grade_next), default all: "
                        + ", ".join(phase.__name__.removeprefix("time_") for phase in PHASES))
    args = parser.parse_args()
    chosen = set(args.phases.split(",")) if args.phases else None

    from examengine.config import normalize_database_url

    with tempfile.TemporaryDirectory() as folder:
        url = (normalize_database_url(args.database_url) if args.database_url
               else f"sqlite:///{os.path.join(folder, 'bench.sqlite3')}")
        print(f"database: {url.split('@')[-1] if '@' in url else url}")
        data = build(url, args.attempts, args.questions, args.written, double_marking=args.double_marking,
                     analyze=args.analyze)
        app = make_app(url)
        print(HEADER)
        for phase in PHASES:
            if chosen is not None and phase.__name__.removeprefix("time_") not in chosen:
                continue
            for timings in phase(app, data, args):
                print(row(timings), flush=True)
                for error in timings.errors[:3]:
                    print(f"    error: {error}")


if __name__ == "__main__":
    main()
