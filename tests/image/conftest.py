"""The image built from the Dockerfile and run with podman against the test PostgreSQL and
Redis, on the host network and loopback only. Everything it touches is this run's own: a
fresh database, a Redis queue and key prefix, a backups folder, uniquely named containers."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
import redis
import requests

from tests.helpers.database import PG_HOST, PG_PORT, PG_USER, create_database, drop_database
from tests.helpers.http import free_port
from tests.helpers.sendgrid import FakeSendGrid
from tests.helpers.tasks import wait_for
from tests.image.podman import Podman, PodmanMissing

REDIS_BASE = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "image-test-password"
_figures: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """These tests bring their own database; the suite's (and its per-test cleanup) is not used."""


@pytest.fixture(scope="session")
def podman() -> Podman:
    try:
        engine = Podman.setup()
    except PodmanMissing as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the image tests must run in CI: {exc}")
        pytest.skip(f"no container engine here: {exc} (make test-image installs one)")
    engine.figures = _figures
    return engine


@pytest.fixture(scope="session")
def image(podman: Podman) -> str:
    """The image id. The tag stays (it anchors the layer cache, and one can run it by hand);
    containers are started from the id, so a parallel run that retags it changes nothing."""
    return podman.build("localhost/inventory-test:latest")


def pg_url(database: str) -> str:
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def row_counts(database: str) -> dict[str, int]:
    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=database)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        tables = [row[0] for row in cur.fetchall()]
        counts = {}
        for table in tables:
            cur.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cur.fetchone()[0]
    conn.close()
    return counts


def query(database: str, sql: str, *args) -> list[tuple]:
    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=database)
    with conn, conn.cursor() as cur:
        cur.execute(sql, args)
        rows = cur.fetchall()
    conn.close()
    return rows


class Stack:
    """Containers of one run of the image, all named after its tag and removed at the end."""

    def __init__(self, podman: Podman, image: str, tag: str, database: str, env: dict[str, str], backups: Path) -> None:
        self.podman, self.image, self.tag, self.database, self.env = podman, image, tag, database, env
        self.backups = backups
        self.names: list[str] = []

    def _args(self, name: str, env: dict[str, str]) -> list[str]:
        args = ["--name", name, "--network=host", "--volume", f"{self.backups}:/var/backups/inventory"]
        for key, value in {**self.env, **env}.items():
            args += ["--env", f"{key}={value}"]
        return args

    def once(self, name: str, *command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """A one-off container (release step, CLI); removed when it exits."""
        full = f"{self.tag}-{name}"
        return self.podman.run("run", "--rm", *self._args(full, env or {}), self.image, *command, check=False)

    def start(self, name: str, *command: str, env: dict[str, str] | None = None) -> str:
        full = f"{self.tag}-{name}"
        self.names.append(full)
        self.podman.run("run", "--detach", *self._args(full, env or {}), self.image, *command)
        return full

    def logs(self, name: str) -> str:
        result = self.podman.run("logs", name, check=False)
        return result.stdout + result.stderr

    def state(self, name: str) -> tuple[str, int]:
        out = self.podman.run("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", name).stdout.split()
        return out[0], int(out[1])

    def remove_all(self) -> None:
        for name in self.names:
            self.podman.run("rm", "--force", "--time", "0", name, check=False)


@pytest.fixture(scope="module")
def stack(podman: Podman, image: str, tmp_path_factory) -> Iterator[Stack]:
    tag = f"inv-image-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    database = create_database(tag.replace("-", "_"))
    backups = tmp_path_factory.mktemp("image-backups")
    backups.chmod(0o777)  # written by the image's non-root user
    env = {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "JWT_SECRET": secrets.token_urlsafe(32),
        "DATABASE_URL": pg_url(database),
        "REDIS_URL": REDIS_BASE,
        # Shared Redis: this run's own queue, key prefix, Socket.IO channel and metrics keys.
        "CELERY_TASK_DEFAULT_QUEUE": tag,
        "CELERY_REDIS_KEY_PREFIX": f"{tag}:",
        "SOCKETIO_CHANNEL": tag,
        "METRICS_REDIS_PREFIX": f"{tag}:metrics:",
        # Flask-Limiter has no key prefix setting here; keep its counters in the process.
        "RATELIMIT_STORAGE_URI": "memory://",
        "HOST": "127.0.0.1",
        "ALERT_FROM_EMAIL": "inventory@example.com",
        "APP_BASE_URL": "http://inventory.test",
    }
    stack = Stack(podman, image, tag, database, env, backups)
    yield stack
    stack.remove_all()
    drop_database(database)
    client = redis.Redis.from_url(REDIS_BASE)
    keys = list(client.scan_iter(match=f"{tag}*", count=500))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(scope="module")
def sendgrid_fake() -> Iterator[FakeSendGrid]:
    fake = FakeSendGrid()
    yield fake
    fake.close()


def record(name: str, value: float | str) -> None:
    """A figure for the report printed at the end of the run (seconds, or a text)."""
    _figures[name] = f"{value:.1f} s" if isinstance(value, float) else value


def start_web(stack: Stack, name: str = "web") -> tuple[str, str]:
    """Start gunicorn on a free loopback port; returns (container, base URL) once /health is 200."""
    port = free_port()
    started = time.monotonic()
    container = stack.start(name, env={"PORT": str(port)})
    url = f"http://127.0.0.1:{port}"

    def healthy():
        try:
            return requests.get(url + "/health", timeout=2).status_code == 200
        except requests.RequestException:  # not listening yet, or still booting
            return False

    try:
        wait_for(healthy, timeout=60, interval=0.2, what=f"{container} to answer /health")
    except AssertionError:
        raise AssertionError(stack.logs(container)) from None
    record(f"{name} container start (to /health 200)", time.monotonic() - started)
    return container, url


CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


class Browser:
    """Plain HTTP like a browser's: the production session cookie is Secure, and requests
    would not send it back over http://127.0.0.1, so cookies are carried by hand."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.cookies: dict[str, str] = {}
        self.token = ""

    def _keep(self, response: requests.Response) -> requests.Response:
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value
        if match := CSRF.search(response.text):
            self.token = match.group(1)
        return response

    def get(self, path: str) -> requests.Response:
        return self._keep(requests.get(self.url + path, cookies=self.cookies, timeout=30, allow_redirects=False))

    def post(self, path: str, data: dict) -> requests.Response:
        data = {"csrf_token": self.token, **data}
        return self._keep(
            requests.post(self.url + path, data=data, cookies=self.cookies, timeout=30, allow_redirects=False)
        )

    def login(self, email: str, password: str = PASSWORD) -> requests.Response:
        self.get("/login")
        return self.post("/login", {"email": email, "password": password})


def api_token(url: str, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = requests.post(url + "/api/v1/auth/login", json={"email": email, "password": password}, timeout=30)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def pytest_terminal_summary(terminalreporter) -> None:
    if _figures:
        terminalreporter.section("container image (podman)")
        for name, value in _figures.items():
            terminalreporter.write_line(f"{name:<52} {value}")
