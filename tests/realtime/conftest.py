"""Two real web processes (gunicorn, as the Procfile runs them) sharing the test database
and Redis on a channel of their own, and helpers for Socket.IO clients."""

from __future__ import annotations

import functools
import os
import queue
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis
import socketio

from tests.realtime.servers import REDIS_URL, Cluster, server_env, start_web, stop_web

EVENTS = (
    "stock_changed",
    "low_stock_alert",
    "alert_acknowledged",
    "alert_resolved",
    "item_created",
    "item_updated",
    "item_deleted",
    "request_submitted",
    "request_decided",
)
WAIT = 15  # seconds an expected event may take before the test fails (never a pass condition)


@pytest.fixture(scope="session")
def cluster(app, database_url, tmp_path_factory) -> Iterator[Cluster]:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not answering at {REDIS_URL} ({exc}); start it with `make services`.")
    channel = f"inventory-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    env = server_env(app, database_url, REDIS_URL, channel)
    logs = tmp_path_factory.mktemp("web-logs")
    a = start_web(env, logs / "a.log")
    try:
        b = start_web(env, logs / "b.log")
    except Exception:
        stop_web(a)
        raise
    yield Cluster(a=a, b=b, env=env, channel=channel)
    stop_web(b)
    stop_web(a)


class LiveClient:
    """A python-socketio client that records every live event in arrival order."""

    def __init__(self) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.events: queue.Queue = queue.Queue()
        for name in EVENTS:
            self.sio.on(name, functools.partial(self._record, name))

    def _record(self, name: str, data: dict) -> None:
        self.events.put((name, data))

    def connect(self, url: str, token: str | None = None, headers: dict | None = None) -> LiveClient:
        self.sio.connect(
            url,
            auth={"token": token} if token is not None else None,
            headers=headers or {},
            transports=["websocket"],
            wait_timeout=10,
        )
        return self

    def next(self, *names: str, timeout: float = WAIT) -> tuple[str, dict]:
        """The next event (of `names`, skipping others); fails the test after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                name, data = self.events.get(timeout=max(remaining, 0.01))
            except queue.Empty:
                pytest.fail(f"no {names or 'event'} within {timeout} s")
            if not names or name in names:
                return name, data

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


@pytest.fixture()
def live_client() -> Iterator[Callable[..., LiveClient]]:
    made: list[LiveClient] = []

    def make(url: str, token: str | None = None, **kw) -> LiveClient:
        client = LiveClient()
        made.append(client)
        return client.connect(url, token, **kw)

    yield make
    for client in made:
        client.close()
