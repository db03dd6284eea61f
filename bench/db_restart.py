"""Bench (not a test): autosaves while PostgreSQL restarts (issue 8, item 6).

    .venv/bin/python bench/db_restart.py [--database-url postgresql://...] [--clients 8]
        [--duration 20] [--restart-at 6] [--after 8] [--workers 2] [--threads 4] [--cluster "15 main"]
        [--no-restart]

CAUTION: restarts the whole PostgreSQL cluster (`pg_ctlcluster 15 main restart`): every other
connection to it breaks for a second. It uses its own database (default `examengine_bench_c`, created
owned by examengine_test_c when missing, and EMPTIED), builds the data as bench/exam_load.py does,
serves the app with gunicorn on a free loopback port, and then:

1. each client logs in, starts the exam and saves one changed answer about every 100 ms, as the exam
   page does: a change keeps its sequence number until the server acknowledges it (a 503 is retried
   after its Retry-After, here capped at --max-retry-wait so the outage sees many requests);
2. at --restart-at seconds the cluster is restarted; a probe calls /healthz five times a second;
3. the saves go on for --duration seconds, and at least --after seconds after the restart returned
   (a restart may take long: the shutdown checkpoint syncs every database of the cluster);
4. then every acknowledged save is read back from the database.

It prints: saves acknowledged; saves answered 503 (with the JSON body); other errors (must be 0);
saves failing after the database is back, i.e. sent after `pg_ctlcluster` returned (must be 0); and
acknowledged saves lost, i.e. the database holds an older sequence or another answer (must be 0).
`--no-restart` runs the same without restarting anything (a dry run of the bench itself).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from exam_load import (  # noqa: E402  (bench/ is the script's folder)
    SECRET_KEY,
    Client,
    Examinee,
    free_port,
    load_slots,
    log_in,
    next_change,
    prepare_database,
    start_gunicorn,
    wait_until_up,
)

DEFAULT_URL = "postgresql://examengine_test_c:pw@127.0.0.1:5432/examengine_bench_c"
SAVE_EVERY = 0.1


@dataclass
class Tally:
    acknowledged: int = 0
    acknowledged_after_back: int = 0
    answered_503_json: int = 0
    answered_503_other: int = 0
    other_errors: list[str] = field(default_factory=list)
    failed_after_back: list[str] = field(default_factory=list)
    first_503: float | None = None
    last_503: float | None = None
    health: dict[int, int] = field(default_factory=dict)
    acked: dict[tuple[int, int], tuple[int, object]] = field(default_factory=dict)  # (attempt, slot) -> (seq, answer)


@dataclass
class Clock:
    began: float
    restart_sent: float | None = None
    back: float | None = None  # when pg_ctlcluster returned: the database accepts connections again

    def now(self) -> float:
        return time.monotonic() - self.began


def ensure_database(url: str) -> None:
    """Create the bench's database (owned by the URL's user) when it does not exist yet."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    try:
        psycopg.connect(host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password,
                        dbname=parsed.database, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise
        subprocess.run(["runuser", "-u", "postgres", "--", "createdb", "-O", parsed.username, parsed.database],
                       check=True)
        print(f"created database {parsed.database} owned by {parsed.username}")


async def examinee_loop(client: Client, examinee: Examinee, tally: Tally, clock: Clock, stop: asyncio.Event,
                        rng: random.Random, max_retry_wait: float) -> None:
    change = None
    while not stop.is_set():
        if change is None:
            change = next_change(examinee, rng)
        sent_at = clock.now()
        status, headers, text, _ = await client.request(
            examinee, "POST", f"/attempts/{examinee.attempt_id}/save", json={"changes": [change]},
            headers={"X-CSRFToken": examinee.csrf, "Accept": "application/json"})
        wait = SAVE_EVERY
        if status == 200:
            body = json.loads(text)
            if change["slot"] in body.get("saved", []) + body.get("stale", []):
                tally.acknowledged += 1
                if clock.back is not None and sent_at > clock.back:
                    tally.acknowledged_after_back += 1
                key = (examinee.attempt_id, change["slot"])
                if key not in tally.acked or tally.acked[key][0] < change["seq"]:
                    tally.acked[key] = (change["seq"], change["response"])
                change = None
            else:
                tally.other_errors.append(f"200 without acknowledgement: {text[:120]}")
        else:
            description = f"HTTP {status}: {text[:160]}"
            if status == 503:
                tally.first_503 = tally.first_503 if tally.first_503 is not None else sent_at
                tally.last_503 = sent_at
                try:
                    body = json.loads(text)
                except ValueError:
                    body = {}
                if body.get("retry") is True and body.get("error"):
                    tally.answered_503_json += 1
                else:
                    tally.answered_503_other += 1
                    tally.other_errors.append(description)
                wait = min(float(headers.get("Retry-After", "1") or 1), max_retry_wait)
            else:
                tally.other_errors.append(f"at {sent_at:.2f} s: {description}")
            if clock.back is not None and sent_at > clock.back:
                tally.failed_after_back.append(f"at {sent_at:.2f} s: {description}")
        await asyncio.sleep(wait * rng.uniform(0.8, 1.2))


async def probe_health(client: Client, tally: Tally, stop: asyncio.Event) -> None:
    probe = Examinee("probe")
    while not stop.is_set():
        status, _, _, _ = await client.request(probe, "GET", "/healthz")
        tally.health[status] = tally.health.get(status, 0) + 1
        await asyncio.sleep(0.2)


async def restart_cluster(cluster: list[str], clock: Clock, at: float) -> float:
    await asyncio.sleep(at)
    clock.restart_sent = clock.now()
    process = await asyncio.create_subprocess_exec("pg_ctlcluster", *cluster, "restart")
    code = await process.wait()
    clock.back = clock.now()
    if code:
        raise SystemExit(f"pg_ctlcluster {' '.join(cluster)} restart failed with {code}")
    return clock.back - clock.restart_sent


async def run(base: str, exam_id: int, examinees: list[Examinee], url: str, args) -> tuple[Tally, Clock, float]:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as session:
        client = Client(session, base)
        await wait_until_up(session, base)
        for examinee in examinees:
            await log_in(client, examinee, exam_id)
            status, headers, _, _ = await client.request(examinee, "POST", f"/exams/{exam_id}/start",
                                                         data={"csrf_token": examinee.csrf})
            examinee.attempt_id = int(headers["Location"].rsplit("/", 1)[1])
            await client.refresh_csrf(examinee, f"/attempts/{examinee.attempt_id}")
        await asyncio.to_thread(load_slots, url, examinees)

        tally, clock, stop = Tally(), Clock(time.monotonic()), asyncio.Event()
        rng = random.Random(11)
        tasks = [asyncio.create_task(examinee_loop(client, e, tally, clock, stop, rng, args.max_retry_wait))
                 for e in examinees]
        tasks.append(asyncio.create_task(probe_health(client, tally, stop)))
        restart = (asyncio.create_task(restart_cluster(args.cluster.split(), clock, args.restart_at))
                   if not args.no_restart else None)
        await asyncio.sleep(args.duration)
        took = await restart if restart is not None else 0.0
        if restart is not None:
            await asyncio.sleep(max(0.0, clock.back + args.after - clock.now()))
        stop.set()
        await asyncio.gather(*tasks)
        return tally, clock, took


def lost_saves(url: str, tally: Tally) -> list[str]:
    from sqlalchemy import select

    from examengine import create_app
    from examengine.extensions import db
    from examengine.models import AttemptSlot

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    lost = []
    with app.app_context():
        stored = {(a, p): (seq, response) for a, p, seq, response in db.session.execute(
            select(AttemptSlot.attempt_id, AttemptSlot.position, AttemptSlot.response_seq, AttemptSlot.response))}
        for key, (seq, response) in tally.acked.items():
            held_seq, held = stored.get(key, (0, None))
            if held_seq < seq or (held_seq == seq and held != response):
                lost.append(f"attempt {key[0]} slot {key[1]}: acknowledged seq {seq}, stored seq {held_seq}")
        db.engine.dispose()
    return lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL database this bench may EMPTY")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--restart-at", type=float, default=6.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--after", type=float, default=8.0, help="seconds of saves after the restart returned")
    parser.add_argument("--max-retry-wait", type=float, default=1.0)
    parser.add_argument("--cluster", default="15 main", help="version and name for pg_ctlcluster")
    parser.add_argument("--no-restart", action="store_true", help="dry run: no restart")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("this bench restarts PostgreSQL: give a PostgreSQL URL")

    from examengine.config import normalize_database_url

    ensure_database(args.database_url)
    url = normalize_database_url(args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="db-restart-"))
    exam_id = prepare_database(url, args.clients)
    port = free_port()
    server = start_gunicorn(url, port, args.workers, args.threads, workdir / "gunicorn.log")
    examinees = [Examinee(f"examinee{n:05d}") for n in range(args.clients)]
    try:
        tally, clock, took = asyncio.run(run(f"http://127.0.0.1:{port}", exam_id, examinees, url, args))
    finally:
        server.terminate()
        server.wait(timeout=30)
    lost = lost_saves(url, tally)

    print(f"gunicorn {args.workers} workers x {args.threads} threads, {args.clients} clients saving every "
          f"~{SAVE_EVERY * 1000:.0f} ms for {args.duration:g} s; log: {workdir / 'gunicorn.log'}")
    if clock.back is not None:
        print(f"pg_ctlcluster {args.cluster} restart: sent at {clock.restart_sent:.2f} s, returned at "
              f"{clock.back:.2f} s (took {took:.2f} s)")
    else:
        print("no restart (dry run)")
    if tally.first_503 is not None:
        print(f"503 answers between {tally.first_503:.2f} s and {tally.last_503:.2f} s")
    print(f"/healthz answers by status: {dict(sorted(tally.health.items()))}")
    print(f"saves acknowledged:                      {tally.acknowledged}")
    print(f"saves answered 503 (with JSON body):     {tally.answered_503_json}")
    print(f"other errors (must be 0):                {len(tally.other_errors)}")
    print(f"saves failing after the database is back (must be 0): {len(tally.failed_after_back)}"
          f"  ({tally.acknowledged_after_back} acknowledged after it)")
    print(f"acknowledged saves lost (must be 0):     {len(lost)}  (of {len(tally.acked)} slots read back)")
    for line in (tally.other_errors[:5] + tally.failed_after_back[:5] + lost[:5]):
        print("  " + line)
    ok = not tally.other_errors and not tally.failed_after_back and not lost
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
