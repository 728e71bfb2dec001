"""Waiting for and reading what the Celery pipeline did: alerts, outbox rows."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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


def procfile_concurrency() -> int:
    """The worker concurrency the Procfile runs with (its CELERY_CONCURRENCY default)."""
    line = next(x for x in (ROOT / "Procfile").read_text().splitlines() if x.startswith("worker:"))
    match = re.search(r"--concurrency=\$\{CELERY_CONCURRENCY:-(\d+)\}", line)
    assert match, f"no concurrency default in the Procfile's worker line: {line}"
    return int(match.group(1))
