"""Concurrent requests through a real HTTP server on PostgreSQL: no oversell, one move per key."""

from __future__ import annotations

import pytest
import requests
import sqlalchemy as sa

from tests.helpers.api import db_scalar
from tests.helpers.concurrency import Post, post_together
from tests.helpers.database import BACKEND

pytestmark = pytest.mark.skipif(BACKEND == "sqlite", reason="row locking needs PostgreSQL; SQLite serialises writers")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


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
    token = factory.token(factory.user("staff"))

    responses = post_together(live_server, [Post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 1}, token)] * 50)

    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 10, statuses
    assert statuses.count(409) == 40, statuses
    refused = [r.json()["error"] for r in responses if r.status_code == 409]
    assert {e["code"] for e in refused} == {"insufficient_stock"}
    assert {e["available"] for e in refused} == {0}
    assert _levels(app, item.id) == (0, 0)
    assert _ledger(app, item.id, "withdraw") == (10, -10)
    assert _ledger(app, item.id)[1] == 0  # the create (+10) and ten withdrawals (-1) sum to the level
    final = requests.get(f"{live_server}/api/v1/items/{item.id}", headers=_bearer(token), timeout=30).json()
    assert final["quantity"] == 0 and final["is_low_stock"] is False


def test_concurrent_restocks_and_withdrawals_keep_level_equal_to_ledger(app, factory, live_server):
    a, b = factory.location(), factory.location()
    item = factory.item(quantity=5, location=a)
    token = factory.token(factory.user("staff"))
    base = f"/api/v1/items/{item.id}"
    moves = [
        Post(f"{base}/restock", {"quantity": 2}, token),
        Post(f"{base}/withdraw", {"quantity": 3}, token),
        Post(f"{base}/transfer", {"from_location_id": a.id, "to_location_id": b.id, "quantity": 1}, token),
    ]

    responses = post_together(live_server, moves * 12)

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
    token, key = factory.token(factory.user("staff")), {"Idempotency-Key": "pick-123"}
    path = f"/api/v1/items/{item.id}/withdraw"

    responses = post_together(live_server, [Post(path, {"quantity": 2}, token, headers=key)] * 12)

    statuses = [r.status_code for r in responses]
    # Twins that arrive while the first is still running may be told to retry (409); none moves stock.
    assert set(statuses) <= {200, 409}, statuses
    assert statuses.count(200) >= 1
    assert all(r.json()["quantity"] == 8 for r in responses if r.status_code == 200)
    assert _ledger(app, item.id, "withdraw") == (1, -2)
    assert _levels(app, item.id) == (8, 8)
    retry = requests.post(live_server + path, json={"quantity": 2}, headers={**_bearer(token), **key}, timeout=30)
    assert retry.status_code == 200 and retry.headers["Idempotent-Replayed"] == "true" and retry.json()["quantity"] == 8
