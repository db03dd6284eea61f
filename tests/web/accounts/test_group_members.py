"""The group page: members (paginated), a search for non-members, adding one or several, removing one."""
from __future__ import annotations

import re

from sqlalchemy import select

from examengine.extensions import db
from examengine.models import Group, User
from tests.conftest import PASSWORD, Auth, csrf_token_from


def make_group(app, name="运维部", members=()) -> int:
    with app.app_context():
        group = Group(name=name, users=list(db.session.scalars(select(User).where(User.username.in_(members)))))
        db.session.add(group)
        db.session.commit()
        return group.id


def member_names(app, group_id: int) -> list[str]:
    with app.app_context():
        return sorted(user.username for user in db.session.get(Group, group_id).users)


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def candidates(page_text: str) -> list[str]:
    return re.findall(r'<label for="pick-\d+">([^<]+)</label>', page_text)


def test_the_group_page_lists_members_and_links_from_the_groups_list(app, admin_client, make_user):
    make_user("alice", display_name="Alice Wang")
    make_user("bob")
    group_id = make_group(app, members=["alice"])
    listing = admin_client.get("/admin/groups")
    assert f'href="/admin/groups/{group_id}"' in listing.text
    page = admin_client.get(f"/admin/groups/{group_id}")
    assert page.status_code == 200
    assert page.text.count('data-testid="member"') == 1 and "Alice Wang" in page.text
    assert 'data-testid="search-results"' not in page.text  # no search, no list of everybody


def test_search_finds_non_members_by_username_or_chinese_name(app, admin_client, make_user):
    make_user("zhang.san", display_name="张三")
    make_user("zhang.wei", display_name="张伟")
    make_user("li.si", display_name="李四")
    group_id = make_group(app, members=["zhang.wei"])
    page = admin_client.get(f"/admin/groups/{group_id}", query_string={"q": "张"})
    assert candidates(page.text) == ["zhang.san"]  # the member is not offered again
    assert candidates(admin_client.get(f"/admin/groups/{group_id}?q=LI.S").text) == ["li.si"]
    empty = admin_client.get(f"/admin/groups/{group_id}?q=王五")
    assert 'data-testid="no-candidates"' in empty.text


def test_like_wildcards_in_the_search_are_literal(app, admin_client, make_user):
    make_user("a_b")
    make_user("axb")
    make_user("p%q")
    make_user("pzzq")
    group_id = make_group(app)
    assert candidates(admin_client.get(f"/admin/groups/{group_id}", query_string={"q": "a_b"}).text) == ["a_b"]
    assert candidates(admin_client.get(f"/admin/groups/{group_id}", query_string={"q": "p%q"}).text) == ["p%q"]


def test_one_add_button_adds_that_user_only(app, admin_client, make_user):
    make_user("alice")
    make_user("bob")
    group_id = make_group(app)
    response = admin_client.post(f"/admin/groups/{group_id}/members", data={
        "one": str(user_id(app, "bob")), "user_ids": [str(user_id(app, "alice"))], "q": "o"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/groups/{group_id}?q=o")
    assert member_names(app, group_id) == ["bob"]
    assert "Added 1 member to 运维部: bob." in admin_client.get(response.headers["Location"]).text


def test_bulk_add_adds_the_chosen_users_and_skips_members_and_unknown_ids(app, admin_client, make_user):
    for name in ("alice", "bob", "carol"):
        make_user(name)
    group_id = make_group(app, members=["carol"])
    ids = [str(user_id(app, name)) for name in ("alice", "bob", "carol")] + ["999999", "x", "-1"]
    response = admin_client.post(f"/admin/groups/{group_id}/members", data={"user_ids": ids},
                                 follow_redirects=True)
    assert "Added 2 members to 运维部: alice, bob." in response.text
    assert member_names(app, group_id) == ["alice", "bob", "carol"]
    again = admin_client.post(f"/admin/groups/{group_id}/members", data={"user_ids": ids[:1]},
                              follow_redirects=True)
    assert "Nobody was added" in again.text


def test_remove_takes_one_member_out(app, admin_client, make_user):
    make_user("alice")
    make_user("bob")
    group_id = make_group(app, members=["alice", "bob"])
    alice = user_id(app, "alice")
    response = admin_client.post(f"/admin/groups/{group_id}/members/{alice}/remove", follow_redirects=True)
    assert "Removed alice from 运维部." in response.text
    assert member_names(app, group_id) == ["bob"]
    again = admin_client.post(f"/admin/groups/{group_id}/members/{alice}/remove", follow_redirects=True)
    assert "alice is not a member of 运维部." in again.text
    assert admin_client.post(f"/admin/groups/{group_id}/members/999999/remove").status_code == 404


def test_many_members_are_paginated(app, admin_client, make_user):
    names = [f"user{i:02d}" for i in range(30)]
    for name in names:
        make_user(name)
    group_id = make_group(app, members=names)
    first = admin_client.get(f"/admin/groups/{group_id}")
    assert first.text.count('data-testid="member"') == 25 and f'href="/admin/groups/{group_id}?page=2"' in first.text
    second = admin_client.get(f"/admin/groups/{group_id}?page=2")
    assert second.text.count('data-testid="member"') == 5 and "user29" in second.text


def test_only_admins_reach_the_group_page(app, client, make_user):
    make_user("worker")
    make_user("checker", roles=("reviewer",))
    group_id = make_group(app)
    for name in ("worker", "checker"):
        auth = Auth(client)
        auth.login(name)
        assert client.get(f"/admin/groups/{group_id}").status_code == 403
        worker = user_id(app, "worker")
        assert client.post(f"/admin/groups/{group_id}/members", data={"user_ids": [str(worker)]}).status_code == 403
        assert client.post(f"/admin/groups/{group_id}/members/{worker}/remove").status_code == 403
        auth.logout()
    assert member_names(app, group_id) == []


def test_membership_changes_need_the_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with app.app_context():
        from examengine.services.accounts import create_user
        create_user("root", password=PASSWORD, roles=("admin",))
        create_user("alice", password=PASSWORD, display_name="爱丽丝")
    group_id = make_group(app, members=["alice"])
    alice = user_id(app, "alice")
    token = csrf_token_from(client.get("/login").text)
    Auth(client).login("root", csrf_token=token)
    assert client.post(f"/admin/groups/{group_id}/members/{alice}/remove").status_code == 400
    page = client.get(f"/admin/groups/{group_id}")
    token = csrf_token_from(page.text)
    assert client.post(f"/admin/groups/{group_id}/members/{alice}/remove",
                       data={"csrf_token": token}).status_code == 302
    assert client.post(f"/admin/groups/{group_id}/members", data={"user_ids": [str(alice)]}).status_code == 400
    assert member_names(app, group_id) == []
    search = client.get(f"/admin/groups/{group_id}?q=爱丽")
    token = csrf_token_from(search.text)
    assert client.post(f"/admin/groups/{group_id}/members",
                       data={"user_ids": [str(alice)], "csrf_token": token}).status_code == 302
    assert member_names(app, group_id) == ["alice"]
