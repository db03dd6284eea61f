"""Admin pages for users and groups: search, create, edit, deactivate, password reset, groups, CSV import."""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import Group, User
from examengine.services.accounts import find_user, groups_by_name, new_user
from tests.conftest import PASSWORD, Auth


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def other_client(app):
    """A second browser, e.g. the user whose account the admin changes."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def user(app, username) -> User:
    with app.app_context():
        found = find_user(username)
        db.session.expunge_all()
        return found


def add_users(app, count, **fields):
    """Many users fast: without a password, so no slow hashing."""
    with app.app_context():
        for n in range(count):
            new_user(f"user{n:03d}", **fields)
        db.session.commit()


def add_group(app, name) -> int:
    with app.app_context():
        group = groups_by_name([name], create=True)[0]
        db.session.commit()
        return group.id


def user_id(app, username) -> int:
    return user(app, username).id


def listed(response) -> list[str]:
    return re.findall(r'data-testid="username">([^<]+)</a>', response.text)


# --- list and search ---

def test_list_search_and_filters(app, admin_client, make_user):
    ops = add_group(app, "运维组")
    make_user("zhangsan", display_name="张三", groups=[])
    make_user("lisi", roles=("reviewer", "employee"), display_name="李四")
    with app.app_context():
        find_user("zhangsan").groups = [db.session.get(Group, ops)]
        find_user("lisi").active = False
        db.session.commit()
    assert listed(admin_client.get("/admin/users")) == ["admin", "lisi", "zhangsan"]
    assert listed(admin_client.get("/admin/users?q=张")) == ["zhangsan"]
    assert listed(admin_client.get("/admin/users?q=LIS")) == ["lisi"]
    assert listed(admin_client.get("/admin/users?role=reviewer")) == ["lisi"]
    assert listed(admin_client.get(f"/admin/users?group={ops}")) == ["zhangsan"]
    assert listed(admin_client.get("/admin/users?status=inactive")) == ["lisi"]
    assert listed(admin_client.get("/admin/users?status=active&q=%")) == []  # % is literal, not a wildcard


def test_paging(app, admin_client):
    add_users(app, 30)
    first = listed(admin_client.get("/admin/users"))
    second = listed(admin_client.get("/admin/users?page=2"))
    assert len(first) == 25 and len(second) == 6
    assert not set(first) & set(second)


@pytest.mark.parametrize("query", ["page=abc", "page=-3", "page=99999999999999999999", "group=abc",
                                   "group=99999999999999999999", "role=boss", "status=x", "q=" + "x" * 500])
def test_bad_filter_values_are_ignored(admin_client, query):
    assert admin_client.get("/admin/users?" + query).status_code == 200


# --- create ---

def test_create_with_a_generated_password_shown_once(app, admin_client):
    group = add_group(app, "一线支持组")
    response = admin_client.post("/admin/users/new", data={
        "username": "wangwu", "display_name": "王五", "roles": ["employee", "reviewer"],
        "groups": [str(group)]})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = re.search(r'data-testid="new-password">([^<]+)<', response.text).group(1)
    created = user(app, "wangwu")
    assert created.display_name == "王五" and created.roles == {"employee", "reviewer"}
    assert [g.name for g in created.groups] == ["一线支持组"]
    assert Auth(other_client(app)).login("wangwu", password).status_code == 302


def test_error_messages_escape_what_the_user_typed(admin_client, make_user):
    make_user("<i>x</i>")
    response = admin_client.post("/admin/users/new", data={"username": "<i>x</i>", "roles": ["employee"]})
    assert "The username &lt;i&gt;x&lt;/i&gt; is taken." in response.text
    response = admin_client.post("/admin/groups", data={"name": "<b>" + "g" * 100})
    assert "<b>ggg" not in response.text


def test_create_with_a_typed_password(app, admin_client):
    response = admin_client.post("/admin/users/new", data={
        "username": "wangwu", "roles": ["employee"], "password": "typed-pass-1", "confirm": "typed-pass-1"})
    assert response.status_code == 302
    assert user(app, "wangwu").check_password("typed-pass-1")


@pytest.mark.parametrize("form, message", [
    ({"username": "ADMIN"}, "The username ADMIN is taken."),
    ({"username": "wang wu"}, "may not contain spaces"),
    ({"username": ""}, "The username is empty."),
    ({"username": "u" * 81}, "longer than 80"),
    ({"display_name": "名" * 121}, "longer than 120"),
    ({"roles": []}, "Choose at least one role."),
    ({"roles": ["boss"]}, "is not a valid choice"),
    ({"groups": ["999"]}, "is not a valid choice"),
    ({"groups": ["x"]}, "Invalid choice"),
    ({"password": "short", "confirm": "short"}, "must have 8 to 200 characters"),
    ({"password": "long-enough-1", "confirm": "other-value-2"}, "The passwords do not match."),
])
def test_create_rejects_bad_input_with_a_message(app, admin_client, form, message):
    data = {"username": "wangwu", "roles": ["employee"], **form}
    response = admin_client.post("/admin/users/new", data=data)
    assert response.status_code == 200
    assert message in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


# --- edit, deactivate ---

def test_edit_display_name_roles_groups(app, admin_client, make_user):
    uid = make_user("lisi")
    group = add_group(app, "Ops")
    page = admin_client.get(f"/admin/users/{uid}")
    assert page.status_code == 200 and "lisi" in page.text
    response = admin_client.post(f"/admin/users/{uid}", data={
        "display_name": "李四", "roles": ["reviewer"], "groups": [str(group)], "active": "y"})
    assert response.status_code == 302
    changed = user(app, "lisi")
    assert (changed.display_name, changed.roles) == ("李四", {"reviewer"})
    assert [g.name for g in changed.groups] == ["Ops"]


def test_deactivated_user_cannot_log_in_and_their_session_ends(app, admin_client, make_user):
    uid = make_user("lisi")
    theirs = other_client(app)
    Auth(theirs).login("lisi")
    assert theirs.get("/").status_code == 200
    response = admin_client.post(f"/admin/users/{uid}/deactivate", follow_redirects=True)
    assert "Deactivated lisi" in response.text
    assert theirs.get("/").status_code == 302  # the open session ended
    refused = Auth(theirs).login("lisi")
    assert refused.status_code == 200 and "deactivated" in refused.text
    assert user(app, "lisi") is not None  # the data stays
    admin_client.post(f"/admin/users/{uid}/reactivate")
    assert Auth(theirs).login("lisi").status_code == 302


def test_deactivating_through_the_edit_form_also_ends_sessions(app, admin_client, make_user):
    uid = make_user("lisi")
    theirs = other_client(app)
    Auth(theirs).login("lisi")
    admin_client.post(f"/admin/users/{uid}", data={"roles": ["employee"]})  # "active" unchecked
    assert not user(app, "lisi").active
    assert theirs.get("/").status_code == 302


def test_admin_cannot_deactivate_themself(app, admin_client):
    uid = user_id(app, "admin")
    response = admin_client.post(f"/admin/users/{uid}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.text
    response = admin_client.post(f"/admin/users/{uid}", data={"roles": ["admin"]})
    assert "You cannot deactivate your own account." in response.text
    assert user(app, "admin").active
    assert admin_client.get("/admin/users").status_code == 200


def test_admin_cannot_remove_their_own_admin_role(app, admin_client):
    uid = user_id(app, "admin")
    response = admin_client.post(f"/admin/users/{uid}", data={"roles": ["employee"], "active": "y"})
    assert "You cannot remove your own administrator role." in response.text
    assert user(app, "admin").roles == {"admin"}


def test_another_admin_can_be_demoted(app, admin_client, make_user):
    uid = make_user("second", roles=("admin",))
    admin_client.post(f"/admin/users/{uid}", data={"roles": ["employee"], "active": "y"})
    assert user(app, "second").roles == {"employee"}


@pytest.mark.parametrize("url", ["/admin/users/999", "/admin/users/99999999999999999999",
                                 "/admin/users/999/password", "/admin/groups/99999999999999999999/delete"])
def test_missing_ids_are_404(admin_client, url):
    method = admin_client.post if url.endswith("delete") else admin_client.get
    assert method(url).status_code == 404


# --- password reset ---

def test_reset_to_a_generated_password_ends_sessions(app, admin_client, make_user):
    uid = make_user("lisi")
    theirs = other_client(app)
    Auth(theirs).login("lisi")
    response = admin_client.post(f"/admin/users/{uid}/password", data={})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = re.search(r'data-testid="new-password">([^<]+)<', response.text).group(1)
    assert theirs.get("/").status_code == 302
    assert Auth(theirs).login("lisi", PASSWORD).status_code == 200  # the old password fails
    assert Auth(theirs).login("lisi", password).status_code == 302


def test_reset_to_a_typed_password(app, admin_client, make_user):
    uid = make_user("lisi")
    response = admin_client.post(f"/admin/users/{uid}/password",
                                 data={"password": "brand-new-99", "confirm": "brand-new-99"})
    assert response.status_code == 302
    assert user(app, "lisi").check_password("brand-new-99")


def test_reset_rejects_a_short_or_mismatched_password(app, admin_client, make_user):
    uid = make_user("lisi")
    short = admin_client.post(f"/admin/users/{uid}/password", data={"password": "short", "confirm": "short"})
    assert "must have 8 to 200 characters" in short.text
    mismatch = admin_client.post(f"/admin/users/{uid}/password",
                                 data={"password": "abcdefgh1", "confirm": "x"})
    assert "The passwords do not match." in mismatch.text
    assert user(app, "lisi").check_password(PASSWORD)


def test_admin_resetting_their_own_password_stays_logged_in(app, admin_client):
    uid = user_id(app, "admin")
    typed = {"password": "my-new-pass-1", "confirm": "my-new-pass-1"}
    admin_client.post(f"/admin/users/{uid}/password", data=typed)
    assert admin_client.get("/admin/users").status_code == 200
    assert user(app, "admin").check_password("my-new-pass-1")


# --- groups ---

def test_groups_list_create_rename_delete(app, admin_client, make_user):
    assert admin_client.post("/admin/groups", data={"name": "技术支持部"}).status_code == 302
    gid = add_group(app, "技术支持部")
    uid = make_user("lisi")
    member = {"roles": ["employee"], "groups": [str(gid)], "active": "y"}
    admin_client.post(f"/admin/users/{uid}", data=member)
    page = admin_client.get("/admin/groups")
    assert "技术支持部" in page.text and re.search(r'data-testid="member-count">1<', page.text)
    admin_client.post(f"/admin/groups/{gid}/rename", data={"name": "二线支持组"})
    assert [g.name for g in user(app, "lisi").groups] == ["二线支持组"]
    refused = admin_client.post(f"/admin/groups/{gid}/delete", follow_redirects=True)
    assert "still has 1 member;" in refused.text
    admin_client.post(f"/admin/users/{uid}", data={"roles": ["employee"], "active": "y"})
    admin_client.post(f"/admin/groups/{gid}/delete")
    with app.app_context():
        assert db.session.get(Group, gid) is None


@pytest.mark.parametrize("name, message", [
    ("", "The group name is empty."), ("Ops", "A group named Ops already exists."),
    ("A;B", "may not contain"), ("g" * 101, "longer than 100"),
])
def test_bad_group_names(app, admin_client, name, message):
    add_group(app, "Ops")
    assert message in admin_client.post("/admin/groups", data={"name": name}).text
    other = add_group(app, "Dev")
    renamed = admin_client.post(f"/admin/groups/{other}/rename", data={"name": name}, follow_redirects=True)
    assert message in renamed.text
    with app.app_context():
        assert sorted(db.session.scalars(select(Group.name))) == ["Dev", "Ops"]


# --- CSV import ---

def upload(client, data: bytes, filename="users.csv"):
    return client.post("/admin/users/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_import_page_shows_passwords_once_with_a_download(app, admin_client):
    data = "\ufeff用户名,姓名,分组,角色\r\nzhangsan,张三,技术支持部,员工\r\n".encode()
    response = upload(admin_client, data)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "Imported 1 user" in response.text and "张三" in response.text
    link = re.search(r'href="data:text/csv;charset=utf-8,([^"]+)"', response.text).group(1)
    rows = unquote(link).lstrip("\ufeff").splitlines()
    username, password = rows[1].split(",")
    assert rows[0] == "username,password" and username == "zhangsan"
    assert Auth(other_client(app)).login("zhangsan", password).status_code == 302


def test_the_passwords_csv_neutralizes_formula_like_usernames(app, admin_client):
    names = ['=HYPERLINK("https://evil.example","x")', "+1", "-2", "@SUM(A1)", "plain"]
    out = io.StringIO()
    csv.writer(out).writerows([("username", "display name"), *((name, "=" + name) for name in names)])
    response = upload(admin_client, out.getvalue().encode())
    assert response.status_code == 200 and "Imported 5 users" in response.text
    link = re.search(r'href="data:text/csv;charset=utf-8,([^"]+)"', response.text).group(1)
    rows = list(csv.reader(io.StringIO(unquote(link).lstrip("\ufeff"))))
    assert [row[0] for row in rows] == ["username", *("'" + name for name in names[:4]), "plain"]
    # Only the file is changed: the accounts keep their names, and the passwords log them in.
    for name, (_, password) in zip(names, rows[1:], strict=True):
        assert Auth(other_client(app)).login(name, password).status_code == 302


def test_import_errors_are_listed_with_row_numbers_and_nothing_is_stored(app, admin_client):
    response = upload(admin_client, "username,roles\nok,employee\nbad,老板\n,\nok,\n".encode())
    assert response.status_code == 200
    assert "Nothing was imported" in response.text
    assert "Row 3: Unknown role “老板”" in response.text
    assert "Row 5: The username ok already appears in row 2." in response.text
    assert user(app, "ok") is None


def test_import_errors_escape_the_files_text(admin_client):
    response = upload(admin_client, b"username,roles\nx,<script>alert(1)</script>\n")
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)" in response.text


def test_import_without_a_file(admin_client):
    response = admin_client.post("/admin/users/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 200 and "Choose a CSV file." in response.text


def test_import_row_limit_is_configurable(app_factory):
    app = app_factory(EXAMENGINE_USER_IMPORT_MAX_ROWS=2)
    client = other_client(app)
    with app.app_context():
        new_user("root", roles=("admin",), password=PASSWORD)
        db.session.commit()
    Auth(client).login("root")
    response = upload(client, b"username\na\nb\nc\n")
    assert "Row 4: The file has more than 2 users" in response.text


def test_the_sample_file_imports(admin_client):
    sample = admin_client.get("/admin/users/import/sample.csv")
    assert sample.status_code == 200 and sample.mimetype == "text/csv"
    assert sample.data.startswith("\ufeff".encode())
    assert "Imported 3 users" in upload(admin_client, sample.data).text
