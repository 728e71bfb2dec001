"""Concurrent requests through a real HTTP server on PostgreSQL: no oversell, one move per key."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from tests.helpers.api import db_scalar
from tests.helpers.database import BACKEND

pytestmark = pytest.mark.skipif(BACKEND == "sqlite", reason="row locking needs PostgreSQL; SQLite serialises writers")

WORKERS = 16


def _run_concurrently(calls):
    """Run each call (a function of a requests.Session) from its own thread and session."""
    local = threading.local()
    sessions = []

    def session():
        if not hasattr(local, "session"):
            local.session = requests.Session()
            sessions.append(local.session)
        return local.session

    try:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            return list(pool.map(lambda call: call(session()), calls))
    finally:
        for s in sessions:
            s.close()


def _ledger(app, item_id, action=None):
    from app.models import InventoryLog

    conditions = [InventoryLog.item_id == item_id]
    if action:
        conditions.append(InventoryLog.action == action)
    count = db_scalar(app, sa.select(sa.func.count(InventoryLog.id)).where(*conditions))
    total = db_scalar(app, sa.select(sa.func.coalesce(sa.func.sum(InventoryLog.delta), 0)).where(*conditions))
    return count, total


def _levels(app, item_id):
    from app.models import Item, StockLevel

    item_total = db_scalar(app, sa.select(Item.quantity).where(Item.id == item_id))
    level_total = db_scalar(app, sa.select(sa.func.sum(StockLevel.quantity)).where(StockLevel.item_id == item_id))
    return item_total, level_total


def test_fifty_concurrent_withdrawals_of_one_from_ten_never_oversell(app, factory, live_server):
    item = factory.item(quantity=10)
    headers = {"Authorization": f"Bearer {factory.token(factory.user('staff'))}"}
    url = f"{live_server}/api/v1/items/{item.id}/withdraw"

    responses = _run_concurrently([lambda s: s.post(url, json={"quantity": 1}, headers=headers, timeout=60)] * 50)

    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 10, statuses
    assert statuses.count(409) == 40, statuses
    refused = [r.json()["error"] for r in responses if r.status_code == 409]
    assert {e["code"] for e in refused} == {"insufficient_stock"}
    assert {e["available"] for e in refused} == {0}
    assert _levels(app, item.id) == (0, 0)
    assert _ledger(app, item.id, "withdraw") == (10, -10)
    assert _ledger(app, item.id)[1] == 0  # the create (+10) and ten withdrawals (-1) sum to the level
    final = requests.get(f"{live_server}/api/v1/items/{item.id}", headers=headers, timeout=30).json()
    assert final["quantity"] == 0 and final["is_low_stock"] is False


def test_concurrent_restocks_and_withdrawals_keep_level_equal_to_ledger(app, factory, live_server):
    a, b = factory.location(), factory.location()
    item = factory.item(quantity=5, location=a)
    headers = {"Authorization": f"Bearer {factory.token(factory.user('staff'))}"}
    base = f"{live_server}/api/v1/items/{item.id}"
    calls = []
    for n in range(36):
        if n % 3 == 0:
            calls.append(lambda s: s.post(f"{base}/restock", json={"quantity": 2}, headers=headers, timeout=60))
        elif n % 3 == 1:
            calls.append(lambda s: s.post(f"{base}/withdraw", json={"quantity": 3}, headers=headers, timeout=60))
        else:
            body = {"from_location_id": a.id, "to_location_id": b.id, "quantity": 1}
            calls.append(lambda s, body=body: s.post(f"{base}/transfer", json=body, headers=headers, timeout=60))

    responses = _run_concurrently(calls)

    assert {r.status_code for r in responses} <= {200, 409}, [
        r.text for r in responses if r.status_code not in (200, 409)
    ]
    item_total, level_total = _levels(app, item.id)
    assert item_total == level_total == _ledger(app, item.id)[1]
    assert item_total >= 0
    from app.models import StockLevel

    assert db_scalar(app, sa.select(sa.func.min(StockLevel.quantity)).where(StockLevel.item_id == item.id)) >= 0


def test_concurrent_duplicates_with_one_idempotency_key_move_stock_once(app, factory, live_server):
    item = factory.item(quantity=10)
    headers = {"Authorization": f"Bearer {factory.token(factory.user('staff'))}", "Idempotency-Key": "pick-123"}
    url = f"{live_server}/api/v1/items/{item.id}/withdraw"

    responses = _run_concurrently([lambda s: s.post(url, json={"quantity": 2}, headers=headers, timeout=60)] * 12)

    statuses = [r.status_code for r in responses]
    # Twins that arrive while the first is still running may be told to retry (409); none moves stock.
    assert set(statuses) <= {200, 409}, statuses
    assert statuses.count(200) >= 1
    assert all(r.json()["quantity"] == 8 for r in responses if r.status_code == 200)
    assert _ledger(app, item.id, "withdraw") == (1, -2)
    assert _levels(app, item.id) == (8, 8)
    retry = requests.post(url, json={"quantity": 2}, headers=headers, timeout=30)
    assert retry.status_code == 200 and retry.headers["Idempotent-Replayed"] == "true" and retry.json()["quantity"] == 8
