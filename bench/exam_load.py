"""Benchmark: a whole department starts one exam at the same moment, then autosaves.

    .venv/bin/python bench/exam_load.py --sizes 1000,2000,5000 [--database-url postgresql://...]
        [--servers 2] [--workers 4] [--threads 4] [--save-interval 30] [--save-rounds 2] [--floor]

For each size it builds a database (a fresh SQLite file in a temporary folder, or the given PostgreSQL
database, which is EMPTIED first), imports question_banks/, creates the examinees and a 20-question
exam assigned to them, and serves the app with gunicorn on free loopback ports (`--servers 2`: two
gunicorn instances on the same database, examinees spread over both). Then:

1. every examinee logs in (not timed: password hashing is not what this measures; the bench's
   accounts use a cheap hash so that 5,000 logins take seconds);
2. the wave: all of them press "start" at once and open the paper it leads to (a queued start, "you
   are number N", is retried after its Retry-After); per examinee the time from the press to the paper
   delivered, and the time until every paper was delivered;
3. each examinee saves one answer every --save-interval seconds (spread at random over the
   interval) for --save-rounds rounds;
4. throughout 2 and 3 a probe calls /healthz five times a second: the trivial endpoint's latency.

The workers' CPU time (from /proc) is read around the wave and the autosave phase: CPU per request is
the server's own cost, which a busy machine does not inflate the way it inflates wall times.
With two servers it checks that no examinee got two attempts and that the newest save wins when two
saves of one answer go to different servers. `--floor` runs bench/floor.py on the same database kind
and prints the project/floor ratio of autosave CPU per request.

Targets (issue 13): 2,000 synchronized starts with every paper delivered in under 15 s and no error;
5,000 examinees autosaving with no error and p99 under 200 ms; autosave CPU at most 1.5x the floor's.
Traffic goes to 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from latency import Timings  # noqa: E402  (bench/ is the script's folder)
from load_client import Client  # noqa: E402
from server import free_port, load_average, start_gunicorn, wait_until_up, workers_cpu_seconds  # noqa: E402

PASSWORD = "bench-password-1"
SECRET_KEY = "bench-secret-key"
HEALTH_PROBE_PER_SECOND = 5


@dataclass
class Examinee:
    username: str
    server: int = 0  # which app server this examinee's requests go to
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
        # One cheap hash shared by all: logging 5,000 people in is set-up time, not what is measured.
        password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        for n in range(examinees):
            user = User(username=f"examinee{n:05d}", display_name=f"考生 {n}", password_hash=password_hash)
            user.set_roles(["employee"])
            user.groups = [group]
            db.session.add(user)
        now = utcnow()
        exam = Exam(title="压力测试考试", time_limit_minutes=120, opens_at=now - timedelta(minutes=5),
                    closes_at=now + timedelta(hours=6), attempts_allowed=1, groups=[group], status="published")
        exam.sections = [ExamSection(position=0, title="综合", rules=[
            ExamRule(position=0, kind="draw", count=20, bank_keys=[], tags=[], question_keys=[]),
        ])]
        db.session.add(exam)
        db.session.commit()
        _sign_sessions(app)
        return exam.id


# username -> a signed session cookie of that examinee, made by prepare_database(): a login stores a
# scrypt hash at the policy's cost (it rehashes the bench's cheap one), which at 5,000 examinees would
# take longer than the whole measurement. Logging in is not what the benches measure.
SESSION_COOKIES: dict[str, str] = {}


def _sign_sessions(app) -> None:
    """What Flask-Login would put in each examinee's session, signed with the app's key."""
    from sqlalchemy import select

    from examengine.extensions import db
    from examengine.models import User

    serializer = app.session_interface.get_signing_serializer(app)
    for user in db.session.scalars(select(User)):
        SESSION_COOKIES[user.username] = serializer.dumps({"_user_id": user.get_id(), "_fresh": True})


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


# --- the examinees ---

async def log_in(client: Client, examinee: Examinee, exam_id: int) -> None:
    if examinee.username in SESSION_COOKIES:  # signed by prepare_database()
        examinee.cookie = SESSION_COOKIES[examinee.username]
        status, _, _ = await client.refresh_csrf(examinee, f"/exams/{exam_id}")
        if status != 200:
            raise SystemExit(f"the signed session of {examinee.username} was refused: HTTP {status}")
        return
    await client.refresh_csrf(examinee, "/login")
    status, _, _, _ = await client.request(examinee, "POST", "/login", data={
        "username": examinee.username, "password": PASSWORD, "csrf_token": examinee.csrf})
    if status != 302:
        raise SystemExit(f"login failed for {examinee.username}: HTTP {status}")
    await client.refresh_csrf(examinee, f"/exams/{exam_id}")  # the session was renewed at login


@dataclass
class Wave:
    """The synchronized start: per examinee the press-to-paper time, and what the queue did."""

    delivered: Timings = field(default_factory=lambda: Timings("start + paper"))
    starts: Timings = field(default_factory=lambda: Timings("  start POST"))
    papers: Timings = field(default_factory=lambda: Timings("  paper GET"))
    queued: int = 0  # examinees who were told to wait at least once
    page_bytes: int = 0


async def start_and_open(client: Client, examinee: Examinee, exam_id: int, gate: asyncio.Event, wave: Wave):
    await gate.wait()
    pressed, was_queued = time.perf_counter(), False
    while True:
        status, headers, text, elapsed = await client.request(
            examinee, "POST", f"/exams/{exam_id}/start", data={"csrf_token": examinee.csrf})
        if status == 202:  # admission queue: "you are number N, your time has not started"
            was_queued = True
            await asyncio.sleep(float(headers.get("Retry-After", "1")))
            continue
        break
    wave.queued += was_queued
    match = re.search(r"/attempts/(\d+)", headers.get("Location", ""))
    if status not in (302, 303) or not match:
        wave.starts.add(elapsed, f"HTTP {status}: {text[:120]}")
        wave.delivered.add(time.perf_counter() - pressed, f"start HTTP {status}")
        return
    wave.starts.add(elapsed)
    examinee.attempt_id = int(match.group(1))
    status, elapsed, body = await client.refresh_csrf(examinee, f"/attempts/{examinee.attempt_id}")
    error = None if status == 200 else f"HTTP {status}"
    wave.papers.add(elapsed, error)
    wave.page_bytes = max(wave.page_bytes, len(body.encode()))
    wave.delivered.add(time.perf_counter() - pressed, error)


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


async def post_save(client: Client, examinee: Examinee, changes: list[dict], server: int | None = None):
    return await client.request(
        examinee, "POST", f"/attempts/{examinee.attempt_id}/save", server=server, json={"changes": changes},
        headers={"X-CSRFToken": examinee.csrf, "Accept": "application/json"})


async def autosave(client: Client, examinee: Examinee, interval: float, rounds: int, timings: Timings,
                   rng: random.Random) -> None:
    await asyncio.sleep(rng.uniform(0, interval))
    for _ in range(rounds):
        status, _, text, elapsed = await post_save(client, examinee, [next_change(examinee, rng)])
        timings.add(elapsed, None if status == 200 else f"HTTP {status}: {text[:120]}")
        await asyncio.sleep(interval)


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


async def newest_wins_across_servers(client: Client, examinees: list[Examinee], url: str) -> tuple[int, int]:
    """For each sampled examinee: a newer save to one server, then an older one to the other; the stored
    state must be the newer. The saves set the question's flag (a change every question type takes:
    a text answer would be refused by a choice question). Returns (checked, held)."""
    sample = [e for e in examinees if e.slots][:200]
    expected = {}
    for examinee in sample:
        position = examinee.slots[0][0]
        examinee.seq += 10
        newer = {"slot": position, "seq": examinee.seq, "flagged": True}
        older = {"slot": position, "seq": examinee.seq - 5, "flagged": False}
        await post_save(client, examinee, [newer], server=examinee.server)
        await post_save(client, examinee, [older], server=1 - examinee.server)
        expected[(examinee.attempt_id, position)] = True
    stored = await asyncio.to_thread(stored_flags, url, list(expected))
    return len(expected), sum(stored.get(key) is value for key, value in expected.items())


def stored_flags(url: str, keys: list[tuple[int, int]]) -> dict:
    from sqlalchemy import select

    from examengine import create_app
    from examengine.extensions import db
    from examengine.models import AttemptSlot

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        rows = db.session.execute(select(AttemptSlot.attempt_id, AttemptSlot.position, AttemptSlot.flagged)
                                  .where(AttemptSlot.attempt_id.in_({key[0] for key in keys})))
        return {(attempt_id, position): bool(flagged) for attempt_id, position, flagged in rows}


def duplicate_attempts(url: str) -> int:
    from sqlalchemy import func, select

    from examengine import create_app
    from examengine.extensions import db
    from examengine.models import Attempt

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        per_user = (select(Attempt.user_id).group_by(Attempt.exam_id, Attempt.user_id)
                    .having(func.count(Attempt.id) > 1).subquery())
        return db.session.scalar(select(func.count()).select_from(per_user))


@dataclass
class Phase:
    timings: Timings
    cpu_seconds: float = 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu_seconds / len(self.timings.latencies) * 1000 if self.timings.latencies else 0.0


def servers_cpu(masters: list[int]) -> float:
    return sum(workers_cpu_seconds(pid) for pid in masters)


async def run_load(bases: list[str], masters: list[int], exam_id: int, examinees: list[Examinee], args,
                   url: str) -> dict:
    import aiohttp

    # A new connection per request: gunicorn closes idle keep-alive connections after 2 s, and a
    # request on such a connection would fail for reasons that are the client's, not the server's.
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as session:
        client = Client(session, bases)
        for base in bases:
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
        wave, gate = Wave(), asyncio.Event()
        tasks = [asyncio.create_task(start_and_open(client, e, exam_id, gate, wave)) for e in examinees]
        await asyncio.sleep(0.5)
        cpu_before = servers_cpu(masters)
        began = time.perf_counter()
        gate.set()
        await asyncio.gather(*tasks)
        wave.delivered.wall = time.perf_counter() - began
        wave_cpu = servers_cpu(masters) - cpu_before

        started_ok = [e for e in examinees if e.attempt_id]
        await asyncio.to_thread(load_slots, url, started_ok)
        saves, rng = Timings(f"autosave (every {args.save_interval:g} s)"), random.Random(7)
        cpu_before = servers_cpu(masters)
        await timed(saves, (autosave(client, e, args.save_interval, args.save_rounds, saves, rng)
                            for e in started_ok if e.slots))
        save_phase = Phase(saves, servers_cpu(masters) - cpu_before)
        stop.set()
        await prober
        health.wall = time.perf_counter() - health_started

        saturation = Timings("autosave (saturation)")
        cpu_before = servers_cpu(masters)
        await timed(saturation, saturate(client, started_ok, args.saturation_seconds, saturation))
        saturation_phase = Phase(saturation, servers_cpu(masters) - cpu_before)

        across = await newest_wins_across_servers(client, started_ok, url) if len(bases) > 1 else None
        return {"wave": wave, "wave_cpu": wave_cpu, "saves": save_phase, "saturation": saturation_phase,
                "health": health, "across": across}


def saturate(client: Client, examinees: list[Examinee], seconds: float, timings: Timings, concurrency=64):
    """As many saves as the server takes for `seconds`: `concurrency` examinees saving back to back."""
    rng = random.Random(11)
    pool = [e for e in examinees if e.slots]

    async def loop(index: int):
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            examinee = pool[(index + rng.randrange(len(pool))) % len(pool)]
            status, _, text, elapsed = await post_save(client, examinee, [next_change(examinee, rng)])
            timings.add(elapsed, None if status == 200 else f"HTTP {status}: {text[:120]}")

    return [loop(i) for i in range(min(concurrency, len(pool)))]


def run_size(size: int, args) -> dict:
    from examengine.config import normalize_database_url

    workdir = Path(tempfile.mkdtemp(prefix="exam-load-"))
    url = normalize_database_url(args.database_url) if args.database_url else f"sqlite:///{workdir / 'bench.sqlite3'}"
    began = time.perf_counter()
    exam_id = prepare_database(url, size)
    print(f"\n=== {size} examinees on {'PostgreSQL' if args.database_url else 'SQLite'}, {args.servers} server(s): "
          f"set-up {time.perf_counter() - began:.1f} s")
    env = {"EXAMENGINE_DATABASE_URL": url, "EXAMENGINE_SECRET_KEY": SECRET_KEY}
    ports = [free_port() for _ in range(args.servers)]
    servers = [start_gunicorn("wsgi:app", port, args.workers, args.threads, workdir / f"gunicorn-{n}.log", env)
               for n, port in enumerate(ports)]
    examinees = [Examinee(f"examinee{n:05d}", server=n % args.servers) for n in range(size)]
    try:
        figures = asyncio.run(run_load([f"http://127.0.0.1:{port}" for port in ports], [s.pid for s in servers],
                                       exam_id, examinees, args, url))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    figures["duplicates"] = duplicate_attempts(url) if args.servers > 1 else None
    figures["load"] = load_average()
    report(size, figures, args)
    return figures


def report(size: int, figures: dict, args) -> None:
    wave, saves, saturation = figures["wave"], figures["saves"], figures["saturation"]
    print(f"gunicorn: {args.servers} x {args.workers} workers x {args.threads} threads (gthread); {figures['load']}")
    print(HEADER)
    for timings in (wave.delivered, wave.starts, wave.papers, saves.timings, saturation.timings, figures["health"]):
        print(row(timings))
    for timings in (wave.starts, wave.papers, saves.timings, saturation.timings):
        for error in sorted(set(timings.errors))[:5]:
            print(f"  {timings.name}: {error}")
    delivered = wave.delivered
    ok = not delivered.errors and len(delivered.latencies) == size
    print(f"wave: {len(delivered.latencies) - len(delivered.errors)}/{size} papers delivered in {delivered.wall:.2f} s, "
          f"{len(delivered.errors)} errors, {wave.queued} examinees queued; server CPU {figures['wave_cpu']:.1f} s = "
          f"{figures['wave_cpu'] / size * 1000:.1f} ms per examinee (start + paper); exam page {wave.page_bytes:,} bytes")
    if size == 2000:
        print(f"  target (2,000: all delivered under 15 s, no error): "
              f"{'met' if ok and delivered.wall < 15 else 'NOT met'}")
    if not saves.timings.latencies:
        return
    print(f"autosave: p50 {saves.timings.ms(50):.1f} ms, p99 {saves.timings.ms(99):.1f} ms, "
          f"{len(saves.timings.errors)} errors, CPU {saves.cpu_ms_per_request:.2f} ms per request"
          + (f" (target at 5,000: no error, p99 < 200 ms: "
             f"{'met' if not saves.timings.errors and saves.timings.ms(99) < 200 else 'NOT met'})" if size >= 5000 else ""))
    if saturation.timings.latencies:
        print(f"saturation: {len(saturation.timings.latencies) / saturation.timings.wall:.0f} saves/s, "
              f"CPU {saturation.cpu_ms_per_request:.2f} ms per request, {len(saturation.timings.errors)} errors")
    if figures["across"] is not None:
        checked, held = figures["across"]
        print(f"two servers: {figures['duplicates']} examinees with more than one attempt; newest save won "
              f"{held}/{checked} times across servers")
    if figures["health"].latencies:
        print(f"healthz median under load: {statistics.median(figures['health'].latencies) * 1000:.1f} ms")


def run_floor_comparison(all_figures: list[dict], args) -> None:
    """bench/floor.py on the same database kind, gunicorn settings and save pacing; run_floor() returns
    {"steady": {...}, "saturation": {...}} with load_client's figures (cpu_ms_per_request, throughput...)."""
    import floor

    size = min(2000, max(args.sizes))
    floor_figures = floor.run_floor(args.database_url, users=size, interval=args.save_interval,
                                    rounds=args.save_rounds, saturate_seconds=args.saturation_seconds,
                                    workers=args.workers, threads=args.threads)
    project = next((f for f in all_figures if len(f["wave"].delivered.latencies) == size), all_figures[-1])
    print("\n=== project / floor (same gunicorn settings, database and client)")
    floor.print_figures("floor", floor_figures)
    bare_steady, bare_saturation = floor_figures["steady"], floor_figures["saturation"]
    if bare_steady["cpu_ms_per_request"]:
        steady = project["saves"].cpu_ms_per_request / bare_steady["cpu_ms_per_request"]
        print(f"autosave CPU per request: project {project['saves'].cpu_ms_per_request:.2f} ms, floor "
              f"{bare_steady['cpu_ms_per_request']:.2f} ms, ratio {steady:.2f} (target <= 1.5: "
              f"{'met' if steady <= 1.5 else 'NOT met'})")
    sat = project["saturation"]
    if sat.timings.latencies and bare_saturation["throughput"]:
        project_rate = len(sat.timings.latencies) / sat.timings.wall
        print(f"saturation throughput: project {project_rate:.0f}/s, floor {bare_saturation['throughput']:.0f}/s,"
              f" ratio {project_rate / bare_saturation['throughput']:.2f}; CPU per request at saturation: "
              f"project {sat.cpu_ms_per_request:.2f} ms, floor {bare_saturation['cpu_ms_per_request']:.2f} ms")
    print(f"floor run: {floor_figures['load']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000", help="comma-separated numbers of examinees, one run each")
    parser.add_argument("--database-url", help="PostgreSQL URL of a database this bench may EMPTY")
    parser.add_argument("--servers", type=int, default=1, choices=(1, 2))
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--save-interval", type=float, default=30.0)
    parser.add_argument("--save-rounds", type=int, default=2)
    parser.add_argument("--saturation-seconds", type=float, default=10.0)
    parser.add_argument("--floor", action="store_true", help="also run bench/floor.py and print the ratios")
    args = parser.parse_args()
    args.sizes = [int(size) for size in args.sizes.split(",")]
    if args.servers > 1 and not args.database_url:
        parser.error("--servers 2 needs --database-url (two servers share one PostgreSQL)")

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    all_figures = [run_size(size, args) for size in args.sizes]
    if args.floor:
        run_floor_comparison(all_figures, args)


if __name__ == "__main__":
    main()
