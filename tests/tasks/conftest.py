"""Real Celery processes for the pipeline tests: workers and beat as subprocesses, a fake
SendGrid HTTP server on loopback, and a "web" app that enqueues to this run's own Redis queue."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis

from tests.redis_server import OwnRedis

ROOT = Path(__file__).resolve().parents[2]
REDIS_BASE = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def wait_for(predicate: Callable[[], object], timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):
    """Poll until `predicate` is truthy (a deadline against hanging, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"gave up waiting for {what}")


def procfile_concurrency() -> int:
    """The worker concurrency the Procfile runs with (its CELERY_CONCURRENCY default)."""
    line = next(x for x in (ROOT / "Procfile").read_text().splitlines() if x.startswith("worker:"))
    match = re.search(r"--concurrency=\$\{CELERY_CONCURRENCY:-(\d+)\}", line)
    assert match, f"no concurrency default in the Procfile's worker line: {line}"
    return int(match.group(1))


class FakeSendGrid:
    """Records POST /v3/mail/send and answers from a script: a status code, 'hold' (block
    until released, then drop the connection without an answer) or 'slow' (block until
    released, then accept)."""

    def __init__(self) -> None:
        self.script: list[int | str] = []
        self.requests: list[dict] = []  # every request received
        self.accepted: list[dict] = []  # only those answered 2xx
        self.held = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with fake.lock:
                    fake.requests.append(body)
                    answer = fake.script.pop(0) if fake.script else 202
                if answer == "hold":
                    fake.held.set()
                    fake.release.wait(60)
                    self.close_connection = True
                    return  # no answer: the provider never accepted this one
                if answer == "slow":  # a slow provider: accepts, but only once released
                    fake.held.set()
                    fake.release.wait(60)
                    answer = 202
                self.send_response(int(answer))
                self.send_header("Content-Type", "application/json")
                if int(answer) < 300:
                    self.send_header("X-Message-Id", uuid.uuid4().hex)
                    with fake.lock:
                        fake.accepted.append(body)
                payload = b"" if int(answer) < 300 else b'{"errors":[{"message":"scripted failure"}]}'
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def accepted_to(self) -> list[str]:
        with self.lock:
            return sorted(p["personalizations"][0]["to"][0]["email"] for p in self.accepted)

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def sendgrid() -> Iterator[FakeSendGrid]:
    fake = FakeSendGrid()
    yield fake
    fake.close()


class Processes:
    """Subprocesses started by a test, each in its own process group, always killed at the end."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.started: list[subprocess.Popen] = []

    def start(self, args: list[str], env: dict[str, str], name: str) -> subprocess.Popen:
        log = (self.tmp_path / f"{name}-{len(self.started)}.log").open("w")
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "SENDGRID", "CELERY"))}
        full_env.update(env)
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_worker.celery", *args],
            cwd=ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        proc.log_path = log.name  # type: ignore[attr-defined]
        self.started.append(proc)
        return proc

    def worker(self, env: dict[str, str], queue: str, name: str = "worker") -> subprocess.Popen:
        # solo pool: one process, so a SIGKILL takes the running task down with it
        return self.start(
            [
                "worker",
                "-P",
                "solo",
                "-Q",
                queue,
                "-n",
                f"{name}-{uuid.uuid4().hex[:6]}@%h",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            env,
            name,
        )

    def prefork_worker(self, env: dict[str, str], queue: str, name: str = "worker") -> subprocess.Popen:
        """The production pool: forked child processes at the Procfile's concurrency."""
        return self.start(
            [
                "worker",
                "-P",
                "prefork",
                f"--concurrency={procfile_concurrency()}",
                "-Q",
                queue,
                "-n",
                f"{name}-{uuid.uuid4().hex[:6]}@%h",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            env,
            name,
        )

    def kill(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    def logs(self) -> str:
        return "\n".join(Path(p.log_path).read_text()[-3000:] for p in self.started)  # type: ignore[attr-defined]

    def stop_all(self) -> None:
        # The test is over: no need for a warm shutdown (it waits on the broker for seconds).
        for proc in self.started:
            self.kill(proc)


@pytest.fixture()
def processes(tmp_path, request) -> Iterator[Processes]:
    procs = Processes(tmp_path)
    yield procs
    failed = getattr(request.node, "rep_call", None)
    procs.stop_all()
    if failed is not None and failed.failed:
        print(procs.logs())


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture()
def own_redis(tmp_path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture()
def queue_env(database_url, tmp_path) -> Iterator[dict[str, str]]:
    """Settings for processes of this test: its own Redis queue and key prefix (Redis is shared)."""
    tag = f"inv-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    env = {
        "APP_ENV": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_BASE,
        "CELERY_TASK_DEFAULT_QUEUE": tag,
        "CELERY_REDIS_KEY_PREFIX": f"{tag}:",
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "SENDGRID_RETRY_BACKOFF": "0.2",
        "SENDGRID_RETRY_BACKOFF_MAX": "1",
        "SENDGRID_MAX_RETRIES": "3",
        "SENDGRID_TIMEOUT": "30",
        "BACKUP_DIR": str(tmp_path / "backups"),
        "APP_BASE_URL": "http://inventory.test",
        "ALERT_FROM_EMAIL": "inventory@example.com",
    }
    yield env
    client = redis.Redis.from_url(REDIS_BASE)
    keys = list(client.scan_iter(match=f"{tag}*", count=500))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture()
def web_app(app, queue_env) -> Iterator:
    """A second app playing the web process: same database, enqueues to this test's Redis queue."""
    from app import create_app
    from app.config import TestingConfig

    saved = {k: os.environ.get(k) for k in queue_env}
    os.environ.update({k: v for k, v in queue_env.items() if k != "APP_ENV"})
    try:
        settings = TestingConfig()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    settings.WTF_CSRF_ENABLED = False
    web = create_app(settings)
    yield web
    web.extensions["celery"].pool.force_close_all()
    app.extensions["celery"].set_default()  # the suite's app stays Celery's default


@pytest.fixture(autouse=True)
def _quick_password_hashes(monkeypatch):
    """Real hashing with a cheap work factor (scrypt costs ~0.25 s per user)."""
    import functools

    from werkzeug.security import generate_password_hash

    import app.models.user as user_module

    monkeypatch.setattr(
        user_module, "generate_password_hash", functools.partial(generate_password_hash, method="pbkdf2:sha256:1000")
    )


def alert_for(app, item_id: int):
    """The newest alert of an item, read fresh from the database."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Alert

    with app.app_context():
        alert = db.session.execute(sa.select(Alert).where(Alert.item_id == item_id).order_by(Alert.id.desc())).scalar()
        if alert is not None:
            db.session.expunge(alert)
        db.session.remove()
        return alert


def outbox_rows(app, key_prefix: str = "") -> list:
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import OutboxEmail

    with app.app_context():
        rows = list(
            db.session.execute(
                sa.select(OutboxEmail)
                .where(OutboxEmail.message_key.startswith(key_prefix))
                .order_by(OutboxEmail.recipient)
            ).scalars()
        )
        db.session.expunge_all()
        db.session.remove()
        return rows
