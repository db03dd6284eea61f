"""One password hashing policy for every way an account is made, rehashing older hashes on login, and
failed logins that all cost exactly one check under the policy (counted, never timed)."""
from __future__ import annotations

import io

import pytest
from werkzeug.security import generate_password_hash

import examengine.models.accounts as account_models
from examengine.extensions import db
from examengine.models import PASSWORD_HASH_METHOD, User, hash_method
from examengine.services.accounts import authenticate, create_user, find_user, import_users, reset_password
from tests.conftest import PASSWORD

OLD_METHOD = "scrypt:4096:8:1"  # what the CSV import used to hash with


def stored_method(app, username) -> str:
    with app.app_context():
        return hash_method(find_user(username).password_hash)


def test_the_policy_is_scrypt_at_full_cost():
    name, n, r, p = PASSWORD_HASH_METHOD.split(":")
    assert name == "scrypt" and int(n) >= 2 ** 15 and int(r) >= 8 and int(p) >= 1


def test_every_way_of_making_an_account_hashes_under_the_one_policy(app, admin_client, runner):
    with app.app_context():
        create_user("service-user", password=PASSWORD)
        reset_target = create_user("reset-user", password=PASSWORD)
        reset_password(reset_target)
    admin_client.post("/admin/users/new", data={"username": "typed", "roles": ["employee"],
                                                "password": "typed-pass-1", "confirm": "typed-pass-1"})
    admin_client.post("/admin/users/new", data={"username": "generated", "roles": ["employee"]})
    imported = admin_client.post("/admin/users/import", content_type="multipart/form-data",
                                 data={"file": (io.BytesIO(b"username\ncsv-1\ncsv-2\n"), "users.csv")})
    assert imported.status_code == 200
    assert runner.invoke(args=["users", "create", "cli-user"]).exit_code == 0
    assert runner.invoke(args=["demo", "accounts"]).exit_code == 0
    names = ["service-user", "reset-user", "typed", "generated", "csv-1", "csv-2", "cli-user",
             "admin", "reviewer", "employee"]  # admin: made by the fixture, then reset by `demo accounts`
    methods = {name: stored_method(app, name) for name in names}
    assert methods == dict.fromkeys(names, PASSWORD_HASH_METHOD)


def test_the_csv_import_hashes_on_several_threads_under_the_policy(app, monkeypatch):
    from examengine.services.accounts import imports

    monkeypatch.setattr(imports, "HASH_THREADS", 2)
    with app.test_request_context():
        result = import_users(b"username\n" + b"".join(b"u%d\n" % n for n in range(4)))
        assert result.ok
        for username, _name, password in result.accounts:
            user = find_user(username)
            assert hash_method(user.password_hash) == PASSWORD_HASH_METHOD
            assert user.check_password(password)


@pytest.mark.parametrize("old", [OLD_METHOD, "scrypt:65536:8:1", "pbkdf2:sha256:600000"])
def test_a_hash_under_other_parameters_is_replaced_on_login(app, client, make_user, auth, old):
    user_id = make_user("alice")
    with app.app_context():
        user = db.session.get(User, user_id)
        user.password_hash = generate_password_hash(PASSWORD, method=old)
        db.session.commit()
        nonce = user.session_nonce
    assert auth.login("alice").status_code == 302
    assert client.get("/").status_code == 200  # the rehash does not end the new session
    with app.app_context():
        user = db.session.get(User, user_id)
        assert hash_method(user.password_hash) == PASSWORD_HASH_METHOD
        assert user.check_password(PASSWORD) and not user.check_password("wrong-password")
        assert user.session_nonce == nonce


def test_a_failed_login_leaves_an_old_hash_alone(app, make_user, auth):
    user_id = make_user("alice")
    with app.app_context():
        user = db.session.get(User, user_id)
        user.password_hash = old_hash = generate_password_hash(PASSWORD, method=OLD_METHOD)
        db.session.commit()
    auth.login("alice", "wrong-password")
    with app.app_context():
        assert db.session.get(User, user_id).password_hash == old_hash


@pytest.fixture
def checks(monkeypatch):
    """The parameters of every password check made (werkzeug's check, as the model calls it)."""
    made = []
    real = account_models.check_password_hash

    def counting(password_hash, password):
        made.append(hash_method(password_hash))
        return real(password_hash, password)

    monkeypatch.setattr(account_models, "check_password_hash", counting)
    return made


def _without_password(user):
    user.password_hash = ""


def _deactivated(user):
    user.active = False


def _old_hash(user):
    user.password_hash = generate_password_hash(PASSWORD, method=OLD_METHOD)


@pytest.mark.parametrize("username, password, change, error", [
    ("nobody", PASSWORD, None, "invalid"),
    ("alice", "wrong-password", None, "invalid"),
    ("alice", PASSWORD, _deactivated, "inactive"),
    ("alice", "wrong-password", _deactivated, "invalid"),
    ("alice", PASSWORD, _without_password, "invalid"),
], ids=["unknown-user", "wrong-password", "inactive-user", "inactive-wrong-password", "no-password"])
def test_every_failed_login_makes_exactly_one_check_under_the_policy(app, make_user, checks, username,
                                                                    password, change, error):
    user_id = make_user("alice")
    with app.test_request_context():
        if change:
            change(db.session.get(User, user_id))
            db.session.commit()
        checks.clear()
        outcome = authenticate(username, password, address="10.0.0.1")
    assert (outcome.user, outcome.error) == (None, error)
    assert checks == [PASSWORD_HASH_METHOD]


def test_a_success_makes_one_check_too(app, make_user, checks):
    make_user("alice")
    with app.test_request_context():
        checks.clear()
        assert authenticate("alice", PASSWORD, address="10.0.0.1").user is not None
    assert checks == [PASSWORD_HASH_METHOD]


def test_an_old_cheaper_hash_is_padded_with_a_check_under_the_policy(app, make_user, checks):
    """Until its owner logs in, an account with an old hash costs at least a policy check to refuse."""
    user_id = make_user("alice")
    with app.test_request_context():
        _old_hash(db.session.get(User, user_id))
        db.session.commit()
        checks.clear()
        assert authenticate("alice", "wrong-password", address="10.0.0.1").error == "invalid"
    assert sorted(checks) == sorted([PASSWORD_HASH_METHOD, OLD_METHOD])


def test_a_throttled_attempt_checks_no_password(app, make_user, checks):
    make_user("alice")
    with app.test_request_context():
        for _ in range(app.config["EXAMENGINE_LOGIN_PAIR_FAILURES"]):
            authenticate("alice", "wrong-password", address="10.0.0.1")
        checks.clear()
        outcome = authenticate("alice", PASSWORD, address="10.0.0.1")
    assert outcome.error == "throttled" and outcome.retry_after > 0
    assert checks == []
