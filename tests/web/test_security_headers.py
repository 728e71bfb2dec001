"""Security headers on pages, the API, the docs, static files and error answers."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.core

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
CSP_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)


def assert_security_headers(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    for directive in CSP_DIRECTIVES:
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


@pytest.mark.parametrize(
    "path",
    [
        "/login",
        "/dashboard",
        "/api/v1/items",
        "/api/v1/openapi.json",
        "/docs",
        "/static/css/app.css",
        "/nowhere",
        "/health",
    ],
)
def test_every_kind_of_answer_carries_the_security_headers(client, path):
    assert_security_headers(client.get(path))


def test_logged_in_page_and_api_answers_carry_the_security_headers(client, factory):
    from tests.helpers.pages import PageClient

    pages = PageClient(client)
    pages.login(factory.user("manager"))
    response = client.get("/items")
    assert response.status_code == 200
    assert_security_headers(response)
    assert_security_headers(client.get("/api/v1/items", headers=factory.headers("manager")))


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/login", base_url="https://localhost").headers


@pytest.fixture()
def production_client(monkeypatch, app):
    from app import create_app
    from app.config import ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret-for-the-test")
    monkeypatch.setenv("JWT_SECRET", "another-long-random-production-secret-for-it")
    settings = ProductionConfig()
    settings.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
    settings.RATELIMIT_STORAGE_URI = "memory://"
    settings.DEFAULT_ADMIN_EMAIL = None
    settings.REDIS_URL = None
    return create_app(settings).test_client()


def test_production_over_https_adds_hsts(production_client, client):
    response = production_client.get("/login", base_url="https://inventory.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert_security_headers(response)
    # Plain HTTP (a probe inside the cluster) is answered, not redirected, and carries no HSTS.
    plain = production_client.get("/health/live", base_url="http://10.0.0.5:8000")
    assert plain.status_code == 200 and "Strict-Transport-Security" not in plain.headers
    # Building a production app changed nothing for the other apps in the process.
    assert "Strict-Transport-Security" not in client.get("/login", base_url="https://localhost").headers
