from tests.helpers.pages import csrf_from


def test_login_form_has_labelled_fields(client):
    page = client.get("/login")
    assert page.status_code == 200
    for field in ("email", "password", "remember"):
        assert f'<label for="{field}"' in page.text


def test_login_with_right_password_opens_dashboard(pages, factory):
    user = factory.user("staff")
    response = pages.login(user)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
    page = pages.get("/dashboard")
    assert page.status_code == 200
    assert user.full_name in page.text and "staff" in page.text


def test_login_with_wrong_password_shows_clear_message(pages, factory):
    user = factory.user("staff")
    response = pages.login(user, password="not-the-password")
    assert response.status_code == 401
    assert "Wrong email or password." in response.text
    assert pages.get("/dashboard").status_code == 302


def test_login_refused_for_deactivated_user(pages, factory):
    user = factory.user("staff", active=False)
    response = pages.login(user)
    assert "deactivated" in response.text
    assert pages.get("/dashboard").status_code == 302


def test_remember_me_sets_a_remember_cookie(client, factory):
    user = factory.user("staff")
    token = csrf_from(client.get("/login").text)
    client.post("/login", data={"email": user.email, "password": "password123", "remember": "y", "csrf_token": token})
    assert client.get_cookie("remember_token") is not None


def test_login_without_csrf_token_is_refused(client, factory):
    user = factory.user("staff")
    response = client.post("/login", data={"email": user.email, "password": "password123"})
    assert response.status_code == 400
    assert client.get("/dashboard").status_code == 302


def test_page_without_login_redirects_to_login_with_next(client):
    response = client.get("/items?q=bolt")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
    assert "items" in response.headers["Location"]


def test_login_follows_local_next_but_not_external(client, factory):
    user = factory.user("staff")
    for target, expected in (
        ("/items?q=x", "/items?q=x"),
        ("https://evil.example/", "/dashboard"),
        ("//evil.example", "/dashboard"),
    ):
        token = csrf_from(client.get("/login").text)
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"email": user.email, "password": "password123", "csrf_token": token},
        )
        assert response.headers["Location"] == expected
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/dashboard").text)})


def test_too_many_login_attempts_show_friendly_message(app, client, factory):
    user = factory.user("staff")
    token = csrf_from(client.get("/login").text)
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit):
        client.post("/login", data={"email": user.email, "password": "wrong-password", "csrf_token": token})
    response = client.post("/login", data={"email": user.email, "password": "password123", "csrf_token": token})
    assert response.status_code == 429
    assert "Too many login attempts" in response.text
    assert '<form method="post"' in response.text


def test_logout_is_a_post_and_ends_the_session(pages, factory):
    pages.login(factory.user("staff"))
    assert pages.get("/logout").status_code == 405
    response = pages.post("/logout")
    assert response.status_code == 302
    assert pages.get("/dashboard").status_code == 302


def test_htmx_request_without_session_asks_for_full_redirect(client):
    response = client.get(
        "/dashboard/figures", headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/dashboard"}
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/login?next=")
