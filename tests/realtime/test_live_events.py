"""Live events across two gunicorn processes sharing Redis, and from processes without a web server."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
import requests
import socketio

from tests.realtime.servers import ROOT, bearer


def test_withdrawal_on_process_a_reaches_client_of_process_b(cluster, factory, live_client):
    location = factory.location("Back Room")
    item = factory.item(quantity=10, location=location, name="Widget A", sku="WID-A")
    staff = factory.user("staff", email="picker@example.com")
    token = factory.token(staff)
    client = live_client(cluster.b.url, token)

    response = requests.post(
        f"{cluster.a.url}/api/v1/items/{item.id}/withdraw", json={"quantity": 3}, headers=bearer(token), timeout=10
    )
    assert response.status_code == 200, response.text

    name, event = client.next("stock_changed")
    assert event["item_id"] == item.id
    assert event["sku"] == "WID-A"
    assert event["name"] == "Widget A"
    assert event["location_id"] == location.id
    assert event["location_name"] == "Back Room"
    assert (event["quantity_before"], event["quantity_after"], event["delta"]) == (10, 7, -3)
    assert (event["item_quantity_before"], event["item_quantity"]) == (10, 7)
    assert event["action"] == "withdraw"
    assert event["user_email"] == "picker@example.com"
    assert event["timestamp"]


def test_refused_withdrawal_emits_nothing(cluster, factory, live_client):
    item = factory.item(quantity=10)
    token = factory.token(factory.user("staff"))
    client = live_client(cluster.b.url, token)

    refused = requests.post(
        f"{cluster.a.url}/api/v1/items/{item.id}/withdraw", json={"quantity": 50}, headers=bearer(token), timeout=10
    )
    assert refused.status_code == 409
    done = requests.post(
        f"{cluster.a.url}/api/v1/items/{item.id}/withdraw", json={"quantity": 1}, headers=bearer(token), timeout=10
    )
    assert done.status_code == 200

    # Events from one process leave in commit order: had the refused withdrawal emitted
    # anything, it would arrive before this one.
    name, event = client.next()
    assert name == "stock_changed"
    assert (event["quantity_before"], event["quantity_after"], event["delta"]) == (10, 9, -1)


def test_low_stock_alert_reaches_managers_only(cluster, factory, live_client):
    item = factory.item(quantity=10, low_stock_threshold=5)
    manager_token = factory.token(factory.user("manager"))
    staff_token = factory.token(factory.user("staff"))
    manager = live_client(cluster.b.url, manager_token)
    staff = live_client(cluster.a.url, staff_token)

    for quantity in (6, 1):  # the first crosses the threshold, the second does not
        response = requests.post(
            f"{cluster.a.url}/api/v1/items/{item.id}/withdraw",
            json={"quantity": quantity},
            headers=bearer(staff_token),
            timeout=10,
        )
        assert response.status_code == 200

    assert [manager.next()[0] for _ in range(3)] == ["stock_changed", "low_stock_alert", "stock_changed"]
    assert [staff.next()[0] for _ in range(2)] == ["stock_changed", "stock_changed"]


def test_movement_committed_in_a_worker_process_reaches_clients(cluster, factory, live_client):
    """A Celery task runs services inside create_app() with no web server: its events go through Redis."""
    item = factory.item(quantity=4)
    manager = factory.user("manager", email="night-shift@example.com")
    client = live_client(cluster.a.url, factory.token(manager))
    script = (
        "from app import create_app\n"
        "from app.extensions import db\n"
        "from app.models import User\n"
        "from app.services import stock\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    stock.restock({item.id}, 6, actor=db.session.get(User, {manager.id}))\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=cluster.env, check=True, timeout=60)

    name, event = client.next("stock_changed")
    assert (event["item_id"], event["item_quantity_before"], event["item_quantity"]) == (item.id, 4, 10)
    assert event["action"] == "restock"
    assert event["user_email"] == "night-shift@example.com"


def test_emit_external_from_a_process_without_the_app_reaches_clients(cluster, factory, live_client):
    client = live_client(cluster.b.url, factory.token(factory.user("staff")))
    payload = {"item_id": 4242, "sku": "EXT-1", "name": "External", "item_quantity": 3}
    script = (
        "import json, sys\n"
        "from app.realtime import emit_external\n"
        "emit_external('stock_changed', json.loads(sys.argv[1]))\n"
    )
    subprocess.run(
        [sys.executable, "-c", script, json.dumps(payload)], cwd=ROOT, env=cluster.env, check=True, timeout=60
    )

    assert client.next("stock_changed") == ("stock_changed", payload)


def _expired_token(app, user) -> str:
    from flask_jwt_extended import create_access_token

    with app.app_context():
        return create_access_token(identity=str(user.id), expires_delta=timedelta(seconds=-30))


def _refresh_token(app, user) -> str:
    from app.auth import issue_tokens
    from app.extensions import db
    from app.models import User

    with app.test_request_context():
        return issue_tokens(db.session.get(User, user.id))["refresh_token"]


@pytest.mark.parametrize("credential", ["none", "garbage", "expired", "refresh-token", "deactivated-user"])
def test_connection_refused_without_an_active_users_access_token(cluster, app, factory, credential):
    user = factory.user("manager", active=credential != "deactivated-user")
    token = {
        "none": None,
        "garbage": "not-a-token",
        "expired": _expired_token(app, user),
        "refresh-token": _refresh_token(app, user),
        "deactivated-user": factory.token(user),
    }[credential]
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            cluster.b.url, auth={"token": token} if token else None, transports=["websocket"], wait_timeout=10
        )
    assert not client.connected
    client.disconnect()
