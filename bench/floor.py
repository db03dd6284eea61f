"""The floor: a bare Flask + Flask-Login + Flask-WTF (CSRF) + Flask-SQLAlchemy app with one
login-protected, CSRF-checked JSON endpoint that upserts one answer row (attempt, slot, seq, response;
the newest seq wins), served by gunicorn with the project's settings and driven by the same client.

    .venv/bin/python bench/floor.py [--users 200] [--database-url postgresql://...] [--interval 5]
        [--rounds 3] [--saturate-seconds 10] [--concurrency 64] [--workers 4] [--threads 4]

What the project's autosave costs beyond this is the price of its own checks. `run_floor()` returns the
figures (dict) so other benches can print the project/floor ratios. The PostgreSQL database given is
EMPTIED of the floor's two tables (floor_users, floor_answers) only.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

PASSWORD = "floor-password-1"
SECRET_KEY = "floor-secret-key"


# --- the app (imported by gunicorn as "floor:create_app()") ---

def create_app():
    from flask import Flask, abort, request
    from flask_login import LoginManager, UserMixin, login_required, login_user
    from flask_sqlalchemy import SQLAlchemy
    from flask_wtf.csrf import CSRFProtect, generate_csrf
    from sqlalchemy import JSON, DateTime, Integer, String, func
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert
    from werkzeug.security import check_password_hash

    app = Flask(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI=os.environ["FLOOR_DATABASE_URL"], SECRET_KEY=SECRET_KEY,
                      WTF_CSRF_TIME_LIMIT=None)
    db = SQLAlchemy(app)
    CSRFProtect(app)
    login_manager = LoginManager(app)

    class FloorUser(UserMixin, db.Model):
        __tablename__ = "floor_users"
        id = db.Column(Integer, primary_key=True)
        username = db.Column(String(80), unique=True)
        password_hash = db.Column(String(256))

    class FloorAnswer(db.Model):
        __tablename__ = "floor_answers"
        attempt_id = db.Column(Integer, primary_key=True)
        slot = db.Column(Integer, primary_key=True)
        seq = db.Column(Integer, nullable=False)
        response = db.Column(JSON)
        saved_at = db.Column(DateTime, server_default=func.now())

    app.extensions["floor_models"] = (FloorUser, FloorAnswer)
    inserts = {"postgresql": pg_insert, "sqlite": sqlite_insert}

    @login_manager.user_loader
    def load_user(user_id):
        return db.session.get(FloorUser, int(user_id))

    @app.get("/healthz")
    def healthz():
        return "ok"

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "GET":
            return f'<form method="post"><input name="csrf_token" value="{generate_csrf()}"></form>'
        user = db.session.scalar(db.select(FloorUser).filter_by(username=request.form.get("username", "")))
        if user is None or not check_password_hash(user.password_hash, request.form.get("password", "")):
            abort(403)
        login_user(user)
        return "", 302, {"Location": "/"}

    @app.get("/")
    @login_required
    def page():
        return f'<meta name="csrf-token" content="{generate_csrf()}">'

    @app.post("/save/<int:attempt_id>")
    @login_required
    def save(attempt_id):
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("slot"), int) or not isinstance(body.get("seq"), int):
            return {"error": "bad request"}, 400
        statement = inserts[db.engine.dialect.name](FloorAnswer).values(attempt_id=attempt_id, slot=body["slot"], seq=body["seq"],
                                               response=body.get("response"), saved_at=func.now())
        statement = statement.on_conflict_do_update(
            index_elements=[FloorAnswer.attempt_id, FloorAnswer.slot],
            set_={"seq": statement.excluded.seq, "response": statement.excluded.response,
                  "saved_at": statement.excluded.saved_at},
            where=FloorAnswer.seq < statement.excluded.seq)
        stored = db.session.execute(statement).rowcount
        db.session.commit()
        return {"saved": [body["slot"]] if stored else [], "stale": [] if stored else [body["slot"]]}

    return app


def prepare(url: str, users: int) -> None:
    from werkzeug.security import generate_password_hash

    os.environ["FLOOR_DATABASE_URL"] = url
    app = create_app()
    db = app.extensions["sqlalchemy"]
    floor_user, _ = app.extensions["floor_models"]
    with app.app_context():
        db.drop_all()
        db.create_all()
        password_hash = generate_password_hash(PASSWORD)
        db.session.add_all(floor_user(username=f"floor{n:05d}", password_hash=password_hash) for n in range(users))
        db.session.commit()
        db.engine.dispose()


# --- the load ---

def make_save(user, rng):
    user.extra["seq"] = user.extra.get("seq", 0) + 1
    response = "先确认影响范围，再查看日志定位原因。" * rng.randint(1, 20) if rng.random() < 0.3 else rng.randrange(4)
    return f"/save/{user.extra['attempt']}", {"slot": rng.randrange(20), "seq": user.extra["seq"], "response": response}


async def _drive(base: str, master_pid: int, users: int, interval: float, rounds: int, saturate_seconds: float,
                 concurrency: int) -> dict:
    import load_client
    from server import wait_until_up

    people = [load_client.User(f"floor{n:05d}", extra={"attempt": n + 1}) for n in range(users)]
    async with load_client.session() as http:
        client = load_client.Client(http, base)
        await wait_until_up(http, base)
        logins = asyncio.Semaphore(32)

        async def log_in(user):
            async with logins:
                await client.refresh_csrf(user, "/login")
                status, _, _, _ = await client.request(user, "POST", "/login", data={
                    "username": user.username, "password": PASSWORD, "csrf_token": user.csrf})
                if status != 302:
                    raise SystemExit(f"floor login failed for {user.username}: HTTP {status}")
                await client.refresh_csrf(user, "/")

        await asyncio.gather(*(log_in(u) for u in people))
        steady = await load_client.steady(client, master_pid, people, make_save, interval, rounds)
        saturated = await load_client.saturate(client, master_pid, people, make_save, saturate_seconds, concurrency)
    return {"steady": steady.figures(), "saturation": saturated.figures()}


def run_floor(database_url: str | None, users: int = 200, *, interval: float = 5.0, rounds: int = 3,
              saturate_seconds: float = 10.0, concurrency: int = 64, workers: int = 4, threads: int = 4) -> dict:
    """Set up the floor's tables (a temporary SQLite file, or `database_url`), serve the floor with
    gunicorn, drive it, and return {"steady": {...}, "saturation": {...}, "database": ..., "load": ...}."""
    from server import free_port, load_average, start_gunicorn

    workdir = Path(tempfile.mkdtemp(prefix="floor-"))
    url = database_url or f"sqlite:///{workdir / 'floor.sqlite3'}"
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    prepare(url, users)
    port = free_port()
    server = start_gunicorn("floor:create_app()", port, workers, threads, workdir / "gunicorn.log",
                            {"FLOOR_DATABASE_URL": url}, cwd=BENCH)
    try:
        figures = asyncio.run(_drive(f"http://127.0.0.1:{port}", server.pid, users, interval, rounds,
                                     saturate_seconds, concurrency))
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures.update(database="PostgreSQL" if database_url else "SQLite", load=load_average(),
                   log=str(workdir / "gunicorn.log"))
    return figures


def print_figures(name: str, figures: dict) -> None:
    for phase in ("steady", "saturation"):
        f = figures[phase]
        print(f"{name:<10} {phase:<11} {f['requests']:>6} reqs {f['errors']:>4} errors  p50 {f['p50_ms']:7.1f} ms  "
              f"p99 {f['p99_ms']:7.1f} ms  {f['throughput']:7.1f} req/s  CPU {f['cpu_ms_per_request']:6.2f} ms/req")
        for error in f["first_errors"]:
            print(f"  {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--database-url", help="PostgreSQL URL (the floor_* tables are dropped and recreated)")
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--saturate-seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    began = time.perf_counter()
    figures = run_floor(args.database_url, args.users, interval=args.interval, rounds=args.rounds,
                        saturate_seconds=args.saturate_seconds, concurrency=args.concurrency,
                        workers=args.workers, threads=args.threads)
    print(f"floor on {figures['database']}, gunicorn {args.workers}x{args.threads} gthread, "
          f"{time.perf_counter() - began:.0f} s, {figures['load']}")
    print_figures("floor", figures)


if __name__ == "__main__":
    main()
