"""Waiting for and reading what the Celery pipeline did: alerts, outbox rows."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(predicate: Callable[[], object], timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):
    """Poll until `predicate` is truthy (a deadline against hanging, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"gave up waiting for {what}")


def alert_for(app, item_id: int):
    """The newest alert of an item, read fresh from the database."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Alert

    with app.app_context():
        alert = db.session.execute(sa.select(Alert).where(Alert.item_id == item_id).order_by(Alert.id.desc())).scalar()
        if alert is not None:
            db.session.expunge(alert)
        db.session.remove()
        return alert


def outbox_rows(app, key_prefix: str = "") -> list:
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import OutboxEmail

    with app.app_context():
        rows = list(
            db.session.execute(
                sa.select(OutboxEmail)
                .where(OutboxEmail.message_key.startswith(key_prefix))
                .order_by(OutboxEmail.recipient)
            ).scalars()
        )
        db.session.expunge_all()
        db.session.remove()
        return rows
