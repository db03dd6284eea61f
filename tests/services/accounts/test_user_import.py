"""CSV import of users: Excel's encodings and quirks, every bad case with its row number, all or nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import Group, User
from examengine.services.accounts import create_user, find_user
from examengine.services.accounts.imports import import_users, parse_users_csv

BOM = "\ufeff"


@pytest.fixture
def ctx(app):
    """A request in English: the error messages are lazy strings rendered in the request's language."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(Group)))


def messages(result) -> list[tuple[int | None, str]]:
    return [(error.row, str(error.message)) for error in result.errors]


def test_excel_file_with_bom_and_chinese_headers_and_names(ctx):
    data = (BOM + "用户名,姓名,分组,角色\r\n"
                  "zhangsan,张三,技术支持部;一线支持组,员工\r\n"
                  "lisi,李四,技术支持部,阅卷人；员工\r\n").encode("utf-8")
    result = import_users(data)
    assert result.ok, messages(result)
    assert [row[:2] for row in result.accounts] == [("zhangsan", "张三"), ("lisi", "李四")]
    assert result.groups_created == ["技术支持部", "一线支持组"]
    zhang = find_user("zhangsan")
    assert zhang.display_name == "张三"
    assert [g.name for g in zhang.groups] == ["一线支持组", "技术支持部"]
    assert zhang.roles == {"employee"}
    assert find_user("lisi").roles == {"reviewer", "employee"}


def test_generated_passwords_are_returned_once_and_work(ctx):
    result = import_users(b"username\nalice\nbob\n")
    assert result.ok
    passwords = {name: password for name, _, password in result.accounts}
    assert len(set(passwords.values())) == 2
    assert find_user("alice").check_password(passwords["alice"])
    assert not find_user("alice").check_password(passwords["bob"])


def test_english_headers_in_any_order_and_optional_columns(ctx):
    data = b"Roles,Username,Display Name\nadmin;Reviewer,carol,Carol C\n,dave,\n"
    result = import_users(data)
    assert result.ok, messages(result)
    assert find_user("carol").roles == {"admin", "reviewer"}
    assert find_user("carol").display_name == "Carol C"
    assert find_user("dave").roles == {"employee"}  # an empty roles cell means employee
    assert find_user("dave").groups == []


@pytest.mark.parametrize("header", ["display_name", "display name", "姓名"])
def test_display_name_header_spellings(ctx, header):
    result = import_users(f"username,{header}\nerin,Erin E\n".encode())
    assert result.ok, messages(result)
    assert find_user("erin").display_name == "Erin E"


@pytest.mark.parametrize("header", ["groups", "组", "分组"])
def test_groups_header_spellings(ctx, header):
    assert import_users(f"username,{header}\nerin,Ops\n".encode()).ok
    assert [g.name for g in find_user("erin").groups] == ["Ops"]


def test_every_group_separator_and_a_quoted_comma(ctx):
    data = 'username,groups\nerin,"A,B;C，D；E; A"\n'.encode()
    result = import_users(data)
    assert result.ok, messages(result)
    assert [g.name for g in find_user("erin").groups] == ["A", "B", "C", "D", "E"]


def test_existing_groups_are_reused(ctx):
    db.session.add(Group(name="Ops"))
    db.session.commit()
    result = import_users(b"username,groups\nerin,Ops;New\n")
    assert result.groups_created == ["New"]
    assert counts()[1] == 2


def test_blank_rows_and_trailing_empty_cells_from_excel_are_ignored(ctx):
    data = b"username,display name,,\r\nerin,Erin,,\r\n,,,\r\n\r\nfrank,Frank,,\r\n"
    result = import_users(data)
    assert result.ok, messages(result)
    assert [row[0] for row in result.accounts] == ["erin", "frank"]


BAD_FILES = [
    ("unknown role", b"username,roles\nok,employee\nbad,boss\n", 3, "Unknown role"),
    ("empty username", b"username,display name\nok,A\n,Nobody\n", 3, "username is empty"),
    ("duplicate username", b"username\nalice\nbob\nALICE\n", 4, "already appears in row 2"),
    ("username with a space", b"username\nok\nal ice\n", 3, "spaces"),
    ("username too long", b"username\nok\n" + b"u" * 81 + b"\n", 3, "longer than 80"),
    ("display name too long", b"username,display name\nok,A\nbad," + "名".encode() * 121 + b"\n", 3,
     "longer than 120"),
    ("group name too long", b"username,groups\nok,G\nbad," + b"g" * 101 + b"\n", 3, "longer than 100"),
    ("too many cells", b"username,roles,groups\nok,,G\nbad,,G1,G2\n", 3, "4 cells but the header has 3"),
    ("too few cells", b"username,roles,groups\nok,,G\nbad,\n", 3, "2 cells but the header has 3"),
    ("not UTF-8 (GBK, as Excel's plain CSV)", "username,display name\nok,A\nbad,张三\n".encode("gbk"), 3,
     "not UTF-8"),
    ("no header", b"alice,Alice\nbob,Bob\n", 1, "must be the header"),
    ("unknown column", b"username,email\nalice,a@example.com\n", 1, "Unknown column"),
    ("repeated column", "username,组,分组\nalice,A,B\n".encode(), 1, "more than once"),
    ("no username column", b"display name,roles\nAlice,admin\n", 1, "no username column"),
]


@pytest.mark.parametrize("data, row, fragment", [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_a_bad_row_is_reported_with_its_row_number_and_nothing_is_stored(ctx, data, row, fragment):
    before = counts()
    result = import_users(data)
    assert not result.ok
    assert any(r == row and fragment in message for r, message in messages(result)), messages(result)
    assert result.accounts == []
    assert counts() == before


def test_a_username_that_already_exists_fails_the_whole_file(ctx):
    create_user("Alice", password="long-enough-1")
    before = counts()
    result = import_users(b"username,groups\nbob,New\nalice,New\n")
    assert messages(result) == [(3, "The username alice already exists.")]
    assert counts() == before


@pytest.mark.parametrize("data", [b"", BOM.encode(), b"\r\n\r\n"], ids=["empty", "bom only", "blank lines"])
def test_an_empty_file_is_refused(ctx, data):
    result = import_users(data)
    expected = ("The file is empty. The first row must be the header: username, display name, groups, roles "
                "(用户名, 姓名, 分组, 角色).")
    assert [message for _, message in messages(result)] == [expected]


def test_a_header_without_rows_is_refused(ctx):
    result = import_users(b"username,display name\n,\n")
    assert messages(result) == [(None, "The file has no users below the header.")]


def test_an_excel_workbook_gets_a_hint(ctx):
    result = import_users(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5U\x8f\xa5")
    assert "Excel workbook" in messages(result)[0][1]


def test_more_rows_than_allowed(ctx):
    data = b"username\n" + b"".join(b"user%d\n" % n for n in range(6))
    result = import_users(data, max_rows=5)
    assert messages(result) == [(7, "The file has more than 5 users; split it into several files.")]
    assert counts() == (0, 0)
    assert import_users(data, max_rows=6).ok


def test_every_bad_row_is_reported_not_only_the_first(ctx):
    data = "username,roles\n,employee\nbob,boss\nbob,\ncarol,员工\n".encode()
    rows = [row for row, _ in messages(import_users(data))]
    assert rows == [2, 3]  # row 4 is fine on its own: the bad row 3 did not claim "bob"


def test_a_cell_over_the_csv_limit_is_an_error_not_a_crash(ctx):
    result = import_users(b'username,display name\n"' + b"x" * 200_000 + b'",A\n')
    assert not result.ok


def test_parse_reports_the_row_of_the_first_undecodable_byte(app):
    data = b"username\n" + b"a\n" * 5 + b"\xff\n"
    _, errors = parse_users_csv(data)
    assert [error.row for error in errors] == [7]


def test_generated_passwords_never_start_with_a_dash_excel_would_read_as_a_formula():
    from examengine.services.accounts import generate_password

    passwords = [generate_password() for _ in range(2000)]
    assert all(p[0].isalnum() and len(p) == 12 for p in passwords)
