"""Parallel starts over HTTP (item 7): twenty real requests of one examinee at once, each through its
own logged-in test client in its own thread, against the test's database (SQLite, or PostgreSQL with
EXAMENGINE_TEST_DATABASE_URL). With two attempts allowed they must end with ONE attempt in progress
that every response points to, and the second attempt still available.

`worst_interleaving` forces the order that used to leave two attempts in progress (every request has
seen "nothing in progress", then one creates attempt 1 and commits, then the others count one
attempt used and try to create attempt 2): only the database's partial unique index stops them.
It synchronizes with a barrier and an event, never with sleeps."""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from examengine.extensions import db
from examengine.models import Attempt
from examengine.services.attempts import start as start_module
from tests.exam_builders import make_exam
from tests.web.exam_fixtures import employee_client, start

THREADS = 20


@pytest.fixture
def app(app_factory):
    """Enough pooled connections for every racing request to hold one (the default pool has 15), and no
    limit of starts per process: what is tested is the database's guarantee with all twenty inside."""
    return app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": THREADS + 2, "max_overflow": 2},
                       EXAMENGINE_START_CONCURRENCY=0)


def start_together(app, clients, exam_id):
    barrier = threading.Barrier(len(clients))

    def post(client):
        barrier.wait()
        return client.post(f"/exams/{exam_id}/start")

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(post, clients))


class WorstInterleaving:
    """Armed for `count` racing requests: each waits, right after "is one in progress?" said no, until
    all have seen nothing; one goes on and creates attempt 1; the others go on once it is committed."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def arm(self, count: int) -> None:
        seen_nothing, first, first_created = threading.Barrier(count), threading.Lock(), threading.Event()
        window_for, create = start_module.window_for, start_module._create

        def late_window_for(exam, user_id):
            seen_nothing.wait(timeout=60)
            if not first.acquire(blocking=False):
                first_created.wait(timeout=60)
            return window_for(exam, user_id)

        def signalling_create(*args, **kwargs):
            try:
                return create(*args, **kwargs)
            finally:
                first_created.set()

        self.monkeypatch.setattr(start_module, "window_for", late_window_for)
        self.monkeypatch.setattr(start_module, "_create", signalling_create)

    def disarm(self) -> None:
        self.monkeypatch.undo()


@pytest.fixture
def worst_interleaving(monkeypatch):
    return WorstInterleaving(monkeypatch)


def attempts_of(app, exam_id):
    with app.app_context():
        return db.session.execute(select(Attempt.id, Attempt.number, Attempt.state)
                                  .where(Attempt.exam_id == exam_id).order_by(Attempt.id)).all()


@pytest.mark.parametrize("forced", [False, True], ids=["as-they-come", "worst-interleaving"])
def test_twenty_parallel_starts_make_one_attempt_in_progress(app, worst_interleaving, forced):
    exam_id = make_exam(app, users=["alice"], rules=[{"count": 1, "qtype": "single"}], attempts_allowed=2)
    clients = [employee_client(app, "alice") for _ in range(THREADS)]
    for round_ in range(2):  # a second burst after the first attempt was submitted
        if forced:
            worst_interleaving.arm(THREADS)
        responses = start_together(app, clients, exam_id)
        worst_interleaving.disarm()
        assert [r.status_code for r in responses] == [302] * THREADS
        locations = {r.headers["Location"] for r in responses}
        assert len(locations) == 1, locations  # every request resumed the winner's attempt
        attempt_id = int(re.fullmatch(r"/attempts/(\d+)", locations.pop()).group(1))
        rows = attempts_of(app, exam_id)
        in_progress = [row for row in rows if row.state == "in_progress"]
        assert [(row.id, row.number) for row in in_progress] == [(attempt_id, round_ + 1)]
        assert len(rows) == round_ + 1  # no attempt used up by the burst
        assert clients[0].post(f"/attempts/{attempt_id}/submit").status_code == 302
    refused = clients[0].post(f"/exams/{exam_id}/start")
    assert refused.status_code == 409 and "used all your attempts" in refused.text


def test_a_double_click_resumes_the_same_attempt(app, worst_interleaving):
    exam_id = make_exam(app, users=["bob"], rules=[{"count": 1, "qtype": "single"}], attempts_allowed=2)
    clients = [employee_client(app, "bob") for _ in range(2)]  # two clicks at once (two tabs alike)
    worst_interleaving.arm(2)
    responses = start_together(app, clients, exam_id)
    worst_interleaving.disarm()
    assert len({r.headers["Location"] for r in responses}) == 1
    assert [row.state for row in attempts_of(app, exam_id)] == ["in_progress"]
    assert start(clients[0], exam_id) == int(responses[0].headers["Location"].rsplit("/", 1)[1])


def test_with_the_start_limit_parallel_starts_are_queued_or_resume_the_one_attempt(app_factory):
    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": THREADS + 2, "max_overflow": 2},
                      EXAMENGINE_START_CONCURRENCY=2)
    exam_id = make_exam(app, users=["alice"], attempts_allowed=2)
    clients = [employee_client(app, "alice") for _ in range(THREADS)]
    responses = start_together(app, clients, exam_id)
    assert {response.status_code for response in responses} <= {302, 202}
    locations = {response.headers["Location"] for response in responses if response.status_code == 302}
    assert len(locations) <= 1 and len(attempts_of(app, exam_id)) <= 1
    for client, response in zip(clients, responses, strict=True):  # the queued pages try again, one by one
        if response.status_code == 202:
            locations.add(start_location(client, exam_id))
    assert len(locations) == 1  # everybody ended on the same attempt
    assert len(attempts_of(app, exam_id)) == 1


def start_location(client, exam_id) -> str:
    for _try in range(THREADS + 1):
        response = client.post(f"/exams/{exam_id}/start")
        if response.status_code == 302:
            return response.headers["Location"]
        assert response.status_code == 202
    raise AssertionError("still queued with nobody ahead")
