"""Several gunicorn workers per machine (gunicorn.conf.py: one per core with Redis).

Each WebSocket lives on whichever worker the kernel handed its connection to; Redis joins
the workers, so an event committed in one worker reaches the clients of all of them. Stock
stays exact under concurrent requests spread over the default number of workers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.helpers.concurrency import Post, post_together
from tests.realtime.servers import (
    REDIS_URL,
    ROOT,
    bearer,
    connections_by_worker,
    server_env,
    start_web,
    stop_web,
    worker_pids,
)

MAX_CLIENTS = 24  # connections opened at most until both workers hold some


@pytest.fixture(scope="module")
def two_workers(app, database_url, tmp_path_factory):
    channel = f"inventory-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    env = {**server_env(app, database_url, REDIS_URL, channel), "WEB_CONCURRENCY": "2"}
    web = start_web(env, tmp_path_factory.mktemp("web-logs") / "two-workers.log")
    yield web
    stop_web(web)


def _default_workers(env: dict[str, str]) -> int:
    """What gunicorn.conf.py decides when WEB_CONCURRENCY is not set, in that environment."""
    script = "import runpy; print(runpy.run_path('gunicorn.conf.py')['workers'])"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def _unlimited_cgroup() -> bool:
    limits = [Path("/sys/fs/cgroup/cpu.max"), Path("/sys/fs/cgroup/memory.max")]
    return all(not p.exists() or p.read_text().split()[0] == "max" for p in limits)


def test_default_is_one_worker_per_available_core_with_redis_and_one_without(cluster):
    env = {k: v for k, v in cluster.env.items() if k != "WEB_CONCURRENCY"}
    cores = len(os.sched_getaffinity(0))
    if _unlimited_cgroup():
        assert _default_workers(env) == cores
    else:  # a container's CPU quota or memory limit may lower it
        assert 1 <= _default_workers(env) <= cores
    assert _default_workers({k: v for k, v in env.items() if k != "REDIS_URL"}) == 1
    assert _default_workers({**env, "WEB_CONCURRENCY": "3"}) == 3
    assert _default_workers({**env, "WEB_CONCURRENCY": "3", "SOCKETIO_TRANSPORT": "polling-sticky"}) == 1


def test_event_committed_in_one_worker_reaches_clients_of_every_worker(two_workers, factory, live_client):
    item = factory.item(quantity=100, sku="MULTI-1")
    token = factory.token(factory.user("staff"))
    assert len(worker_pids(two_workers)) == 2
    clients, owners = {}, {}
    while len(set(owners.values())) < 2 and len(clients) < MAX_CLIENTS:
        client = live_client(two_workers.url, token)
        clients[client.sio.eio.ws.sock.getsockname()[1]] = client
        owners = {port: pid for port, pid in connections_by_worker(two_workers).items() if port in clients}
    assert len(set(owners.values())) == 2, f"all {len(clients)} connections went to one worker"

    for quantity in (1, 2, 3):  # each answered by whichever worker accepted that request
        response = requests.post(
            f"{two_workers.url}/api/v1/items/{item.id}/withdraw",
            json={"quantity": quantity},
            headers=bearer(token),
            timeout=10,
        )
        assert response.status_code == 200, response.text

    for client in clients.values():
        seen = [client.next("stock_changed")[1] for _ in range(3)]
        assert [(e["item_id"], e["delta"], e["item_quantity"]) for e in seen] == [
            (item.id, -1, 99),
            (item.id, -2, 97),
            (item.id, -3, 94),
        ]


def test_concurrent_withdrawals_over_the_default_workers_never_oversell(cluster, app, factory):
    """cluster.a runs gunicorn.conf.py's default worker count (one per core here, with Redis)."""
    assert len(worker_pids(cluster.a)) == _default_workers(cluster.env)
    item = factory.item(quantity=10)
    token = factory.token(factory.user("staff"))
    headers = bearer(token)
    withdraw = Post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 1}, token)

    # A connection each: the kernel spreads them over the workers.
    statuses = [r.status_code for r in post_together(cluster.a.url, [withdraw] * 60)]

    assert statuses.count(200) == 10, statuses
    assert statuses.count(409) == 50, statuses
    from app.extensions import db
    from app.models import InventoryLog, Item, StockLevel

    with app.app_context():
        item_total = db.session.scalar(sa.select(Item.quantity).where(Item.id == item.id))
        levels = db.session.scalars(sa.select(StockLevel.quantity).where(StockLevel.item_id == item.id)).all()
        ledger = db.session.scalar(sa.select(sa.func.sum(InventoryLog.delta)).where(InventoryLog.item_id == item.id))
        db.session.remove()
    assert item_total == sum(levels) == ledger == 0
    assert min(levels) == 0
    final = requests.get(f"{cluster.a.url}/api/v1/items/{item.id}", headers=headers, timeout=30).json()
    assert final["quantity"] == 0
