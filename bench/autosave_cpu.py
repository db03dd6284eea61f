"""The project's autosave against the floor (bench/floor.py), side by side with the same client:

    .venv/bin/python bench/autosave_cpu.py [--users 100] [--database-url postgresql://...] [--no-floor]

Sets up the project's bench exam (exam_load.prepare_database, which EMPTIES the given database), logs
every examinee in and starts their attempts (not measured), then runs load_client's steady and
saturation phases on POST /attempts/<id>/save, and the floor's; prints both and the project/floor ratios
of CPU per request and of saturation throughput (target: CPU ≤ 1.5× the floor's)."""
from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import exam_load  # noqa: E402
import floor  # noqa: E402
import load_client  # noqa: E402
from server import free_port, load_average, start_gunicorn, wait_until_up  # noqa: E402


def make_save(user, rng):
    examinee = user.extra["examinee"]
    return f"/attempts/{examinee.attempt_id}/save", {"changes": [exam_load.next_change(examinee, rng)]}


async def _drive(base, pid, url, exam_id, users, args) -> dict:
    examinees = [exam_load.Examinee(f"examinee{n:05d}") for n in range(users)]
    async with load_client.session() as http:
        await wait_until_up(http, base)
        # The set-up is exam_load's own (login, instructions page's CSRF token, start, paper): not measured.
        setup, gate, wave = exam_load.Client(http, [base]), asyncio.Event(), exam_load.Wave()
        gate.set()
        limit = asyncio.Semaphore(16)

        async def begin(examinee):
            async with limit:
                await exam_load.log_in(setup, examinee, exam_id)
                await exam_load.start_and_open(setup, examinee, exam_id, gate, wave)
            if not examinee.attempt_id:
                raise SystemExit(f"start failed for {examinee.username}: {sorted(set(wave.starts.errors))[:1]}")

        await asyncio.gather(*(begin(e) for e in examinees))
        people = [load_client.User(e.username, cookie=e.cookie, csrf=e.csrf, extra={"examinee": e})
                  for e in examinees]
        client = load_client.Client(http, base)
        await asyncio.to_thread(exam_load.load_slots, url, examinees)
        steady = await load_client.steady(client, pid, people, make_save, args.interval, args.rounds)
        saturated = await load_client.saturate(client, pid, people, make_save, args.saturate_seconds,
                                               args.concurrency)
    return {"steady": steady.figures(), "saturation": saturated.figures()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--database-url", help="PostgreSQL URL of a database this bench may EMPTY")
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--saturate-seconds", type=float, default=6.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-floor", action="store_true")
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    from examengine.config import normalize_database_url

    workdir = Path(tempfile.mkdtemp(prefix="autosave-"))
    url = normalize_database_url(args.database_url) if args.database_url else f"sqlite:///{workdir / 'bench.sqlite3'}"
    exam_id = exam_load.prepare_database(url, args.users)
    port = free_port()
    server = start_gunicorn("wsgi:app", port, args.workers, args.threads, workdir / "gunicorn.log",
                            {"EXAMENGINE_DATABASE_URL": url, "EXAMENGINE_SECRET_KEY": exam_load.SECRET_KEY})
    try:
        project = asyncio.run(_drive(f"http://127.0.0.1:{port}", server.pid, url, exam_id, args.users, args))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{'PostgreSQL' if args.database_url else 'SQLite'}, gunicorn {args.workers}x{args.threads}, {load_average()}")
    floor.print_figures("project", project)
    if args.no_floor:
        return
    bare = floor.run_floor(args.database_url, args.users, interval=args.interval, rounds=args.rounds,
                           saturate_seconds=args.saturate_seconds, concurrency=args.concurrency,
                           workers=args.workers, threads=args.threads)
    floor.print_figures("floor", bare)
    for phase in ("steady", "saturation"):
        ratio = project[phase]["cpu_ms_per_request"] / bare[phase]["cpu_ms_per_request"]
        print(f"project/floor CPU per request ({phase}): {ratio:.2f}x (target <= 1.5x)")
    print(f"project/floor saturation throughput: "
          f"{project['saturation']['throughput'] / bare['saturation']['throughput']:.2f}x; {load_average()}")


if __name__ == "__main__":
    main()
