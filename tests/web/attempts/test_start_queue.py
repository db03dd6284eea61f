"""The start queue: when this process has no free place to start a paper, examinees wait in a fair,
numbered queue kept in the database, and their time has not started."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import Attempt, StartQueueEntry
from examengine.models._time import utcnow
from examengine.web.attempts import admission
from tests.conftest import Auth
from tests.exam_builders import make_exam
from tests.web.exam_fixtures import employee_client


@pytest.fixture
def app(app_factory):
    # One place and one waiter at the front who may take it: the order is strict. A start without a
    # place is queued at once (the wait for a place has its own test).
    return app_factory(EXAMENGINE_START_CONCURRENCY=1, EXAMENGINE_START_QUEUE_FRONT=1, EXAMENGINE_START_WAIT_SECONDS=0)


@pytest.fixture
def exam_id(app):
    return make_exam(app, users=["alice", "bob", "carol"], title="Network basics", time_limit_minutes=30)


@pytest.fixture
def full():
    """This process's only place is taken (as by a start in progress) until released."""
    semaphore = admission._semaphore(1)
    assert semaphore.acquire(blocking=False)
    yield semaphore
    try:
        semaphore.release()
    except ValueError:
        pass  # released by the test


def attempts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Attempt.id)))


def post_start(client, exam_id):
    return client.post(f"/exams/{exam_id}/start")


def test_a_full_server_queues_starts_in_order_and_the_time_does_not_start(app, exam_id, full):
    alice, bob = employee_client(app, "alice"), employee_client(app, "bob")
    first, second = post_start(alice, exam_id), post_start(bob, exam_id)
    assert first.status_code == second.status_code == 202
    assert 'data-position="1"' in first.text and 'data-position="2"' in second.text
    assert "You are number 2 in the queue" in second.text and "Your time has not started" in second.text
    assert int(first.headers["Retry-After"]) >= 1
    assert f'action="/exams/{exam_id}/start"' in first.text  # the page retries the start itself
    assert attempts(app) == 0
    # Retrying keeps one's place.
    assert 'data-position="2"' in post_start(bob, exam_id).text

    full.release()  # the place is free: it goes to the front of the queue
    assert post_start(bob, exam_id).status_code == 202  # alice is ahead of bob
    assert post_start(alice, exam_id).status_code == 302
    assert post_start(bob, exam_id).status_code == 302
    assert attempts(app) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StartQueueEntry)) == 0


def test_someone_who_stopped_waiting_does_not_hold_up_the_queue(app, exam_id, full):
    alice, bob = employee_client(app, "alice"), employee_client(app, "bob")
    assert post_start(alice, exam_id).status_code == 202  # then alice closes the page
    with app.app_context():
        db.session.execute(StartQueueEntry.__table__.update().values(
            polled_at=utcnow() - timedelta(minutes=5), queued_at=utcnow() - timedelta(minutes=5)))
        db.session.commit()
    assert 'data-position="1"' in post_start(bob, exam_id).text
    full.release()
    assert post_start(bob, exam_id).status_code == 302
    # alice coming back queues again at the end, behind nobody now.
    assert post_start(alice, exam_id).status_code == 302


def test_without_a_limit_nobody_is_queued(app_factory):
    app = app_factory(EXAMENGINE_START_CONCURRENCY=0)
    exam_id = make_exam(app, users=["alice"], title="Network basics")
    assert post_start(employee_client(app, "alice"), exam_id).status_code == 302


def test_the_queue_page_speaks_chinese_by_default(app, exam_id, full):
    client = app.test_client()
    assert Auth(client).login("carol").status_code == 302
    page = post_start(client, exam_id)
    assert page.status_code == 202
    assert "您在开考队列中排第 1 位" in page.text
    assert "您的考试时间尚未开始" in page.text



def test_a_free_place_goes_to_any_waiter_at_the_front_and_the_front_retries_soonest(app_factory, full):
    """Several servers each have places: the earliest EXAMENGINE_START_QUEUE_FRONT waiters may take a
    free one wherever their retry lands, so places do not idle while the very first waiter sleeps."""
    app = app_factory(EXAMENGINE_START_CONCURRENCY=1, EXAMENGINE_START_QUEUE_FRONT=2, EXAMENGINE_START_WAIT_SECONDS=0)
    exam_id = make_exam(app, users=["alice", "bob", "carol"], title="Network basics")
    alice, bob, carol = (employee_client(app, name) for name in ("alice", "bob", "carol"))
    queued = [post_start(client, exam_id) for client in (alice, bob, carol)]
    assert [page.status_code for page in queued] == [202, 202, 202]
    assert [int(page.headers["Retry-After"]) for page in queued] == [1, 1, 1]  # 2 at the front, 1 just behind
    full.release()
    assert post_start(carol, exam_id).status_code == 202  # third: behind the front
    assert post_start(bob, exam_id).status_code == 302  # second, but at the front: the place is his
    assert post_start(carol, exam_id).status_code == 302  # bob left the queue: carol is at the front now
    assert attempts(app) == 2


def test_a_start_waits_for_a_place_that_comes_free_instead_of_being_queued(app_factory, full):
    """A place freed while the start waits (well within EXAMENGINE_START_WAIT_SECONDS) is taken: no 202,
    no retry, nobody in the queue."""
    app = app_factory(EXAMENGINE_START_CONCURRENCY=1, EXAMENGINE_START_WAIT_SECONDS=60)
    exam_id = make_exam(app, users=["alice"], title="Network basics")
    alice = employee_client(app, "alice")
    releaser = threading.Timer(0.2, full.release)  # the start in progress ends while alice waits
    releaser.start()
    try:
        assert post_start(alice, exam_id).status_code == 302
    finally:
        releaser.join()
    assert attempts(app) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StartQueueEntry)) == 0
