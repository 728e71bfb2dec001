"""gunicorn with a preloaded app: the master built it (and checked the default admin) before
forking, yet no two workers ever share a database connection (gunicorn.conf.py post_fork)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ADMIN = ("root@example.com", "root-password-1")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _call(url: str, body: dict | None = None, token: str | None = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    request.add_header("Connection", "close")  # a new connection each time: either worker may take it
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture()
def preloaded_gunicorn(app, database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("gunicorn workers share the database: PostgreSQL only")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TEST_DATABASE_URL"}}
    env.update(
        APP_ENV="development",
        DATABASE_URL=database_url,
        DEFAULT_ADMIN_EMAIL=ADMIN[0],
        DEFAULT_ADMIN_PASSWORD=ADMIN[1],
        WEB_THREADS="8",
        WEB_ACCESS_LOG="0",
    )
    command = [
        sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--preload", "-w", "2",
        "-b", f"127.0.0.1:{port}", "wsgi:app",
    ]  # fmt: skip
    with open(tmp_path / "gunicorn.log", "wb") as log:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):  # start-up wait, not an assertion on time
            if server.poll() is not None:
                pytest.fail("gunicorn exited: " + (tmp_path / "gunicorn.log").read_text()[-2000:])
            try:
                if _call(base + "/health/live")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        yield base, tmp_path / "gunicorn.log"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_preloaded_workers_never_share_a_database_connection(preloaded_gunicorn):
    base, log = preloaded_gunicorn
    status, body = _call(base + "/api/v1/auth/login", {"email": ADMIN[0], "password": ADMIN[1]})
    assert status == 200, body  # the master created the default admin before forking
    token = json.loads(body)["access_token"]

    def one(n: int) -> tuple[int, str]:
        url = base + ("/health" if n % 2 else "/api/v1/auth/me")
        status, body = _call(url, token=token)
        return status, body.decode()[:200]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(one, range(200)))
    bad = [answer for answer in answers if answer[0] != 200]
    print(f"\npreloaded gunicorn, 2 workers: 200 requests, {len(bad)} not 200")
    assert bad == [], bad[:5]
    assert "PGRES" not in log.read_text() and "ResourceClosedError" not in log.read_text()
