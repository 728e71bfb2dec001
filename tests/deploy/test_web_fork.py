"""gunicorn with a preloaded app: the master built it (and checked the default admin) before
forking, yet no two workers ever share a database connection (gunicorn.conf.py post_fork)."""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.helpers.http import call, free_port, serving

REPO = Path(__file__).resolve().parents[2]
ADMIN = ("root@example.com", "root-password-1")


@pytest.fixture()
def preloaded_gunicorn(app, database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("gunicorn workers share the database: PostgreSQL only")
    port = free_port()
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
    base = f"http://127.0.0.1:{port}"
    with serving(command, cwd=REPO, env=env, log=tmp_path / "gunicorn.log", ready_url=base + "/health/live"):
        yield base, tmp_path / "gunicorn.log"


def test_preloaded_workers_never_share_a_database_connection(preloaded_gunicorn):
    base, log = preloaded_gunicorn
    status, body = call(base + "/api/v1/auth/login", {"email": ADMIN[0], "password": ADMIN[1]})
    assert status == 200, body  # the master created the default admin before forking
    token = json.loads(body)["access_token"]

    def one(n: int) -> tuple[int, str]:
        url = base + ("/health" if n % 2 else "/api/v1/auth/me")
        status, body = call(url, token=token)
        return status, body.decode()[:200]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(one, range(200)))
    bad = [answer for answer in answers if answer[0] != 200]
    print(f"\npreloaded gunicorn, 2 workers: 200 requests, {len(bad)} not 200")
    assert bad == [], bad[:5]
    assert "PGRES" not in log.read_text() and "ResourceClosedError" not in log.read_text()
