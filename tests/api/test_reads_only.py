"""The hot reads (item list, item detail, scan) run on PostgreSQL without a transaction of their
own (no BEGIN, no ROLLBACK: app/services/uow.py reads_only), answer as before, and a write
never runs that way."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from app.extensions import db


@pytest.fixture()
def autocommit_seen(app):
    """For every statement run meanwhile: whether its DBAPI connection was in autocommit mode."""
    seen: list[bool] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(bool(getattr(conn.connection.dbapi_connection, "autocommit", False)))

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("reads_only applies to PostgreSQL only")
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_list_detail_and_scan_run_every_statement_without_a_transaction(api, factory, autocommit_seen):
    manager = factory.user("manager")
    item = factory.item(quantity=5, actor=manager, name="Widget blue")
    api.as_("manager")
    for path in ("/api/v1/items?search=widget", f"/api/v1/items/{item.id}", f"/api/v1/scan?code=I{item.id}"):
        autocommit_seen.clear()
        answer = api.get(path)
        assert answer.status_code == 200, answer.get_json()
        assert autocommit_seen and all(autocommit_seen), path
    assert api.get("/api/v1/items?search=widget").get_json()["items"][0]["id"] == item.id
    assert api.get(f"/api/v1/items/{item.id}").get_json()["quantity"] == 5


def test_a_movement_still_runs_in_one_transaction(api, factory, autocommit_seen):
    manager = factory.user("manager")
    item = factory.item(quantity=5, actor=manager)
    api.as_("manager")
    api.get(f"/api/v1/items/{item.id}")  # a read just before leaves nothing behind
    autocommit_seen.clear()
    answer = api.post(f"/api/v1/items/{item.id}/withdraw", json={"quantity": 1})
    assert answer.status_code == 200
    assert autocommit_seen and not any(autocommit_seen)
    assert api.get(f"/api/v1/items/{item.id}").get_json()["quantity"] == 4


def test_a_unit_of_work_inside_reads_only_is_refused_and_the_session_recovers(app, factory, autocommit_seen):
    from app.models import Item
    from app.services.uow import reads_only, unit_of_work

    item = factory.item(quantity=1)

    @reads_only
    def writes() -> None:
        with unit_of_work():
            db.session.get(Item, item.id).name = "Changed"

    with app.test_request_context():
        with pytest.raises(RuntimeError, match="reads_only"):
            writes()
        assert not db.session().in_transaction()
        with unit_of_work():
            db.session.get(Item, item.id).description = "Written"
        db.session.remove()
    with app.app_context():
        row = db.session.get(Item, item.id)
        assert (row.name != "Changed", row.description) == (True, "Written")
        db.session.remove()
