"""When no database connection can be had, the API answers 503 with Retry-After (not a 500)."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.core


@pytest.fixture()
def tiny_pool_app(app):
    """The suite's database behind a pool of one connection that gives up after 0.2 s."""
    from app import create_app
    from app.config import TestingConfig

    settings = TestingConfig()
    settings.SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.2}
    settings.CELERY_BROKER_DIR = app.config["CELERY_BROKER_DIR"]
    tiny = create_app(settings)
    yield tiny
    with tiny.app_context():
        from app.extensions import db

        db.engine.dispose()


def test_exhausted_pool_is_503_with_retry_after_and_moves_nothing(tiny_pool_app, api, factory):
    from app.extensions import db

    item = factory.item(quantity=5)
    headers = api.as_("staff")
    client = tiny_pool_app.test_client()
    with tiny_pool_app.app_context():
        held = db.engine.connect()  # the pool's only connection, busy elsewhere
        try:
            response = client.post(f"/api/v1/items/{item.id}/withdraw", json={"quantity": 1}, headers=headers)
        finally:
            held.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.get_json()["error"]["code"] == "service_unavailable"
    assert api.get(f"/api/v1/items/{item.id}", role="staff").get_json()["quantity"] == 5


@pytest.fixture()
def quick_ping_app(app):
    """The suite's database, with pooled connections pinged once idle for 0.2 s."""
    from app import create_app
    from app.config import TestingConfig

    settings = TestingConfig()
    settings.DB_PING_AFTER_IDLE_SECONDS = 0.2
    settings.CELERY_BROKER_DIR = app.config["CELERY_BROKER_DIR"]
    quick = create_app(settings)
    yield quick
    with quick.app_context():
        from app.extensions import db

        db.engine.dispose()


@pytest.mark.skipif(os.environ.get("TEST_DB") == "sqlite", reason="a server's connections; SQLite is a file")
def test_a_connection_the_database_cut_while_idle_is_replaced_before_a_request_uses_it(quick_ping_app, api, factory):
    """What a database restart does to pooled connections: the next request still succeeds."""
    import time

    import psycopg2
    import sqlalchemy as sa

    from app.extensions import db

    item = factory.item(quantity=5)
    headers = api.as_("staff")
    client = quick_ping_app.test_client()
    assert client.get(f"/api/v1/items/{item.id}", headers=headers).status_code == 200  # a pooled connection now
    with quick_ping_app.app_context():
        url = db.engine.url
        assert db.engine.pool.checkedin() == 1
        pooled = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()  # the same connection
        db.session.remove()
    admin = psycopg2.connect(host=url.host, port=url.port, user=url.username, dbname=url.database)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", (pooled,))
        assert cur.fetchone()[0] is True
    admin.close()
    time.sleep(0.3)
    response = client.post(f"/api/v1/items/{item.id}/withdraw", json={"quantity": 1}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["quantity"] == 4
