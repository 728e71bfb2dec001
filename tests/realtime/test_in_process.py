"""One process with no Redis (the embedded default): session-cookie connections, rooms, the client count."""

from __future__ import annotations

import pytest


def _login_cookie(client, user) -> None:
    with client.session_transaction() as session:  # what Flask-Login stores after a login
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def _connect(app, client):
    from app.extensions import socketio

    return socketio.test_client(app, flask_test_client=client)


def test_session_cookie_of_an_active_user_connects_and_is_counted(app, client, factory):
    from app.realtime import connected_clients

    _login_cookie(client, factory.user("staff"))
    before = connected_clients()
    live = _connect(app, client)
    assert live.is_connected()
    assert connected_clients() == before + 1
    live.disconnect()
    assert connected_clients() == before


@pytest.mark.parametrize("who", ["anonymous", "deactivated"])
def test_session_cookie_refused_when_not_an_active_user(app, client, factory, who):
    from app.realtime import connected_clients

    if who == "deactivated":
        _login_cookie(client, factory.user("staff", active=False))
    before = connected_clients()
    live = _connect(app, client)
    assert not live.is_connected()
    assert connected_clients() == before


def test_committed_movement_reaches_a_client_of_the_same_process_without_redis(app, client, factory):
    from app.extensions import db
    from app.models import User
    from app.services import stock

    item = factory.item(quantity=2, low_stock_threshold=0)
    staff = factory.user("staff", email="solo@example.com")
    _login_cookie(client, staff)
    live = _connect(app, client)
    live.get_received()  # drop anything from before

    with app.app_context():
        stock.restock(item.id, 3, actor=db.session.get(User, staff.id))
        db.session.remove()

    received = [(m["name"], m["args"][0]) for m in live.get_received()]
    assert [name for name, _ in received] == ["stock_changed"]
    event = received[0][1]
    assert (event["item_quantity_before"], event["item_quantity"], event["delta"]) == (2, 5, 3)
    assert event["user_email"] == "solo@example.com"
    live.disconnect()


def test_event_rooms_follow_the_permission_table():
    from app.permissions import Permission
    from app.realtime.broadcast import rooms_for

    assert rooms_for("stock_changed", {}) == ["all"]
    assert rooms_for("low_stock_alert", {}) == [f"perm:{Permission.ALERTS_READ.value}"]
    assert rooms_for("request_decided", {"author_id": 7}) == [f"perm:{Permission.REQUESTS_READ_ALL.value}", "user:7"]
    assert rooms_for("something_internal", {}) is None
