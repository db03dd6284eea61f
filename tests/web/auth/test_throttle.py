"""Failed logins are throttled with growing waits per (address, account), per address and per account,
in the database; the answers never tell whether an account exists.

The test configuration (tests/conftest.py) uses small thresholds: 3 per pair, 6 per address, 9 per
account, waits of 5 s doubling up to 60 s. The clock is frozen and moved by time_machine.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from examengine.extensions import db
from examengine.models import LoginThrottle
from examengine.services.accounts import create_user
from tests.conftest import PASSWORD, english_client

T0 = "2026-11-21 08:00:00"
ALICE_HOME = "10.0.0.1"
OUTSIDER = "198.51.100.7"


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def attempt(client, username, password="wrong-password", address=ALICE_HOME, **headers):
    return client.post("/login", data={"username": username, "password": password},
                       environ_overrides={"REMOTE_ADDR": address}, headers=headers)


def alert(response) -> str:
    match = re.search(r'role="alert">\s*(.*?)\s*<button', response.text, re.S)
    assert match, "no message on the page"
    return match.group(1)


def assert_throttled(response, seconds):
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(seconds)
    unit = "second" if seconds == 1 else "seconds"
    assert alert(response) == f"Too many failed attempts. Try again in {seconds} {unit}."


def assert_logged_in(response):
    assert response.status_code == 302 and "/login" not in response.headers["Location"]


def counter(app, key) -> int | None:
    with app.app_context():
        return db.session.scalar(select(LoginThrottle.failures).where(LoginThrottle.key == key))


def test_failures_of_one_account_from_one_address_wait_longer_and_longer(client, make_user, clock):
    make_user("alice")
    for _ in range(3):
        assert attempt(client, "alice").status_code == 200
    assert_throttled(attempt(client, "alice", PASSWORD), 5)  # even the right password waits
    assert client.get("/").status_code == 302
    clock.shift(timedelta(seconds=5))
    attempt(client, "alice")
    assert_throttled(attempt(client, "alice", PASSWORD), 10)
    clock.shift(timedelta(seconds=10))
    attempt(client, "alice")
    assert_throttled(attempt(client, "alice"), 20)
    clock.shift(timedelta(seconds=19))
    assert_throttled(attempt(client, "alice", PASSWORD), 1)
    clock.shift(timedelta(seconds=1))
    assert_logged_in(attempt(client, "alice", PASSWORD))


def test_the_wait_is_capped(client, make_user, clock):
    make_user("alice")
    waits = []
    while len(waits) < 7:
        response = attempt(client, "alice")
        if response.status_code == 429:
            waits.append(int(response.headers["Retry-After"]))
            clock.shift(timedelta(seconds=waits[-1]))
    assert waits == [5, 10, 20, 40, 60, 60, 60]  # after 3 free failures, one failure per wait


def test_a_throttled_attempt_gets_the_same_answer_for_known_and_unknown_accounts(client, make_user, clock):
    make_user("alice")
    for _ in range(3):
        attempt(client, "alice", address=ALICE_HOME)
        attempt(client, "nobody", address=OUTSIDER)
    known = attempt(client, "alice", address=ALICE_HOME)
    unknown = attempt(client, "nobody", address=OUTSIDER)
    assert_throttled(known, 5)
    assert_throttled(unknown, 5)
    assert known.text.replace("alice", "NAME") == unknown.text.replace("nobody", "NAME")


def test_the_failure_answer_is_the_same_for_known_and_unknown_usernames(client, make_user, clock):
    """(A frozen clock: the pages carry a CSRF token stamped with the second.)"""
    make_user("alice")
    known = attempt(client, "alice")
    unknown = attempt(client, "nobody")
    assert known.status_code == unknown.status_code == 200
    assert alert(known) == "Invalid username or password."
    assert known.text.replace("alice", "NAME") == unknown.text.replace("nobody", "NAME")


def test_an_outsider_cannot_lock_the_user_out(client, make_user, clock):
    make_user("alice")
    failures = 0
    while failures < 15:  # well past the account's threshold of 9, waiting out every delay
        response = attempt(client, "alice", address=OUTSIDER)
        if response.status_code == 429:
            clock.shift(timedelta(seconds=int(response.headers["Retry-After"])))
        else:
            failures += 1
    assert attempt(client, "alice", PASSWORD, address=OUTSIDER).status_code == 429
    # Alice has never logged in from her address before, and still gets in at once.
    assert_logged_in(attempt(client, "alice", PASSWORD, address=ALICE_HOME))


def test_many_accounts_from_one_address_throttle_the_address(client, make_user, clock):
    make_user("alice")
    for n in range(6):
        assert attempt(client, f"user{n}", address=OUTSIDER).status_code == 200
    assert_throttled(attempt(client, "alice", PASSWORD, address=OUTSIDER), 5)
    assert_throttled(attempt(client, "someone-else", address=OUTSIDER), 5)
    assert_logged_in(attempt(client, "alice", PASSWORD, address=ALICE_HOME))


def test_a_distributed_attack_throttles_the_account_but_not_where_the_user_logged_in(app, make_user, clock):
    make_user("alice")
    home = english_client(app)
    assert_logged_in(attempt(home, "alice", PASSWORD, address=ALICE_HOME))
    home.post("/logout")
    attacker = english_client(app)
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        for _ in range(3):  # each address stays within its own pair threshold
            assert attempt(attacker, "alice", address=address).status_code == 200
    assert_throttled(attempt(english_client(app), "alice", PASSWORD, address="192.0.2.50"), 5)
    assert_throttled(attempt(english_client(app), "ALICE", address="192.0.2.51"), 5)
    assert_logged_in(attempt(home, "alice", PASSWORD, address=ALICE_HOME))


def test_a_successful_login_resets_the_pair_and_account_counters(app, client, make_user, clock):
    make_user("alice")
    attempt(client, "alice", address="203.0.113.9")
    for _ in range(2):
        attempt(client, "alice")
    assert counter(app, "acct:alice") == 3
    assert_logged_in(attempt(client, "alice", PASSWORD))
    client.post("/logout")
    assert counter(app, f"pair:{ALICE_HOME}|alice") == 0
    assert counter(app, "acct:alice") == 0
    assert counter(app, f"addr:{ALICE_HOME}") == 2  # one valid account buys an address no guesses
    for _ in range(2):
        assert attempt(client, "alice").status_code == 200
    assert_logged_in(attempt(client, "alice", PASSWORD))


def test_usernames_are_counted_without_case(client, make_user, clock):
    make_user("Alice")
    for name in ("alice", "ALICE", " Alice "):
        attempt(client, name)
    assert_throttled(attempt(client, "aLiCe", PASSWORD), 5)


def test_the_throttle_is_shared_by_every_app_server(app_factory, clock):
    """Two app instances on one database, as several servers behind a load balancer."""
    first, second = app_factory(), app_factory()
    with first.app_context():
        create_user("alice", password=PASSWORD)
    for _ in range(3):
        attempt(english_client(first), "alice")
    assert_throttled(attempt(english_client(second), "alice", PASSWORD), 5)


def test_an_admin_password_reset_clears_the_accounts_counters(clock, app, admin_client, make_user):
    user_id = make_user("alice")
    for _ in range(3):
        attempt(english_client(app), "alice")
    response = admin_client.post(f"/admin/users/{user_id}/password",
                                 data={"password": "brand-new-99", "confirm": "brand-new-99"})
    assert response.status_code == 302
    assert_logged_in(attempt(english_client(app), "alice", "brand-new-99"))


def test_without_proxy_fix_a_forged_forwarded_for_header_changes_nothing(client, make_user, clock):
    make_user("alice")
    for n in range(3):
        attempt(client, "alice", address="127.0.0.1", **{"X-Forwarded-For": f"192.0.2.{n}"})
    assert_throttled(attempt(client, "alice", PASSWORD, address="127.0.0.1",
                             **{"X-Forwarded-For": "192.0.2.99"}), 5)


def test_with_proxy_fix_the_client_address_comes_from_the_proxy(app_factory, clock):
    app = app_factory(EXAMENGINE_PROXY_FIX=True)
    with app.app_context():
        create_user("alice", password=PASSWORD)
    client = english_client(app)
    for _ in range(3):
        attempt(client, "alice", address="127.0.0.1", **{"X-Forwarded-For": OUTSIDER})
    assert_throttled(attempt(client, "alice", PASSWORD, address="127.0.0.1",
                             **{"X-Forwarded-For": OUTSIDER}), 5)
    # Only the last address (the one the proxy appended) counts: a client cannot pick its own.
    assert_throttled(attempt(client, "alice", PASSWORD, address="127.0.0.1",
                             **{"X-Forwarded-For": f"192.0.2.1, {OUTSIDER}"}), 5)
    assert_logged_in(attempt(client, "alice", PASSWORD, address="127.0.0.1",
                             **{"X-Forwarded-For": ALICE_HOME}))
