"""One process with no Redis (the embedded default): session-cookie connections, rooms, the client count."""

from __future__ import annotations

import pytest

from tests.helpers.factories import as_actor


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
    from app.realtime import broadcast
    from app.services import stock

    item = factory.item(quantity=2, low_stock_threshold=0)
    staff = factory.user("staff", email="solo@example.com")
    _login_cookie(client, staff)
    live = _connect(app, client)
    live.get_received()  # drop anything from before

    with app.app_context():
        stock.restock(item.id, 3, actor=as_actor(staff))
        db.session.remove()
    # The commit only queues the event; the process's sender thread emits it just after.
    assert broadcast.flush(timeout=10)

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


@pytest.mark.parametrize("change", [{"is_active": False}, {"role": "manager"}])
def test_deactivating_or_changing_role_closes_the_users_live_connections(app, client, factory, change):
    """The connection was allowed for who the user was; after the change it is closed, and a
    deactivated user's reconnect is refused. Other users' connections stay open."""
    from app.extensions import db
    from app.services import users

    admin = factory.user("admin")
    staff = factory.user("staff")
    _login_cookie(client, staff)
    theirs = _connect(app, client)
    other_client = app.test_client()
    _login_cookie(other_client, factory.user("staff"))
    bystander = _connect(app, other_client)
    assert theirs.is_connected() and bystander.is_connected()

    with app.app_context():
        users.update_user(staff.id, dict(change), actor=as_actor(admin))
        db.session.remove()

    assert not theirs.is_connected()
    assert bystander.is_connected()
    again = _connect(app, client)
    assert again.is_connected() is ("role" in change)  # a new role may reconnect (new rooms); inactive may not
    for live in (bystander, again):
        if live.is_connected():
            live.disconnect()


def test_sweep_closes_connections_whose_user_changed_in_another_process(app, client, factory):
    """A change committed elsewhere (no event here) is caught by the periodic revalidation."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import User
    from app.realtime.connections import revalidate

    staff = factory.user("staff")
    _login_cookie(client, staff)
    live = _connect(app, client)
    assert live.is_connected()
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == staff.id).values(is_active=False))
        db.session.commit()  # a bare UPDATE: no event, as if another process had made it
        assert live.is_connected()
        assert revalidate() == 1
    assert not live.is_connected()


def test_count_updated_reaches_staff_counting_without_system_quantities(app, client, factory):
    from app.extensions import db
    from app.realtime import broadcast
    from app.services.counts import counting as counts

    shelf = factory.location("Counted shelf")
    item = factory.item(quantity=9, location=shelf)
    manager = factory.user("manager")
    staff = factory.user("staff")
    _login_cookie(client, staff)
    live = _connect(app, client)
    with app.app_context():
        count_id = counts.open_count(location_id=shelf.id, actor=as_actor(manager), blind=True).id
        assert broadcast.flush(timeout=10)
        live.get_received()  # from here on: what counting sends
        counts.record_line(count_id, item_id=item.id, location_id=shelf.id, counted=7, actor=as_actor(staff))
        db.session.remove()
    assert broadcast.flush(timeout=10)
    received = [(m["name"], m["args"][0]) for m in live.get_received()]
    assert [name for name, _ in received] == ["count_updated"]
    payload = received[0][1]
    assert (payload["count_id"], payload["line"]["counted"], payload["line"]["item_id"]) == (count_id, 7, item.id)
    assert "expected" not in str(payload) and "variance" not in str(payload) and "9" not in str(payload["line"])
    live.disconnect()
