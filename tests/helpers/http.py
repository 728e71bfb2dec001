"""Plain HTTP calls to a server the test started in another process (gunicorn, a container),
and starting such a server."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(url: str, body: dict | None = None, token: str | None = None, timeout: float = 30) -> tuple[int, bytes]:
    """POST `body` as JSON (GET without one), on a new connection each time: with several
    workers, any of them may accept it. Returns the status and the raw answer."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    request.add_header("Connection", "close")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@contextmanager
def serving(command: list[str], *, cwd: Path, env: dict[str, str], log: Path, ready_url: str) -> Iterator[None]:
    """Run a server process (output to `log`) until the block ends; enter once `ready_url`
    answers 200, failing with the log's tail if the process exits or never answers."""
    with open(log, "wb") as out:
        server = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        for _ in range(150):  # start-up wait, not an assertion on time
            if server.poll() is not None:
                pytest.fail("the server exited: " + log.read_text()[-2000:])
            try:
                if call(ready_url)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail(f"{ready_url} never answered: " + log.read_text()[-2000:])
        yield
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
