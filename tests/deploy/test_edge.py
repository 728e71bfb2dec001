"""Fly.io edge routing: writes in a replica region are sent to the primary with fly-replay."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Item


@pytest.fixture()
def make_app(app):
    """An app built by create_app with FLY_REGION/PRIMARY_REGION, on the test database."""
    from app import create_app
    from app.config import TestingConfig

    def build(fly_region: str | None, primary_region: str | None):
        settings = TestingConfig()
        settings.WTF_CSRF_ENABLED = True
        settings.FLY_REGION = fly_region
        settings.PRIMARY_REGION = primary_region
        return create_app(settings)

    return build


def _item_body(factory) -> dict:
    location = factory.location()
    return {"sku": "EDGE-1", "name": "Edge widget", "location_id": location.id, "quantity": 3}


def _item_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Item))


def test_write_in_replica_region_answers_fly_replay_and_changes_nothing(make_app, factory):
    replica = make_app("ams", "iad")
    headers = factory.headers("manager")
    body = _item_body(factory)
    client = replica.test_client()
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/items", json=body, headers=headers)
        assert response.status_code == 409
        assert response.headers["fly-replay"] == "region=iad"
    assert _item_count(replica) == 0


def test_reads_in_replica_region_are_served_locally(make_app, factory):
    replica = make_app("ams", "iad")
    factory.item(quantity=2)
    client = replica.test_client()
    response = client.get("/api/v1/items", headers=factory.headers("staff"))
    assert response.status_code == 200
    assert "fly-replay" not in response.headers
    assert [item["quantity"] for item in response.get_json()["items"]] == [2]
    assert client.head("/health").status_code == 200
    assert "fly-replay" not in client.options("/api/v1/items").headers


def test_writes_in_primary_region_are_handled(make_app, factory):
    primary = make_app("iad", "iad")
    response = primary.test_client().post("/api/v1/items", json=_item_body(factory), headers=factory.headers("manager"))
    assert response.status_code == 201, response.get_json()
    assert "fly-replay" not in response.headers
    assert _item_count(primary) == 1


def test_writes_handled_when_not_on_fly(make_app, factory):
    local = make_app(None, "iad")
    response = local.test_client().post("/api/v1/items", json=_item_body(factory), headers=factory.headers("manager"))
    assert response.status_code == 201


def test_socketio_polling_posts_stay_on_the_replica(make_app):
    replica = make_app("ams", "iad")
    response = replica.test_client().post("/socket.io/?EIO=4&transport=polling&sid=unknown", data="40")
    assert response.status_code != 409
    assert "fly-replay" not in response.headers
