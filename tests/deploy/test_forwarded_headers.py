"""The production web process (the Procfile's command) and headers a client controls (issue 35,
finding 8): with TRUSTED_PROXY_HOPS=0 no X-Forwarded-Proto from anywhere, loopback included,
turns on HSTS or the HTTPS-only strict-Referer CSRF check; and the answers to a request line or a
header too large carry the security headers like every other answer."""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import shlex
from pathlib import Path

import pytest

from tests.helpers.http import free_port, serving

REPO = Path(__file__).resolve().parents[2]
ADMIN = ("root@example.com", "root-password-1")
HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture()
def web(app, database_url, tmp_path):
    """start(hops) -> the address of the Procfile's web process in production mode."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the production web process runs on PostgreSQL")
    line = next(x for x in (REPO / "Procfile").read_text().splitlines() if x.startswith("web:"))
    with contextlib.ExitStack() as running:

        def start(hops: int) -> tuple[str, int]:
            port = free_port()
            env = {
                k: v
                for k, v in os.environ.items()
                if k not in {"REDIS_URL", "TEST_DATABASE_URL", "FORWARDED_ALLOW_IPS"}
            }
            env.update(
                APP_ENV="production",
                SECRET_KEY=secrets.token_urlsafe(48),
                JWT_SECRET=secrets.token_urlsafe(48),
                DATABASE_URL=database_url,
                DEFAULT_ADMIN_EMAIL=ADMIN[0],
                DEFAULT_ADMIN_PASSWORD=ADMIN[1],
                HOST="127.0.0.1",
                PORT=str(port),
                WEB_CONCURRENCY="1",
                WEB_THREADS="4",
                WEB_ACCESS_LOG="0",
                TRUSTED_PROXY_HOPS=str(hops),
                CELERY_BROKER_DIR=str(tmp_path),
                BACKUP_DIR=str(tmp_path),
                PATH=f"{REPO / '.venv' / 'bin'}:{os.environ.get('PATH', '')}",
            )
            ready = f"http://127.0.0.1:{port}/health/live"
            log = tmp_path / f"web-{hops}.log"
            running.enter_context(serving(shlex.split(line[4:]), cwd=REPO, env=env, log=log, ready_url=ready))
            return "127.0.0.1", port

        yield start


def fetch(address, method: str, path: str, headers: dict | None = None, body: str | None = None):
    connection = http.client.HTTPConnection(*address, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode(errors="replace")
    finally:
        connection.close()


def _cookie(headers: dict) -> str:
    # Production cookies are Secure; over plain loopback HTTP the test carries them by hand.
    raw = headers.get("Set-Cookie", "")
    return "session=" + raw.split("session=", 1)[1].split(";", 1)[0]


def test_no_hsts_and_no_strict_referer_check_from_a_forged_forwarded_proto_without_proxies(web):
    address = web(0)
    status, headers, page = fetch(address, "GET", "/login", HTTPS)
    assert status == 200
    assert "Strict-Transport-Security" not in headers
    token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    form = f"email={ADMIN[0].replace('@', '%40')}&password={ADMIN[1]}&csrf_token={token}"
    login = {"Cookie": _cookie(headers), "Content-Type": "application/x-www-form-urlencoded", **HTTPS}
    status, headers, page = fetch(address, "POST", "/login", login, form)  # no Referer, as a plain-HTTP form may
    assert status in (302, 303), page[:500]
    assert "Strict-Transport-Security" not in headers
    for path in ("/api/v1/auth/me", "/health", "/static/css/app.css"):
        assert "Strict-Transport-Security" not in fetch(address, "GET", path, HTTPS)[1], path


def test_hsts_follows_the_proxys_forwarded_proto_when_one_hop_is_trusted(web):
    address = web(1)
    assert fetch(address, "GET", "/login", HTTPS)[1].get("Strict-Transport-Security", "").startswith("max-age=")
    assert "Strict-Transport-Security" not in fetch(address, "GET", "/login")[1]


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/api/v1/items?search=" + "a" * 5000, {}, 414),
        ("/login?next=" + "a" * 5000, {}, 414),
        ("/api/v1/items", {"X-Big": "b" * 9000}, 431),
        ("/api/v1/items", {f"X-Many-{n}": "x" for n in range(120)}, 431),
    ],
    ids=["long-api-line", "long-page-line", "big-header", "many-headers"],
)
def test_a_request_line_or_header_too_large_is_refused_with_the_security_headers(web, path, headers, status):
    address = web(0)
    answer_status, answer_headers, _ = fetch(address, "GET", path, headers)
    assert answer_status == status
    assert "frame-ancestors 'none'" in answer_headers.get("Content-Security-Policy", "")
    assert answer_headers.get("X-Content-Type-Options") == "nosniff"
    assert answer_headers.get("X-Frame-Options") == "DENY"
