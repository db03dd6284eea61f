"""Importing user accounts from a CSV file, as Excel writes it: all rows or none.

The file is UTF-8 (a BOM is accepted) with a header row naming the columns `username`, `display name`,
`groups` and `roles` (or 用户名, 姓名, 组/分组, 角色), in any order; only `username` is required.
Several groups or roles in one cell are separated by any of `;` `；` `,` `，` (Excel quotes a cell that
contains a comma, so a comma is safe there). Roles are admin/reviewer/employee or 管理员/阅卷人/员工;
an empty cell means employee. Row numbers are those Excel shows: the header is row 1.
"""
from __future__ import annotations

import csv
import io
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import Group, User, hash_password
from .users import (
    GROUP_NAME_MAX,
    GROUP_SEPARATORS,
    AccountError,
    check_display_name,
    check_username,
    generate_password,
    groups_by_name,
)

DEFAULT_MAX_ROWS = 1000
HEADER_NAMES = {
    "username": "username", "用户名": "username",
    "display name": "display_name", "display_name": "display_name", "姓名": "display_name",
    "groups": "groups", "组": "groups", "分组": "groups",
    "roles": "roles", "角色": "roles",
}
ROLE_NAMES = {
    "admin": "admin", "管理员": "admin",
    "reviewer": "reviewer", "阅卷人": "reviewer",
    "employee": "employee", "员工": "employee",
}
_SPLIT = re.compile("[" + re.escape(GROUP_SEPARATORS) + "]")
# The passwords are hashed under the same policy as every other (a cheaper cost would make these
# accounts' password checks, and so their existence, stand out): ~0.1 s of CPU each, so 1,000 rows
# take ~100 s of CPU. scrypt releases the GIL, so they are hashed on up to 4 threads (each scrypt call
# holds 32 MB; the other cores stay free for the site's other requests).
HASH_THREADS = max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                          else os.cpu_count() or 1))


@dataclass(frozen=True)
class RowError:
    row: int | None  # as Excel numbers it (header = 1); None for the file as a whole
    message: str


@dataclass(frozen=True)
class ImportRow:
    row: int
    username: str
    display_name: str
    groups: tuple[str, ...]
    roles: tuple[str, ...]


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # username, display name, password
    groups_created: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_users(data: bytes, *, max_rows: int = DEFAULT_MAX_ROWS) -> ImportResult:
    """Create every account in the CSV `data`, or none when any row is bad."""
    rows, errors = parse_users_csv(data, max_rows=max_rows)
    if not errors:
        errors = _taken_usernames(rows)
    if errors:
        return ImportResult(errors=errors)
    return _store(rows)


def parse_users_csv(data: bytes, *, max_rows: int = DEFAULT_MAX_ROWS
                    ) -> tuple[list[ImportRow], list[RowError]]:
    """The rows of the file and every error found in it (rows are only valid without errors)."""
    text, error = _decode(data)
    if error:
        return [], [error]
    if not text.strip():
        return [], [RowError(None, _l("The file is empty. The first row must be the header: %(columns)s.",
                                      columns=_HEADER_HINT))]
    records = _Records(text)
    errors: list[RowError] = []
    columns, rows = None, []
    try:
        columns = _read_header(next(iter(records))[1], errors)
        rows = _read_rows(records, columns, max_rows, errors) if columns else []
    except csv.Error as exc:  # e.g. a cell larger than the csv module's limit
        message = _l("This row is not valid CSV: %(detail)s", detail=str(exc))
        errors.append(RowError(records.number + 1, message))
        rows = []
    if columns and not rows and not errors:
        errors.append(RowError(None, _l("The file has no users below the header.")))
    return rows, errors


_HEADER_HINT = "username, display name, groups, roles (用户名, 姓名, 分组, 角色)"


class _Records:
    """The CSV records with their row numbers (a quoted cell may span lines: rows are records, not lines)."""

    def __init__(self, text: str):
        self._reader = csv.reader(io.StringIO(text, newline=""))
        self.number = 0

    def __iter__(self):
        for cells in self._reader:
            self.number += 1
            yield self.number, cells


def _decode(data: bytes) -> tuple[str, RowError | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        if data.startswith(b"PK"):
            message = _l("This is an Excel workbook, not a CSV file. In Excel, use “Save as” and choose "
                         "“CSV UTF-8 (comma delimited)”.")
            return "", RowError(None, message)
        row = data[:exc.start].count(b"\n") + 1
        return "", RowError(row, _l("The file is not UTF-8 text. In Excel, use “Save as” and choose "
                                    "“CSV UTF-8 (comma delimited)”."))


def _read_header(cells: list[str], errors: list[RowError]) -> list[str] | None:
    """The internal column names in file order, or None (with errors) for a bad header."""
    cells = _without_trailing_blanks(cells)
    names = [cell.strip().lower() for cell in cells]
    columns = [HEADER_NAMES.get(name) for name in names]
    if not any(columns):
        errors.append(RowError(1, _l("The first row must be the header: %(columns)s.", columns=_HEADER_HINT)))
        return None
    for name, column in zip(cells, columns):
        if column is None:
            errors.append(RowError(1, _l("Unknown column “%(name)s”. The columns are: %(columns)s.",
                                         name=name.strip(), columns=_HEADER_HINT)))
    for column in sorted({c for c in columns if c and columns.count(c) > 1}):
        errors.append(RowError(1, _l("The column “%(name)s” appears more than once.", name=column)))
    if "username" not in columns:
        errors.append(RowError(1, _l("The header has no username column.")))
    return None if errors else columns


def _read_rows(records, columns: list[str], max_rows: int, errors: list[RowError]) -> list[ImportRow]:
    rows: list[ImportRow] = []
    first_row: dict[str, int] = {}
    count = 0
    for number, cells in records:
        if not any(cell.strip() for cell in cells):
            continue  # Excel writes blank lines (",,,") for rows it once used
        count += 1
        if count > max_rows:
            errors.append(RowError(number, _l("The file has more than %(max)d users; "
                                              "split it into several files.", max=max_rows)))
            break
        row = _read_row(number, cells, columns, errors)
        if row is None:
            continue
        key = row.username.lower()
        if key in first_row:
            errors.append(RowError(number, _l("The username %(name)s already appears in row %(first)d.",
                                              name=row.username, first=first_row[key])))
            continue
        first_row[key] = number
        rows.append(row)
    return rows


def _without_trailing_blanks(cells: list[str]) -> list[str]:
    """Excel adds empty cells after the last column when other cells of the sheet were once used."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _read_row(number: int, cells: list[str], columns: list[str], errors: list[RowError]) -> ImportRow | None:
    if len(cells) > len(columns) and not any(cell.strip() for cell in cells[len(columns):]):
        cells = cells[:len(columns)]
    if len(cells) != len(columns):
        errors.append(RowError(number, lazy_ngettext(
            "This row has %(num)d cell but the header has %(columns)d. A cell containing a comma must be in double quotes.",
            "This row has %(num)d cells but the header has %(columns)d. A cell containing a comma must be in double "
            "quotes.", len(cells), columns=len(columns))))
        return None
    values = dict(zip(columns, cells))
    found = len(errors)
    username = _checked(number, check_username, values["username"], errors)
    display_name = _checked(number, check_display_name, values.get("display_name", ""), errors)
    groups = _groups(number, values.get("groups", ""), errors)
    roles = _roles(number, values.get("roles", ""), errors)
    if len(errors) > found:
        return None
    return ImportRow(number, username, display_name, groups, roles)


def _checked(number: int, check, value: str, errors: list[RowError]) -> str:
    try:
        return check(value)
    except AccountError as exc:
        errors.append(RowError(number, exc.args[0]))
        return ""


def _split(cell: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in _SPLIT.split(cell) if part.strip()))


def _groups(number: int, cell: str, errors: list[RowError]) -> tuple[str, ...]:
    groups = _split(cell)
    for name in groups:
        if len(name) > GROUP_NAME_MAX:
            errors.append(RowError(number, _l("The group name %(name)s is longer than %(max)d characters.",
                                              name=name, max=GROUP_NAME_MAX)))
    return groups


def _roles(number: int, cell: str, errors: list[RowError]) -> tuple[str, ...]:
    roles = []
    for name in _split(cell):
        role = ROLE_NAMES.get(name.lower())
        if role is None:
            errors.append(RowError(number, _l("Unknown role “%(name)s”. Use admin, reviewer, employee "
                                              "(管理员, 阅卷人, 员工).", name=name)))
        else:
            roles.append(role)
    return tuple(dict.fromkeys(roles)) or ("employee",)


def _taken_usernames(rows: list[ImportRow]) -> list[RowError]:
    """Usernames that already exist, compared without case as `find_user` does."""
    by_key = {row.username.lower(): row for row in rows}
    keys = list(by_key)
    taken: list[str] = []
    lowered = func.lower(User.username)
    for chunk in _chunks(keys):
        taken += db.session.scalars(select(lowered).where(lowered.in_(chunk)))
    return [RowError(by_key[key].row, _l("The username %(name)s already exists.", name=by_key[key].username))
            for key in sorted(taken, key=lambda k: by_key[k].row)]


def _store(rows: list[ImportRow]) -> ImportResult:
    names = list(dict.fromkeys(name for row in rows for name in row.groups))
    result = ImportResult(groups_created=_missing_groups(names))
    passwords = [generate_password() for _row in rows]
    hashes = _hash_all(passwords)
    try:
        groups = {group.name: group for group in groups_by_name(names, create=True)}
        for row, password, password_hash in zip(rows, passwords, hashes):
            user = User(username=row.username, display_name=row.display_name, password_hash=password_hash)
            user.set_roles(row.roles)
            user.groups = [groups[name] for name in row.groups]
            db.session.add(user)
            result.accounts.append((row.username, row.display_name, password))
        db.session.commit()
    except IntegrityError:  # another admin created one of these users or groups meanwhile
        db.session.rollback()
        return ImportResult(errors=[RowError(None, _l("The accounts or groups changed while importing. "
                                                      "Nothing was imported; try again."))])
    return result


def _hash_all(passwords: list[str]) -> list[str]:
    if len(passwords) < 2 or HASH_THREADS == 1:
        return [hash_password(password) for password in passwords]
    with ThreadPoolExecutor(max_workers=HASH_THREADS, thread_name_prefix="hash-import") as pool:
        return list(pool.map(hash_password, passwords))


def _missing_groups(names: list[str]) -> list[str]:
    existing = set()
    for chunk in _chunks(names):
        existing.update(db.session.scalars(select(Group.name).where(Group.name.in_(chunk))))
    return [name for name in names if name not in existing]


def _chunks(values: list[str], size: int = 500):
    """Bounded IN lists: databases limit the parameters of one statement."""
    for start in range(0, len(values), size):
        yield values[start:start + size]
