"""Accounts: users, roles, groups, logging in, and the CSV import of users.

Owns the `users`, `user_roles`, `groups` and `user_groups` tables. Passwords are hashed here and
nowhere else; a reset or deactivation rotates the user's session nonce.
"""
from .imports import DEFAULT_MAX_ROWS, RowError, import_users, parse_users_csv
from .login import authenticate
from .users import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    check_display_name,
    check_group_name,
    check_username,
    create_group,
    create_user,
    delete_group,
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
    "DEFAULT_MAX_ROWS", "MIN_PASSWORD_LENGTH", "AccountError", "RowError", "authenticate", "check_display_name",
    "check_group_name", "check_username", "create_group", "create_user", "delete_group", "find_user",
    "generate_password", "groups_by_name", "groups_with_member_counts", "import_users", "new_user",
    "parse_users_csv", "rename_group", "reset_password", "search_users", "set_active", "update_user",
]
