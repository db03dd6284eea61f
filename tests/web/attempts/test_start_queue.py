"""The start queue: when this process has no free place to start a paper, examinees wait in a fair,
numbered queue kept in the database, and their time has not started."""
from __future__ import annotations

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
    return app_factory(EXAMENGINE_START_CONCURRENCY=1)


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

