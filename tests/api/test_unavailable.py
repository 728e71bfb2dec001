"""When no database connection can be had, the API answers 503 with Retry-After (not a 500)."""

from __future__ import annotations

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
