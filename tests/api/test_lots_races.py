"""Races on tracked stock through a real HTTP server on PostgreSQL (issue 27): two withdrawals from
one lot never oversell it; one serial withdrawn twice at once leaves exactly once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers.api import db_scalar
from tests.helpers.concurrency import Post, post_together
from tests.helpers.database import BACKEND

pytestmark = pytest.mark.skipif(BACKEND == "sqlite", reason="row locking needs PostgreSQL; SQLite serialises writers")


def _restock(app, factory, item, **body):
    from app.extensions import db
    from app.models import User
    from app.services import stock

    manager = factory.user("manager")
    with app.test_request_context():
        stock.restock(item.id, actor=db.session.get(User, manager.id), **body)
        db.session.remove()


def test_two_withdrawals_from_one_lot_at_once_never_oversell_it(app, factory, live_server):
    from app.models import InventoryLog, Item, LotLevel

    item = factory.item(tracking="lot")
    _restock(app, factory, item, quantity=5, lot="L-RACE")
    token = factory.token(factory.user("staff"))
    posts = [Post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 3, "lot": "L-RACE"}, token)] * 2

    statuses = sorted(r.status_code for r in post_together(live_server, posts))

    assert statuses == [200, 409]
    assert db_scalar(app, sa.select(LotLevel.quantity).where(LotLevel.item_id == item.id)) == 2
    assert db_scalar(app, sa.select(Item.quantity).where(Item.id == item.id)) == 2
    withdrawn = sa.select(sa.func.sum(InventoryLog.delta)).where(
        InventoryLog.item_id == item.id, InventoryLog.action == "withdraw"
    )
    assert db_scalar(app, withdrawn) == -3


def test_fefo_withdrawals_at_once_split_lots_without_overselling(app, factory, live_server):
    from app.models import Item, LotLevel

    item = factory.item(tracking="lot")
    _restock(app, factory, item, quantity=3, lot="A", expires_on=None)
    _restock(app, factory, item, quantity=3, lot="B")
    token = factory.token(factory.user("staff"))
    posts = [Post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 2}, token)] * 4

    statuses = sorted(r.status_code for r in post_together(live_server, posts))

    assert statuses == [200, 200, 200, 409]
    assert db_scalar(app, sa.select(sa.func.sum(LotLevel.quantity)).where(LotLevel.item_id == item.id)) == 0
    assert db_scalar(app, sa.select(Item.quantity).where(Item.id == item.id)) == 0


def test_one_serial_withdrawn_twice_at_once_leaves_once(app, factory, live_server):
    from app.models import InventoryLog, Serial

    item = factory.item(tracking="serial")
    _restock(app, factory, item, serials=["SN-RACE", "SN-OTHER"])
    token = factory.token(factory.user("staff"))
    posts = [Post(f"/api/v1/items/{item.id}/withdraw", {"serials": ["SN-RACE"]}, token)] * 2

    answers = post_together(live_server, posts)

    assert sorted(r.status_code for r in answers) == [200, 409]
    refused = next(r.json()["error"] for r in answers if r.status_code == 409)
    assert refused["code"] == "serial_not_here" and refused["serial"] == "SN-RACE"
    assert db_scalar(app, sa.select(Serial.state).where(Serial.serial == "SN-RACE")) == "withdrawn"
    rows = sa.select(sa.func.count(InventoryLog.id)).where(
        InventoryLog.serial == "SN-RACE", InventoryLog.action == "withdraw"
    )
    assert db_scalar(app, rows) == 1
