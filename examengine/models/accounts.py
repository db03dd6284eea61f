"""Accounts: users, their roles and their groups; the password hashing policy; login throttles."""
from __future__ import annotations

import hmac
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ._time import utcnow

ROLES = ("admin", "reviewer", "employee")

user_groups = Table(
    "user_groups",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
)


def _new_session_nonce() -> str:
    return secrets.token_hex(8)


# --- The password hashing policy: one for every way an account gets a password (created on the admin
# page or the command line, reset, imported from CSV, demo accounts, rehashed on login). One cost for
# every stored hash also means every password check costs the same, so its timing reveals nothing.
PASSWORD_HASH_METHOD = "scrypt:32768:8:1"
# Checked instead of a real hash when there is none (unknown user, account without a password): the
# same parameters, so the same cost; no password matches it (the stored digest is not a scrypt output).
_DUMMY_HASH = f"{PASSWORD_HASH_METHOD}${'0' * 16}${'0' * 128}"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_HASH_METHOD)


def hash_method(password_hash: str) -> str:
    """The method and parameters of a werkzeug hash: "scrypt:32768:8:1" of "scrypt:32768:8:1$salt$hex"."""
    return (password_hash or "").partition("$")[0]


def hash_is_current(password_hash: str) -> bool:
    return hash_method(password_hash) == PASSWORD_HASH_METHOD


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; always exactly one check with the policy's parameters.

    A stored hash made under other parameters (older, e.g. the CSV import's former cheaper ones) is
    checked as it is, plus one dummy check with the policy's: such an account's check is not cheaper
    than the others', so a quick "wrong password" does not tell that the account exists.
    """
    if not password_hash or not hash_is_current(password_hash):
        check_password_hash(_DUMMY_HASH, password)
        if not password_hash:
            return False
        try:
            return check_password_hash(password_hash, password)
        except ValueError:  # an unknown method or a damaged hash: no password matches it
            return False
    return check_password_hash(password_hash, password)


class Group(db.Model):
    """A department or team; exams are assigned to groups."""

    __tablename__ = "groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    users: Mapped[list[User]] = relationship(secondary=user_groups, back_populates="groups")

    def __repr__(self) -> str:
        return f"<Group {self.name}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    # Part of the login session id (and so of the remember-me cookie): rotating it (logout, password
    # change or reset, deactivation) ends every session and every remember-me cookie issued before.
    session_nonce: Mapped[str] = mapped_column(String(32), default=_new_session_nonce)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    groups: Mapped[list[Group]] = relationship(
        secondary=user_groups, back_populates="users", lazy="selectin", order_by=Group.name
    )

    # --- Flask-Login ---
    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    # --- roles ---
    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def set_roles(self, roles) -> None:
        wanted = set(roles)
        unknown = wanted - set(ROLES)
        if unknown:
            raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")
        self.role_rows = [row for row in self.role_rows if row.role in wanted]
        for role in sorted(wanted - self.roles):
            self.role_rows.append(UserRole(role=role))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    # --- password ---
    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return verify_password(self.password_hash, password)

    @property
    def password_hash_is_current(self) -> bool:
        return hash_is_current(self.password_hash)

    def rehash_password(self, password: str) -> None:
        """The same password under the current policy (after a successful login); sessions go on."""
        self.password_hash = hash_password(password)

    def end_sessions(self) -> None:
        self.session_nonce = _new_session_nonce()

    def session_id_matches(self, nonce: str) -> bool:
        return hmac.compare_digest(self.session_nonce.encode(), nonce.encode())

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class LoginThrottle(db.Model):
    """Failed logins counted per key, shared by every app server through the database.

    Keys: "pair:<address>|<username>" (one account from one address), "addr:<address>" (any account
    from one address) and "acct:<username>" (one account from anywhere); usernames casefolded. The
    counters are changed by single atomic statements (services/accounts/throttle.py).
    """

    __tablename__ = "login_throttles"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Attempts under this key are refused without a password check until then.
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime)
    # Pair keys only: the last successful login of this account from this address.
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime)

    def __repr__(self) -> str:
        return f"<LoginThrottle {self.key} {self.failures}>"
