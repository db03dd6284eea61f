"""Accounts: users, roles, groups, logging in, and the CSV import of users;
`groups`: membership edited from the group's page (search, bulk add, remove).

Owns the `users`, `user_roles`, `groups`, `user_groups` and `login_throttles` tables. Passwords are
hashed under one policy (`models.accounts.PASSWORD_HASH_METHOD`) however the account is made; logout,
a password change or reset, and deactivation rotate the user's session nonce, which ends every session
and remember-me cookie. Failed logins are throttled per address and account (`throttle`).
"""
from .groups import add_members, members, non_members, remove_member
from .imports import DEFAULT_MAX_ROWS, RowError, import_users, parse_users_csv
from .login import LoginOutcome, authenticate
from .throttle import ThrottlePolicy
from .users import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    check_display_name,
    check_group_name,
    check_username,
    create_group,
    create_user,
    delete_group,
    end_sessions,
    find_user,
    generate_password,
    groups_by_name,
    groups_with_member_counts,
    new_user,
    rename_group,
    reset_password,
    search_users,
    set_active,
    update_user,
)

__all__ = [
    "DEFAULT_MAX_ROWS", "MIN_PASSWORD_LENGTH", "AccountError", "LoginOutcome", "RowError", "ThrottlePolicy",
    "add_members", "members", "non_members", "remove_member",
    "authenticate", "check_display_name", "end_sessions",
    "check_group_name", "check_username", "create_group", "create_user", "delete_group", "find_user",
    "generate_password", "groups_by_name", "groups_with_member_counts", "import_users", "new_user",
    "parse_users_csv", "rename_group", "reset_password", "search_users", "set_active", "update_user",
]
