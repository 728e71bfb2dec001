"""Domain events: queued on the database session, delivered only after it commits.

Services call publish(). Subscribers (live updates, task enqueuers) are registered
per app with subscribe(); they run after a successful commit, and a rollback drops
whatever the transaction had queued.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db

log = logging.getLogger(__name__)

Subscriber = Callable[[str, dict[str, Any]], None]
_PENDING = "pending_events"


def publish(name: str, payload: dict[str, Any]) -> None:
    """Queue an event on the current transaction."""
    db.session.info.setdefault(_PENDING, []).append((name, payload))


def announce(name: str, payload: dict[str, Any]) -> None:
    """Deliver an event that records nothing (a job's progress, e.g. "backup_started") right away.

    Anything that reports a change to data goes through publish(), so it leaves only after the commit.
    """
    _send([(name, payload)])


def subscribe(app: Flask, subscriber: Subscriber) -> None:
    app.extensions.setdefault("event_subscribers", []).append(subscriber)


def _deliver(session: Session) -> None:
    _send(session.info.pop(_PENDING, []))


def _send(pending: list[tuple[str, dict[str, Any]]]) -> None:
    if not pending or not has_app_context():
        return
    for name, payload in pending:
        for subscriber in current_app.extensions.get("event_subscribers", []):
            try:
                subscriber(name, payload)
            except Exception:  # one broken subscriber must not undo or block a commit
                log.exception("event subscriber %r failed for %s", subscriber, name)


def _drop(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


_listening = False


def init_app(app: Flask) -> None:
    global _listening
    app.extensions.setdefault("event_subscribers", [])
    if not _listening:
        event.listen(Session, "after_commit", _deliver)
        event.listen(Session, "after_transaction_end", _drop)
        _listening = True
