"""Real Celery processes for the pipeline tests: workers and beat as subprocesses, a fake
SendGrid HTTP server on loopback, and a "web" app that enqueues to this run's own Redis queue."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.helpers.redis_server import OwnRedis
from tests.helpers.sendgrid import FakeSendGrid
from tests.helpers.tasks import procfile_concurrency

ROOT = Path(__file__).resolve().parents[2]
REDIS_BASE = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


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

    def worker(self, env: dict[str, str], queue: str, name: str = "worker", pool: str = "solo") -> subprocess.Popen:
        """A worker on `queue`. solo: one process, so a SIGKILL takes the running task down with
        it; prefork: the production pool, forked children at the Procfile's concurrency."""
        concurrency = [f"--concurrency={procfile_concurrency()}"] if pool == "prefork" else []
        return self.start(
            ["worker", "-P", pool, *concurrency, "-Q", queue, "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h"]
            + ["--loglevel=INFO", "--without-gossip", "--without-mingle"],
            env,
            name,
        )

    def prefork_worker(self, env: dict[str, str], queue: str, name: str = "worker") -> subprocess.Popen:
        return self.worker(env, queue, name, pool="prefork")

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
