def test_login_page(client):
    r = client.get("/login")
    assert r.status_code == 200


def test_admin_login(admin_client):
    r = admin_client.get("/admin/users")
    assert r.status_code == 200
