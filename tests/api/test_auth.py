"""Logging in, tokens, registration, rate limits and cookie-session access to the API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers.api import PASSWORD, error_of

pytestmark = pytest.mark.core

LOGIN = "/api/v1/auth/login"


def _login(client, email, password=PASSWORD, address="127.0.0.1"):
    return client.post(LOGIN, json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_login_returns_tokens_and_user(client, factory):
    user = factory.user("manager", email="boss@example.com")
    response = _login(client, "boss@example.com")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["user"]["id"] == user.id and body["user"]["role"] == "manager" and "password" not in body["user"]
    me = client.get("/api/v1/auth/me", headers=_bearer(body["access_token"]))
    assert me.status_code == 200 and me.get_json()["email"] == "boss@example.com"


def test_login_email_is_case_insensitive(client, factory):
    factory.user("staff", email="casey@example.com")
    assert _login(client, "  Casey@EXAMPLE.com ").status_code == 200


@pytest.mark.parametrize(
    ("email", "password"), [("pat@example.com", "wrong-password"), ("nobody@example.com", PASSWORD)]
)
def test_login_with_wrong_credentials_is_401_with_clear_message(client, factory, email, password):
    factory.user("staff", email="pat@example.com")
    response = _login(client, email, password)
    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "unauthorized" and error["message"] == "Wrong email or password."


def test_login_of_inactive_user_is_401_saying_deactivated(client, factory):
    factory.user("staff", email="gone@example.com", active=False)
    response = _login(client, "gone@example.com")
    assert response.status_code == 401 and "deactivated" in error_of(response)["message"]


def test_refresh_token_gives_a_working_access_token(client, factory):
    factory.user("staff", email="r@example.com")
    tokens = _login(client, "r@example.com").get_json()
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"access_token", "token_type", "expires_in"} and body["token_type"] == "bearer"
    assert client.get("/api/v1/auth/me", headers=_bearer(body["access_token"])).status_code == 200


def test_refresh_with_an_access_token_or_garbage_is_401(client, factory):
    factory.user("staff", email="r@example.com")
    tokens = _login(client, "r@example.com").get_json()
    for token in (tokens["access_token"], "not.a.token"):
        response = client.post("/api/v1/auth/refresh", json={"refresh_token": token})
        assert response.status_code == 401 and error_of(response)["code"] == "unauthorized"


def test_refresh_token_is_not_accepted_as_access_token(client, factory):
    factory.user("staff", email="r@example.com")
    tokens = _login(client, "r@example.com").get_json()
    assert client.get("/api/v1/auth/me", headers=_bearer(tokens["refresh_token"])).status_code == 401


def test_expired_access_token_is_401_saying_expired(app, client, factory):
    from flask_jwt_extended import create_access_token

    user = factory.user("staff")
    with app.app_context():
        token = create_access_token(identity=str(user.id), expires_delta=timedelta(seconds=-1))
    response = client.get("/api/v1/items", headers=_bearer(token))
    assert response.status_code == 401 and "expired" in error_of(response)["message"]


def test_access_token_already_used_is_refused_once_it_expires(app, client, factory):
    import time

    from flask_jwt_extended import create_access_token

    user = factory.user("staff")
    with app.app_context():
        token = create_access_token(identity=str(user.id), expires_delta=timedelta(seconds=2))
    assert client.get("/api/v1/items", headers=_bearer(token)).status_code == 200  # now remembered as verified
    time.sleep(2.1)
    response = client.get("/api/v1/items", headers=_bearer(token))
    assert response.status_code == 401 and "expired" in error_of(response)["message"]


@pytest.mark.parametrize("header", ["Bearer garbage", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"])
def test_malformed_authorization_header_is_401(client, header):
    response = client.get("/api/v1/items", headers={"Authorization": header})
    assert response.status_code == 401 and error_of(response)["code"] == "unauthorized"


def test_token_signed_with_another_secret_is_401(client, factory):
    import jwt

    user = factory.user("admin")
    forged = jwt.encode(
        {"sub": str(user.id), "type": "access", "fresh": False},
        "a-guessed-secret-that-is-long-enough-for-hs256",
        algorithm="HS256",
    )
    assert client.get("/api/v1/users", headers=_bearer(forged)).status_code == 401


def test_deactivated_users_token_is_refused(api, factory):
    person = factory.user("staff")
    token = factory.token(person)
    assert api.client.get("/api/v1/items", headers=_bearer(token)).status_code == 200
    api.patch(f"/api/v1/users/{person.id}", {"is_active": False})
    response = api.client.get("/api/v1/items", headers=_bearer(token))
    assert response.status_code == 401 and "deactivated" in error_of(response)["message"]


def test_role_change_applies_to_existing_token(api, factory):
    person = factory.user("manager")
    token = factory.token(person)
    api.patch(f"/api/v1/users/{person.id}", {"role": "staff"}, role="admin")
    assert api.client.get("/api/v1/users", headers=_bearer(token)).status_code == 403


@pytest.mark.parametrize(
    ("actor", "role", "status"),
    [("manager", "staff", 201), ("manager", "manager", 201), ("manager", "admin", 403), ("admin", "admin", 201)],
)
def test_register_roles_a_caller_may_grant(api, actor, role, status):
    body = {"email": f"new-{role}@example.com", "password": PASSWORD, "full_name": "New Person", "role": role}
    response = api.post("/api/v1/auth/register", body, role=actor)
    assert response.status_code == status, response.get_json()
    if status == 201:
        assert response.get_json()["role"] == role
    else:
        assert error_of(response)["code"] == "forbidden"
        assert _login(api.client, body["email"]).status_code == 401


def test_register_duplicate_email_is_409(api, factory):
    factory.user("staff", email="dup@example.com")
    body = {"email": "DUP@example.com", "password": PASSWORD, "full_name": "Again"}
    response = api.post("/api/v1/auth/register", body)
    assert response.status_code == 409 and error_of(response)["code"] == "duplicate"


def _session_login(app, client, user):
    from flask import session
    from flask_wtf.csrf import generate_csrf

    with app.test_request_context():
        token = generate_csrf()
        raw = session["csrf_token"]
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
        sess["_fresh"] = True
        sess["csrf_token"] = raw
    return token


def test_cookie_session_can_read_the_api(app, client, factory):
    user = factory.user("staff")
    _session_login(app, client, user)
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 200 and response.get_json()["id"] == user.id


def test_cookie_session_write_without_csrf_token_is_refused(app, client, factory):
    user = factory.user("staff")
    item = factory.item(quantity=5)
    _session_login(app, client, user)
    response = client.post(f"/api/v1/items/{item.id}/withdraw", json={"quantity": 1})
    assert response.status_code in (400, 403)
    assert "csrf" in error_of(response)["message"].lower()
    assert client.get(f"/api/v1/items/{item.id}").get_json()["quantity"] == 5


def test_cookie_session_write_with_csrf_token_works(app, client, factory):
    user = factory.user("staff")
    item = factory.item(quantity=5)
    token = _session_login(app, client, user)
    response = client.post(f"/api/v1/items/{item.id}/withdraw", json={"quantity": 1}, headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["quantity"] == 4


def test_cookie_session_of_deactivated_user_is_401(app, client, factory):
    user = factory.user("staff", active=False)
    _session_login(app, client, user)
    assert client.get("/api/v1/items").status_code == 401
