"""Configuration from environment variables, with defaults that work on a fresh clone.

Every variable is documented in the README's "Configuration" table.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ENV_PREFIX = "EXAMENGINE_"
SECRET_KEY_FILE = "secret_key"


def database_url(instance_path: str) -> str:
    url = os.environ.get("EXAMENGINE_DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "examengine.sqlite3")
    return normalize_database_url(url)


def normalize_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgres URLs (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(instance_path: str) -> str:
    """The key from the environment, else one generated once and kept in the instance folder."""
    from_env = os.environ.get("EXAMENGINE_SECRET_KEY", "").strip()
    if from_env:
        return from_env
    path = Path(instance_path) / SECRET_KEY_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_hex(32)
    # O_EXCL: when two workers start at once, one writes and the other reads the winner's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, got {raw!r}") from None


def _flag_env(name: str) -> bool:
    return os.environ.get(name, "").strip() == "1"


def build_config(instance_path: str) -> dict:
    return {
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "EXAMENGINE_MAX_BANK_BYTES": _int_env("EXAMENGINE_MAX_BANK_BYTES", 2 * 1024 * 1024),
        # Several bank files may be uploaded in one request.
        "MAX_CONTENT_LENGTH": _int_env("EXAMENGINE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024),
        # JSON bodies (the exam page's autosave) above this are refused with 400 before parsing.
        "EXAMENGINE_MAX_JSON_BYTES": _int_env("EXAMENGINE_MAX_JSON_BYTES", 4 * 1024 * 1024),
        "EXAMENGINE_USER_IMPORT_MAX_ROWS": _int_env("EXAMENGINE_USER_IMPORT_MAX_ROWS", 1000),
        # Failed logins before further attempts wait (5 s, doubling up to the max delay): of one account
        # from one address, from one address, of one account from everywhere (services/accounts/throttle.py).
        "EXAMENGINE_LOGIN_PAIR_FAILURES": _int_env("EXAMENGINE_LOGIN_PAIR_FAILURES", 5),
        "EXAMENGINE_LOGIN_ADDRESS_FAILURES": _int_env("EXAMENGINE_LOGIN_ADDRESS_FAILURES", 50),
        "EXAMENGINE_LOGIN_ACCOUNT_FAILURES": _int_env("EXAMENGINE_LOGIN_ACCOUNT_FAILURES", 100),
        "EXAMENGINE_LOGIN_MAX_DELAY_SECONDS": _int_env("EXAMENGINE_LOGIN_MAX_DELAY_SECONDS", 900),
        # Behind a reverse proxy: take the client's address from the proxy's X-Forwarded-For.
        "EXAMENGINE_PROXY_FIX": _flag_env("EXAMENGINE_PROXY_FIX"),
        "EXAMENGINE_TIMEZONE": os.environ.get("EXAMENGINE_TIMEZONE", "Asia/Shanghai"),
        # Starts (paper draws) one server process runs at once; more wait in a fair queue ("you are
        # number N") instead of timing out. 0: no limit.
        "EXAMENGINE_START_CONCURRENCY": _int_env("EXAMENGINE_START_CONCURRENCY", 2),
        # How many of the earliest waiters may take a free place on any server: at least all servers'
        # places together (processes x the limit above), or free places idle while the front waits.
        "EXAMENGINE_START_QUEUE_FRONT": _int_env("EXAMENGINE_START_QUEUE_FRONT", 16),
        # A start waits this long for a free place before it is queued (a retry costs a request).
        "EXAMENGINE_START_WAIT_SECONDS": _int_env("EXAMENGINE_START_WAIT_SECONDS", 10),
        # The exam page keeps the cards of untouched questions (web/attempts/cards.py); 0 turns that off.
        "EXAMENGINE_CARD_CACHE": _int_env("EXAMENGINE_CARD_CACHE", 1) != 0,
        # Saves in flight when time runs out are still accepted for this long.
        "EXAMENGINE_GRACE_SECONDS": _int_env("EXAMENGINE_GRACE_SECONDS", 60),
        # A reviewer holds the answers shown to them this long; then others may grade them.
        "EXAMENGINE_CLAIM_SECONDS": _int_env("EXAMENGINE_CLAIM_SECONDS", 600),
        # A question version's measured facility sets its difficulty level (for exams balanced on measured
        # difficulty) once it has at least this many graded responses (services/exams/difficulty.py).
        "EXAMENGINE_EMPIRICAL_DIFFICULTY_MIN_RESPONSES": _int_env("EXAMENGINE_EMPIRICAL_DIFFICULTY_MIN_RESPONSES", 30),
        # Hosts (Content-Security-Policy sources) that images in question stems may come from.
        "EXAMENGINE_IMAGE_SOURCES": os.environ.get("EXAMENGINE_IMAGE_SOURCES", "").strip(),
        # CSRF tokens last as long as the session: a 3-hour exam must still submit.
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BOOTSTRAP_SERVE_LOCAL": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag_env("EXAMENGINE_SECURE_COOKIES"),
        # The remember-me cookie (Flask-Login) with the same flags as the session cookie.
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag_env("EXAMENGINE_SECURE_COOKIES"),
    }
