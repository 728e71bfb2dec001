"""What to email to whom: low-stock alerts, request decisions, backup failures.

Low-stock alerts go to every active user whose role may read alerts (managers and
admins, per app/permissions.py). Backup failures go to active admins.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import Alert, Backup, Item, Location, Role, User
from app.models.base import utcnow
from app.permissions import ROLE_PERMISSIONS, Permission
from app.services.mailer import Email, deliver
from app.services.uow import unit_of_work


def recipients(permission: Permission = Permission.ALERTS_READ) -> list[str]:
    """Addresses of active users whose role grants `permission`."""
    roles = [role.value for role, perms in ROLE_PERMISSIONS.items() if permission in perms]
    return list(
        db.session.execute(
            sa.select(User.email).where(User.is_active.is_(True), User.role.in_(roles)).order_by(User.email)
        ).scalars()
    )


def admin_recipients() -> list[str]:
    return list(
        db.session.execute(
            sa.select(User.email).where(User.is_active.is_(True), User.role == Role.ADMIN.value).order_by(User.email)
        ).scalars()
    )


def item_link(item_id: int) -> str:
    return f"{current_app.config['APP_BASE_URL'].rstrip('/')}/items/{item_id}"


def low_stock_email(alert: Alert, to: str) -> Email:
    item = db.session.get(Item, alert.item_id)
    location = db.session.get(Location, alert.location_id) if alert.location_id else None
    text = (
        f"{item.name} is running low.\n\n"
        f"Item:       {item.name}\n"
        f"SKU:        {item.sku}\n"
        f"Quantity:   {alert.quantity} {item.unit}\n"
        f"Threshold:  {alert.threshold}\n"
        f"Location:   {location.path if location else '-'}\n\n"
        f"Open the item: {item_link(item.id)}\n"
    )
    return Email(to=to, subject=f"Low stock: {item.name} ({item.sku}) - {alert.quantity} left", text=text)


def send_low_stock_alert(alert_id: int) -> int:
    """Email the alert to every manager and admin not yet emailed; returns how many got it now. Raises SendError.

    An alert resolved before its email went out (stock came back while the queue was slow or
    down) is not sent: "3 left" would be false by then, and the Alerts page keeps its history.
    """
    alert = db.session.get(Alert, alert_id)
    if alert is None or alert.sent_at is not None or alert.resolved_at is not None:
        return 0
    to = recipients()
    if not to:
        record_alert_failure(alert_id, "No active manager or admin to notify.")
        return 0
    emails = [low_stock_email(alert, address) for address in to]
    sent = sum(deliver(f"alert:{alert_id}", email) for email in emails)  # each send: its own short transaction
    with unit_of_work():
        alert = db.session.get(Alert, alert_id)
        alert.sent_at = utcnow()
        alert.recipients = ",".join(to)
        alert.send_error = None
    return sent


def record_alert_failure(alert_id: int, error: str) -> None:
    """Keep a permanent failure on the alert, where managers see it."""
    db.session.rollback()  # whatever the failed attempt left open
    with unit_of_work():
        alert = db.session.get(Alert, alert_id)
        if alert is not None and alert.sent_at is None:
            alert.send_error = error[:2000]


def send_request_decided(payload: dict[str, Any]) -> int:
    """Tell a request's author it was approved or rejected. Raises SendError."""
    author = payload.get("author_email")
    if not author:
        return 0
    state = str(payload.get("state") or "decided")
    request_id = payload.get("request_id")
    reason = payload.get("reason")
    text = f"Your stock request #{request_id} was {state}.\n"
    if reason:
        text += f"\nReason: {reason}\n"
    text += f"\nSee it here: {current_app.config['APP_BASE_URL'].rstrip('/')}/requests/{request_id}\n"
    email = Email(to=author, subject=f"Your request #{request_id} was {state}", text=text)
    return int(deliver(f"request:{request_id}:{state}", email))


def send_backup_failure(backup_id: int) -> int:
    """Tell every admin that a backup failed. Raises SendError."""
    backup = db.session.get(Backup, backup_id)
    if backup is None or backup.outcome != "failure":
        return 0
    text = (
        f"The backup started at {backup.started_at:%Y-%m-%d %H:%M} UTC failed.\n\n"
        f"Error: {backup.error}\n\nSee {current_app.config['APP_BASE_URL'].rstrip('/')}/backups\n"
    )
    emails = [Email(to=a, subject="Backup FAILED", text=text) for a in admin_recipients()]
    return sum(deliver(f"backup-failed:{backup_id}", email) for email in emails)


def undelivered_alerts(limit: int = 50) -> list[Alert]:
    """Alerts whose email failed for good (send_error set, never sent)."""
    return list(
        db.session.execute(
            sa.select(Alert)
            .where(Alert.send_error.is_not(None), Alert.sent_at.is_(None))
            .order_by(Alert.id.desc())
            .limit(limit)
        ).scalars()
    )
