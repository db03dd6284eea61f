"""Server CPU of the exam page of a 50-question paper, in the situations a synchronized start meets.

    .venv/bin/python bench/exam_page.py [--questions 50] [--examinees 200] [--database-url URL]

Builds an app (a temporary SQLite database unless --database-url names an empty PostgreSQL one, which
is dropped and recreated), imports question_banks/ and creates one exam drawing `--questions`
questions, shuffled and with shuffled options, for `--examinees` examinees, each of whom starts
through the test client. Then it times, as process CPU inside the Flask app (the WSGI call, without
the test client's own work), one page view per examinee in each situation:

- first view, no card kept: EXAMENGINE_CARD_CACHE off, every question rendered from its stored HTML;
- cards being kept: the examinees in turn, each page reusing the cards earlier pages kept and keeping
  its own new ones (how a synchronized start fills them);
- fresh paper, every card kept: the same untouched papers again, as a late examinee of a large exam
  sees it when every card of the paper has been kept;
- answered paper: every question holds an answer, so every card is rendered for its attempt.

Prints p50 and mean per situation, the share of cards reused, the page's size and the load average.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

PASSWORD = "bench-password-1"


class WsgiClock:
    """Middleware: CPU seconds spent inside the app per request (the last one in `last`)."""

    def __init__(self, app):
        self.app, self.last = app, 0.0

    def __call__(self, environ, start_response):
        began = time.process_time()
        body = b"".join(self.app(environ, start_response))
        self.last = time.process_time() - began
        return [body]


def build(app, questions: int, examinees: int) -> int:
    from werkzeug.security import generate_password_hash

    from examengine.extensions import db
    from examengine.models import Exam, ExamRule, ExamSection, Group, User
    from examengine.models._time import utcnow
    from examengine.services.banks import import_banks

    db.drop_all()
    db.create_all()
    files = [(p.name, p.read_bytes()) for p in sorted((PROJECT_ROOT / "question_banks").glob("*.md"))]
    report = import_banks(files, max_bytes=app.config["EXAMENGINE_MAX_BANK_BYTES"])
    assert report.ok, report.errors
    group = Group(name="bench")
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")  # set-up, not measured
    for n in range(examinees):
        user = User(username=f"examinee{n:05d}", display_name=f"考生 {n}", password_hash=password_hash)
        user.set_roles(["employee"])
        user.groups = [group]
        db.session.add(user)
    now = utcnow().replace(microsecond=0)
    exam = Exam(title="页面测试", time_limit_minutes=120, opens_at=now - timedelta(minutes=5),
                closes_at=now + timedelta(hours=6), attempts_allowed=1, groups=[group], status="published",
                published_at=now, shuffle_questions=True, shuffle_options=True)
    exam.sections = [ExamSection(position=0, title="综合", rules=[
        ExamRule(position=0, kind="draw", count=questions, bank_keys=[], tags=[], question_keys=[]),
    ])]
    db.session.add(exam)
    db.session.commit()
    return exam.id


def answer_everything(app, attempt_id: int) -> None:
    """Every slot gets a stored answer (the first option, or a text), as autosave would leave it."""
    from sqlalchemy import update

    from examengine.extensions import db
    from examengine.models import AttemptSlot, QuestionVersion

    with app.app_context():
        rows = db.session.execute(
            db.select(AttemptSlot.id, QuestionVersion.qtype)
            .join(QuestionVersion, AttemptSlot.question_version_id == QuestionVersion.id)
            .where(AttemptSlot.attempt_id == attempt_id)).all()
        samples = {"single": "0", "multiple": ["0"], "truefalse": True, "fill": None}
        for slot_id, qtype in rows:
            response = samples.get(qtype, "先确认影响范围，再逐项排查。")
            if qtype == "fill":
                response = ["答案"]
            db.session.execute(update(AttemptSlot).where(AttemptSlot.id == slot_id)
                               .values(response=response, response_seq=1, flagged=False))
        db.session.commit()


def summary(times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return f"p50 {statistics.median(ms):6.2f} ms   mean {statistics.fmean(ms):6.2f} ms   ({len(ms)} views)"


def run(args) -> None:
    from examengine import create_app
    from examengine.extensions import db

    with tempfile.TemporaryDirectory(prefix="exam-page-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = create_app({"SECRET_KEY": "exam-page", "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": url,
                          "INSTANCE_PATH": str(Path(folder) / "instance"),
                          "EXAMENGINE_START_CONCURRENCY": 0})
        with app.app_context():
            exam_id = build(app, args.questions, args.examinees)
        clock = WsgiClock(app.wsgi_app)
        app.wsgi_app = clock
        clients = []
        for n in range(args.examinees):
            client = app.test_client()
            client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
            assert client.post("/login", data={"username": f"examinee{n:05d}", "password": PASSWORD}).status_code == 302
            started = client.post(f"/exams/{exam_id}/start")
            assert started.status_code == 302, started.status_code
            clients.append((client, started.headers["Location"]))

        def view(client, page_url) -> float:
            page = client.get(page_url)
            assert page.status_code == 200 and page.text.count('data-testid="question"') == args.questions
            view.size = len(page.data)
            return clock.last

        app.config["EXAMENGINE_CARD_CACHE"] = False
        uncached = [view(client, page_url) for client, page_url in clients]
        app.config["EXAMENGINE_CARD_CACHE"] = True
        filling = [view(client, page_url) for client, page_url in clients]
        store = app.extensions.get("examengine_question_cards")
        kept = [view(client, page_url) for client, page_url in clients]
        for _client, page_url in clients:
            answer_everything(app, int(page_url.rsplit("/", 1)[1]))
        answered = [view(client, page_url) for client, page_url in clients]
        with app.app_context():
            db.session.remove()
            if args.database_url:
                db.drop_all()
            db.engine.dispose()

    slots = args.examinees * args.questions
    print(f"exam page, {args.questions}-question paper, {args.examinees} examinees, "
          f"{'PostgreSQL' if args.database_url else 'SQLite'}, load average {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs; server CPU per page view (inside the app):")
    print(f"  first view, no card kept       {summary(uncached)}")
    print(f"  cards being kept (in order)    {summary(filling)}   ({len(store or ())} cards for {slots} slots)")
    print(f"  fresh paper, every card kept   {summary(kept)}")
    print(f"  answered paper (own cards)     {summary(answered)}")
    print(f"  page size {view.size:,} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--examinees", type=int, default=200)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (its tables are dropped)")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
