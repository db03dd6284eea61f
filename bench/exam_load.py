"""Benchmark: many examinees start one exam at the same moment, then autosave.

    .venv/bin/python bench/exam_load.py --examinees 500 [--database-url postgresql://...]
        [--workers 4] [--threads 4] [--save-interval 30] [--save-rounds 2]

It builds a database (a fresh SQLite file in a temporary folder, or the given PostgreSQL database,
which is EMPTIED first), imports question_banks/, creates the examinees and a 20-question exam
assigned to them, and serves the app with gunicorn on a free loopback port. Then:

1. every examinee logs in (not timed: password hashing is not what this measures);
2. all of them POST "start" at once; the figures are per request and for the whole wave;
3. each examinee opens the exam page, then saves one answer every --save-interval seconds (spread at
   random over the interval) for --save-rounds rounds;
4. throughout 2 and 3 a probe calls /healthz five times a second: the trivial endpoint's latency
   under the same load, for comparison.

Targets (issue 3): 1,000 simultaneous starts all served within 10 s with no error; autosave p99 under
200 ms at 2,000 examinees saving every 30 s. Traffic goes to 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import resource
import socket
import statistics
import subprocess
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
CSRF_PATTERN = re.compile(r'name="csrf[-_]token"[^>]*(?:value|content)="([^"]+)"')
HEALTH_PROBE_PER_SECOND = 5


@dataclass
class Examinee:
    username: str
    cookie: str = ""
    csrf: str = ""
    attempt_id: int | None = None
    slots: list[tuple[int, str, int]] = field(default_factory=list)  # (position, qtype, choice count)
    seq: int = 0


def row(timings: Timings) -> str:
    if not timings.latencies:
        return f"{timings.name:<24} (no requests)"
    throughput = len(timings.latencies) / timings.wall if timings.wall else 0
    return (f"{timings.name:<24} {len(timings.latencies):>6} {len(timings.errors):>6} {throughput:>9.1f} "
            f"{timings.ms(50):>8.1f} {timings.ms(95):>8.1f} {timings.ms(99):>8.1f} {timings.max_ms:>8.1f} "
            f"{timings.wall:>8.2f}")


HEADER = (f"{'phase':<24} {'reqs':>6} {'errors':>6} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'max ms':>8} {'wall s':>8}")


# --- database set-up (in this process, through the app's own services) ---

def prepare_database(url: str, examinees: int) -> int:
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from examengine import create_app
    from examengine.extensions import db
    from examengine.models import Exam, ExamRule, ExamSection, Group, User
    from examengine.models._time import utcnow
    from examengine.services.banks import import_banks

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade()
        files = [(str(p), p.read_bytes()) for p in sorted((PROJECT_ROOT / "question_banks").glob("*.md"))]
        report = import_banks(files, max_bytes=app.config["EXAMENGINE_MAX_BANK_BYTES"])
        assert report.ok, report.errors
        group = Group(name="bench")
        # One hash shared by all: hashing 2,000 passwords is set-up time, not what is measured.
        password_hash = generate_password_hash(PASSWORD)
        for n in range(examinees):
            user = User(username=f"examinee{n:05d}", display_name=f"考生 {n}", password_hash=password_hash)
            user.set_roles(["employee"])
            user.groups = [group]
            db.session.add(user)
        now = utcnow()
        exam = Exam(title="压力测试考试", time_limit_minutes=120, opens_at=now - timedelta(minutes=5),
                    closes_at=now + timedelta(hours=6), attempts_allowed=1, groups=[group])
        exam.sections = [ExamSection(position=0, title="综合", rules=[
            ExamRule(position=0, kind="draw", count=20, bank_keys=[], tags=[], question_keys=[]),
        ])]
        db.session.add(exam)
        db.session.commit()
        return exam.id


def load_slots(url: str, examinees: list[Examinee]) -> None:
    from sqlalchemy import select

    from examengine import create_app
    from examengine.extensions import db
    from examengine.models import AttemptSlot, QuestionVersion

    by_attempt = {e.attempt_id: e for e in examinees if e.attempt_id}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        rows = db.session.execute(
            select(AttemptSlot.attempt_id, AttemptSlot.position, QuestionVersion.qtype, QuestionVersion.payload)
            .join(QuestionVersion, AttemptSlot.question_version_id == QuestionVersion.id)
            .where(AttemptSlot.attempt_id.in_(list(by_attempt)))
        )
        for attempt_id, position, qtype, payload in rows:
            count = len(payload.get("options") or payload.get("blanks") or [])
            by_attempt[attempt_id].slots.append((position, qtype, count))


# --- the server ---

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(url: str, port: int, workers: int, threads: int, log_path: Path) -> subprocess.Popen:
    env = dict(os.environ, EXAMENGINE_DATABASE_URL=url, EXAMENGINE_SECRET_KEY=SECRET_KEY)
    command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
               "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", "--backlog", "4096",
               "--timeout", "120", "wsgi:app"]
    log = open(log_path, "w")  # noqa: SIM115  (closed with the process)
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


async def wait_until_up(session, base: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            async with session.get(f"{base}/healthz") as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit("gunicorn did not come up; see the log")


# --- the examinees ---

class Client:
    """One shared connection pool; each examinee's session cookie is carried by hand."""

    def __init__(self, session, base: str):
        import aiohttp

        self.session, self.base = session, base
        self.client_errors = aiohttp.ClientError

    async def request(self, examinee: Examinee, method: str, path: str, **kwargs):
        headers = kwargs.pop("headers", {})
        if examinee.cookie:
            headers["Cookie"] = f"session={examinee.cookie}"
        started = time.perf_counter()
        try:
            async with self.session.request(method, self.base + path, headers=headers, allow_redirects=False,
                                            **kwargs) as response:
                body = await response.text()
                elapsed = time.perf_counter() - started
                if "session" in response.cookies:
                    examinee.cookie = response.cookies["session"].value
                return response.status, response.headers, body, elapsed
        except (TimeoutError, OSError, self.client_errors) as error:
            return 0, {}, f"{type(error).__name__}: {error}", time.perf_counter() - started

    async def refresh_csrf(self, examinee: Examinee, path: str) -> tuple[int, float]:
        status, _, body, elapsed = await self.request(examinee, "GET", path)
        match = CSRF_PATTERN.search(body)
        if match:
            examinee.csrf = match.group(1)
        return status, elapsed


async def log_in(client: Client, examinee: Examinee, exam_id: int) -> None:
    await client.refresh_csrf(examinee, "/login")
    status, _, _, _ = await client.request(examinee, "POST", "/login", data={
        "username": examinee.username, "password": PASSWORD, "csrf_token": examinee.csrf})
    if status != 302:
        raise SystemExit(f"login failed for {examinee.username}: HTTP {status}")
    await client.refresh_csrf(examinee, f"/exams/{exam_id}")  # the session was renewed at login


async def start(client: Client, examinee: Examinee, exam_id: int, gate: asyncio.Event, timings: Timings):
    await gate.wait()
    status, headers, _, elapsed = await client.request(
        examinee, "POST", f"/exams/{exam_id}/start", data={"csrf_token": examinee.csrf})
    match = re.search(r"/attempts/(\d+)", headers.get("Location", ""))
    if status in (302, 303) and match:
        examinee.attempt_id = int(match.group(1))
        timings.add(elapsed)
    else:
        timings.add(elapsed, f"HTTP {status}")


def next_change(examinee: Examinee, rng: random.Random) -> dict:
    position, qtype, count = rng.choice(examinee.slots)
    examinee.seq += 1
    if qtype == "single":
        response = rng.randrange(max(count, 1))
    elif qtype == "multiple":
        response = sorted(rng.sample(range(count), k=min(2, count)))
    elif qtype == "truefalse":
        response = rng.random() < 0.5
    elif qtype == "fill":
        response = [str(rng.randint(1, 9999)) for _ in range(count)]
    else:
        response = "先确认影响范围，再查看日志定位原因。" * rng.randint(1, 20)
    return {"slot": position, "seq": examinee.seq, "response": response}


async def autosave(client: Client, examinee: Examinee, interval: float, rounds: int, timings: Timings,
                   rng: random.Random) -> None:
    await asyncio.sleep(rng.uniform(0, interval))
    for _ in range(rounds):
        body = {"changes": [next_change(examinee, rng)]}
        status, _, text, elapsed = await client.request(
            examinee, "POST", f"/attempts/{examinee.attempt_id}/save", json=body,
            headers={"X-CSRFToken": examinee.csrf, "Accept": "application/json"})
        timings.add(elapsed, None if status == 200 else f"HTTP {status}: {text[:120]}")
        await asyncio.sleep(interval)


async def open_exam_page(client: Client, examinee: Examinee, timings: Timings, limit: asyncio.Semaphore):
    async with limit:
        status, elapsed = await client.refresh_csrf(examinee, f"/attempts/{examinee.attempt_id}")
        timings.add(elapsed, None if status == 200 else f"HTTP {status}")


async def probe_health(client: Client, timings: Timings, stop: asyncio.Event) -> None:
    probe = Examinee("probe")
    while not stop.is_set():
        status, _, _, elapsed = await client.request(probe, "GET", "/healthz")
        timings.add(elapsed, None if status == 200 else f"HTTP {status}")
        await asyncio.sleep(1 / HEALTH_PROBE_PER_SECOND)


async def timed(timings: Timings, coroutines) -> None:
    started = time.perf_counter()
    await asyncio.gather(*coroutines)
    timings.wall = time.perf_counter() - started


async def run_load(base: str, exam_id: int, examinees: list[Examinee], args, url: str) -> list[Timings]:
    import aiohttp

    # A new connection per request: gunicorn closes idle keep-alive connections after 2 s, and a
    # request on such a connection would fail for reasons that are the client's, not the server's.
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as session:
        client = Client(session, base)
        await wait_until_up(session, base)
        logins = asyncio.Semaphore(32)

        async def limited_login(examinee):
            async with logins:
                await log_in(client, examinee, exam_id)

        began = time.perf_counter()
        await asyncio.gather(*(limited_login(e) for e in examinees))
        print(f"logged in {len(examinees)} examinees in {time.perf_counter() - began:.1f} s (not part of the figures)")

        stop = asyncio.Event()
        health = Timings("healthz (baseline)")
        health_started = time.perf_counter()
        prober = asyncio.create_task(probe_health(client, health, stop))
        starts, gate = Timings("start (all at once)"), asyncio.Event()
        tasks = [asyncio.create_task(start(client, e, exam_id, gate, starts)) for e in examinees]
        await asyncio.sleep(0.5)
        began = time.perf_counter()
        gate.set()
        await asyncio.gather(*tasks)
        starts.wall = time.perf_counter() - began

        pages = Timings("exam page (GET)")
        page_limit = asyncio.Semaphore(64)
        started_ok = [e for e in examinees if e.attempt_id]
        await timed(pages, (open_exam_page(client, e, pages, page_limit) for e in started_ok))
        await asyncio.to_thread(load_slots, url, started_ok)

        saves, rng = Timings(f"autosave (every {args.save_interval:g} s)"), random.Random(7)
        await timed(saves, (autosave(client, e, args.save_interval, args.save_rounds, saves, rng)
                            for e in started_ok if e.slots))
        stop.set()
        await prober
        health.wall = time.perf_counter() - health_started
        return [starts, pages, saves, health]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examinees", type=int, default=500)
    parser.add_argument("--database-url", help="PostgreSQL URL of a database this bench may EMPTY")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--save-interval", type=float, default=30.0)
    parser.add_argument("--save-rounds", type=int, default=2)
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    from examengine.config import normalize_database_url

    workdir = Path(tempfile.mkdtemp(prefix="exam-load-"))
    url = normalize_database_url(args.database_url) if args.database_url else f"sqlite:///{workdir / 'bench.sqlite3'}"
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite ' + url}")
    began = time.perf_counter()
    exam_id = prepare_database(url, args.examinees)
    print(f"set-up: {args.examinees} examinees, exam {exam_id}, {time.perf_counter() - began:.1f} s")

    port = free_port()
    server = start_gunicorn(url, port, args.workers, args.threads, workdir / "gunicorn.log")
    examinees = [Examinee(f"examinee{n:05d}") for n in range(args.examinees)]
    try:
        results = asyncio.run(run_load(f"http://127.0.0.1:{port}", exam_id, examinees, args, url))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\ngunicorn: {args.workers} workers x {args.threads} threads (gthread), {os.cpu_count()} CPUs; "
          f"log: {workdir / 'gunicorn.log'}")
    print(HEADER)
    for timings in results:
        print(row(timings))
    for timings in results:
        for error in sorted(set(timings.errors))[:5]:
            print(f"  {timings.name}: {error}")
    starts = results[0]
    verdict = "met" if not starts.errors and starts.wall <= 10 else "NOT met"
    print(f"\nstarts: {len(starts.latencies)} served in {starts.wall:.2f} s, "
          f"{len(starts.errors)} errors (target for 1,000: within 10 s, no error: {verdict} at {args.examinees})")
    if results[2].latencies:
        print(f"autosave p99: {results[2].ms(99):.1f} ms (target under 200 ms at 2,000 examinees)")
    print(f"median of healthz under load: {statistics.median(results[3].latencies) * 1000:.1f} ms"
          if results[3].latencies else "")


if __name__ == "__main__":
    main()
