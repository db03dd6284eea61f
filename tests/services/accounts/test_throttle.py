"""The login throttle's counters: growing and capped waits, atomic counting under concurrency, forgetting,
sweeping, and an administrator clearing one account's counters."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from examengine.extensions import db
from examengine.models import LoginThrottle
from examengine.services.accounts import ThrottlePolicy, throttle

NOW = datetime(2026, 11, 21, 8, 0, 0)
POLICY = ThrottlePolicy(pair_failures=5, address_failures=50, account_failures=100, max_delay_seconds=900)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def failures() -> dict[str, int]:
    return dict(db.session.execute(select(LoginThrottle.key, LoginThrottle.failures)).all())


def test_the_wait_doubles_from_five_seconds_up_to_the_cap():
    assert [POLICY.delay(n, 5) for n in range(1, 15)] == [
        0, 0, 0, 0, 5, 10, 20, 40, 80, 160, 320, 640, 900, 900]
    assert POLICY.delay(10 ** 6, 5) == 900
    assert POLICY.forget_after > timedelta(seconds=POLICY.max_delay_seconds)


def test_settings_are_read_from_the_config():
    policy = ThrottlePolicy.from_config({"EXAMENGINE_LOGIN_PAIR_FAILURES": 2, "EXAMENGINE_LOGIN_ADDRESS_FAILURES": 0,
                                         "EXAMENGINE_LOGIN_MAX_DELAY_SECONDS": 7200})
    assert (policy.pair_failures, policy.address_failures, policy.account_failures) == (2, 1, 100)
    assert policy.forget_after == timedelta(hours=8)  # never shorter than four of the longest waits


def test_keys_casefold_the_username_and_fit_the_column():
    keys = throttle.keys_for("2001:db8::1", "  Straße ")
    assert keys == throttle.ThrottleKeys("pair:2001:db8::1|strasse", "addr:2001:db8::1", "acct:strasse")
    long = throttle.keys_for("x" * 500, "ß" * 500)
    assert max(len(long.pair), len(long.address), len(long.account)) <= 255
    assert throttle.keys_for(None, "a").address == "addr:unknown"


def test_a_failure_counts_under_all_three_keys_and_sets_the_waits(ctx):
    keys = throttle.keys_for("10.0.0.1", "alice")
    for _ in range(5):
        throttle.record_failure(keys, POLICY, NOW)
    assert failures() == {"pair:10.0.0.1|alice": 5, "addr:10.0.0.1": 5, "acct:alice": 5}
    assert throttle.wait_seconds(keys, NOW) == 5
    assert throttle.wait_seconds(keys, NOW + timedelta(seconds=5)) == 0
    assert throttle.wait_seconds(throttle.keys_for("10.0.0.2", "alice"), NOW) == 0


def test_one_address_adds_at_most_its_pair_threshold_to_the_account(ctx):
    keys = throttle.keys_for("10.0.0.1", "alice")
    for n in range(12):
        throttle.record_failure(keys, POLICY, NOW + timedelta(minutes=15 * n))
    counts = failures()
    assert counts["pair:10.0.0.1|alice"] == 12 and counts["addr:10.0.0.1"] == 12
    assert counts["acct:alice"] == 5


def test_a_counter_quiet_for_the_forget_period_starts_again(ctx):
    keys = throttle.keys_for("10.0.0.1", "alice")
    for _ in range(7):
        throttle.record_failure(keys, POLICY, NOW)
    later = NOW + POLICY.forget_after + timedelta(seconds=1)
    throttle.record_failure(keys, POLICY, later)
    assert failures()["pair:10.0.0.1|alice"] == 1
    assert throttle.wait_seconds(keys, later) == 0


def test_concurrent_failures_are_all_counted(app):
    """Several servers' requests at once: `failures = failures + 1` in one statement loses none."""
    keys = throttle.keys_for("10.0.0.1", "alice")
    policy = ThrottlePolicy(pair_failures=1000, address_failures=1000, account_failures=1000)
    errors = []
    start = threading.Barrier(8)

    def fail():
        try:
            with app.app_context():
                start.wait()
                for _ in range(5):
                    throttle.record_failure(keys, policy, NOW)
                db.session.remove()
        except Exception as exc:  # reported below: an exception in a thread would pass silently
            errors.append(exc)

    threads = [threading.Thread(target=fail) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert failures() == {"pair:10.0.0.1|alice": 40, "addr:10.0.0.1": 40, "acct:alice": 40}


def test_a_recent_success_exempts_the_address_from_the_account_throttle_only(ctx):
    home = throttle.keys_for("10.0.0.1", "alice")
    office = throttle.keys_for("10.0.0.2", "alice")
    throttle.record_success(home, NOW - timedelta(days=29))
    throttle.record_success(office, NOW - timedelta(days=31))
    for n in range(20):  # a distributed attack: 20 addresses, 5 failures each
        other = throttle.keys_for(f"203.0.113.{n}", "alice")
        for _ in range(5):
            throttle.record_failure(other, POLICY, NOW)
    assert failures()["acct:alice"] == 100
    assert throttle.wait_seconds(throttle.keys_for("192.0.2.1", "alice"), NOW) == 5
    assert throttle.wait_seconds(office, NOW) == 5  # trusted too long ago
    assert throttle.wait_seconds(home, NOW) == 0
    for _ in range(5):  # the trusted address's own failures still throttle its pair
        throttle.record_failure(home, POLICY, NOW)
    assert throttle.wait_seconds(home, NOW) == 5


def test_prune_keeps_only_rows_that_still_matter(ctx):
    db.session.add_all([
        LoginThrottle(key="old", failures=3, last_failure_at=NOW - timedelta(hours=2)),
        LoginThrottle(key="recent", failures=3, last_failure_at=NOW - timedelta(minutes=10)),
        LoginThrottle(key="waiting", failures=30, last_failure_at=NOW - timedelta(hours=2),
                      blocked_until=NOW + timedelta(minutes=1)),
        LoginThrottle(key="trusted", failures=0, last_success_at=NOW - timedelta(days=3)),
        LoginThrottle(key="untrusted", failures=0, last_success_at=NOW - timedelta(days=31)),
    ])
    db.session.commit()
    assert throttle.prune(POLICY, NOW) == 2
    assert set(failures()) == {"recent", "waiting", "trusted"}


def test_the_first_failure_of_an_address_sweeps_forgotten_rows(ctx):
    db.session.add(LoginThrottle(key="addr:192.0.2.1", failures=9, last_failure_at=NOW - timedelta(hours=3)))
    db.session.commit()
    throttle.record_failure(throttle.keys_for("10.0.0.1", "alice"), POLICY, NOW)
    assert "addr:192.0.2.1" not in failures()


def test_forgetting_an_account_clears_only_its_counters(ctx):
    for address in ("10.0.0.1", "10.0.0.2"):
        for name in ("alice", "malice", "alice2", "a_ice"):
            throttle.record_failure(throttle.keys_for(address, name), POLICY, NOW)
    throttle.forget_account("Alice")
    left = set(failures())
    assert not any(key.endswith("|alice") or key == "acct:alice" for key in left)
    assert {"acct:malice", "acct:alice2", "acct:a_ice", "pair:10.0.0.1|malice", "pair:10.0.0.2|a_ice",
            "addr:10.0.0.1"} <= left
