"""Start and stop real web processes (gunicorn, as the Procfile runs them) on loopback ports.

Used by the realtime tests and by bench/realtime_latency.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class WebProcess:
    url: str
    process: subprocess.Popen
    log: Path


@dataclass
class Cluster:
    a: WebProcess
    b: WebProcess
    env: dict[str, str]
    channel: str


def server_env(app, database_url: str, redis_url: str, channel: str) -> dict[str, str]:
    """The environment of a web process of the test run: its database, Redis channel and secrets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEFAULT_ADMIN_", "TEST_"))}
    env.update(
        APP_ENV="development",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SOCKETIO_CHANNEL=channel,
        SOCKETIO_TRANSPORT="websocket",
        SECRET_KEY=app.config["SECRET_KEY"],
        JWT_SECRET=app.config["JWT_SECRET_KEY"],
        RATELIMIT_STORAGE_URI="memory://",  # Redis is shared with other runs: keep rate limits local
        WEB_THREADS="40",
        WEB_ACCESS_LOG="0",
        PYTHONUNBUFFERED="1",
    )
    return env


def start_web(env: dict[str, str], log: Path, threads: int | None = None) -> WebProcess:
    port = free_port()
    proc_env = {**env, "HOST": "127.0.0.1", "PORT": str(port)}
    if threads:
        proc_env["WEB_THREADS"] = str(threads)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=proc_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    web = WebProcess(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"web process exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if requests.get(web.url + "/health", timeout=2).status_code == 200:
                return web
        except requests.RequestException:
            pass
        time.sleep(0.2)
    stop_web(web)
    raise RuntimeError(f"web process did not answer /health in 60 s:\n{log.read_text()[-3000:]}")


def stop_web(web: WebProcess) -> None:
    if web.process.poll() is None:
        web.process.terminate()
        try:
            web.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            web.process.kill()
            web.process.wait(timeout=5)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
