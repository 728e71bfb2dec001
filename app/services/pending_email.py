"""Emails that should have gone out but have not: found again so an outage delays, never loses, them.

An email task is enqueued after its transaction commits. When that enqueue fails (Redis
down, the process killed between the commit and the send), nothing else would pick the
email up. The sweep (tasks.email.sweep_pending_emails, run by beat every
EMAIL_SWEEP_SCHEDULE) asks the database what is still owed and enqueues it again;
the outbox rows (app/services/mailer.py) make a second enqueue harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Alert, Backup, OutboxEmail, PurchaseOrder, RequestState, StockRequest, StockRequestEvent, User
from app.models.base import utcnow

DECISIONS = (RequestState.APPROVED.value, RequestState.REJECTED.value)


@dataclass
class Pending:
    alert_ids: list[int] = field(default_factory=list)
    request_payloads: list[dict[str, Any]] = field(default_factory=list)
    backup_ids: list[int] = field(default_factory=list)
    purchase_order_ids: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.alert_ids) + len(self.request_payloads) + len(self.backup_ids) + len(self.purchase_order_ids)


def _sent(key: sa.ColumnElement) -> sa.Exists:
    return sa.exists().where(OutboxEmail.message_key == key, OutboxEmail.state == "sent")


def pending(grace: timedelta, max_age: timedelta) -> Pending:
    """What is still owed: older than `grace` (its own task had time to run), younger than `max_age`."""
    now = utcnow()
    newest, oldest = now - grace, now - max_age
    alert_ids = db.session.execute(
        sa.select(Alert.id)
        .where(
            Alert.sent_at.is_(None),
            Alert.send_error.is_(None),
            Alert.resolved_at.is_(None),  # stock came back meanwhile: nothing to warn about
            Alert.created_at.between(oldest, newest),
        )
        .order_by(Alert.id)
    ).scalars()
    decisions = db.session.execute(
        sa.select(StockRequestEvent.request_id, StockRequestEvent.state, User.email, StockRequest.reason)
        .join(StockRequest, StockRequest.id == StockRequestEvent.request_id)
        .join(User, User.id == StockRequest.author_id)
        .where(
            StockRequestEvent.state.in_(DECISIONS),
            StockRequestEvent.created_at.between(oldest, newest),
            ~_sent(
                sa.literal("request:")
                + sa.cast(StockRequestEvent.request_id, sa.String)
                + ":"
                + StockRequestEvent.state
            ),
        )
        .order_by(StockRequestEvent.id)
    ).all()
    backup_ids = db.session.execute(
        sa.select(Backup.id)
        .where(
            Backup.outcome == "failure",
            Backup.finished_at.between(oldest, newest),
            ~_sent(sa.literal("backup-failed:") + sa.cast(Backup.id, sa.String)),
        )
        .order_by(Backup.id)
    ).scalars()
    purchase_order_ids = db.session.execute(
        sa.select(PurchaseOrder.id)
        .where(
            PurchaseOrder.sent_at.between(oldest, newest),
            ~_sent(sa.literal("purchase-order:") + sa.cast(PurchaseOrder.id, sa.String)),
        )
        .order_by(PurchaseOrder.id)
    ).scalars()
    found = Pending(
        alert_ids=list(alert_ids),
        request_payloads=[
            {
                "request_id": rid,
                "author_email": email,
                "state": state,
                "reason": reason if state == "rejected" else None,
            }
            for rid, state, email, reason in decisions
        ],
        backup_ids=list(backup_ids),
        purchase_order_ids=list(purchase_order_ids),
    )
    db.session.rollback()
    return found
