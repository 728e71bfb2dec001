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
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


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


def worker_pids(web: WebProcess) -> list[int]:
    """The gunicorn workers (children of the master) serving `web`."""
    pid = web.process.pid
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def connections_by_worker(web: WebProcess) -> dict[int, int]:
    """Client port -> the worker pid holding that TCP connection to `web` (Linux /proc).

    Each worker accepts from the shared listening socket, so which worker serves a
    connection is the kernel's choice; this reads it back from the workers' open sockets."""
    server_port = int(web.url.rsplit(":", 1)[1])
    owner_of_inode = {}
    for pid in worker_pids(web):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:  # closed meanwhile
                continue
            if target.startswith("socket:["):
                owner_of_inode[target[8:-1]] = pid
    owners = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if int(local.rsplit(":", 1)[1], 16) == server_port and inode in owner_of_inode:
                owners[int(remote.rsplit(":", 1)[1], 16)] = owner_of_inode[inode]
    return owners
