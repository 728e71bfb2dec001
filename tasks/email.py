"""Email tasks: low-stock alerts, request decisions, backup failures, purchase orders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from flask import current_app

from app import jobs
from app.services import notifications, pending_email
from app.services.purchasing import order_email
from tasks.retry import with_retries


@shared_task(bind=True, name=jobs.SEND_LOW_STOCK_ALERT, max_retries=None)
def send_low_stock_alert(self, alert_id: int) -> int:
    """Email the alert to managers and admins once each; a permanent failure lands on alert.send_error."""
    return with_retries(
        self,
        lambda: notifications.send_low_stock_alert(alert_id),
        lambda error: notifications.record_alert_failure(alert_id, error),
    )


@shared_task(bind=True, name=jobs.SEND_REQUEST_DECIDED, max_retries=None)
def send_request_decided(self, payload: dict[str, Any]) -> int:
    """Tell the request's author about the decision (works from the event payload alone)."""
    return with_retries(self, lambda: notifications.send_request_decided(payload))


@shared_task(bind=True, name=jobs.SEND_BACKUP_FAILURE, max_retries=None)
def send_backup_failure(self, backup_id: int) -> int:
    """Tell the admins a backup failed."""
    return with_retries(self, lambda: notifications.send_backup_failure(backup_id))


@shared_task(bind=True, name=jobs.SEND_PURCHASE_ORDER, max_retries=None)
def send_purchase_order(self, order_id: int) -> int:
    """Email a sent purchase order's PDF to its supplier, once."""
    return with_retries(self, lambda: order_email.send_purchase_order(order_id))


@shared_task(name=jobs.SWEEP_PENDING_EMAILS)
def sweep_pending_emails() -> int:
    """Enqueue again every email still owed (its first enqueue was lost); returns how many."""
    cfg = current_app.config
    owed = pending_email.pending(
        grace=timedelta(seconds=cfg["EMAIL_SWEEP_GRACE_SECONDS"]),
        max_age=timedelta(hours=cfg["EMAIL_SWEEP_MAX_AGE_HOURS"]),
    )
    for alert_id in owed.alert_ids:
        jobs.enqueue(jobs.SEND_LOW_STOCK_ALERT, alert_id)
    for payload in owed.request_payloads:
        jobs.enqueue(jobs.SEND_REQUEST_DECIDED, payload)
    for backup_id in owed.backup_ids:
        jobs.enqueue(jobs.SEND_BACKUP_FAILURE, backup_id)
    for order_id in owed.purchase_order_ids:
        jobs.enqueue(jobs.SEND_PURCHASE_ORDER, order_id)
    return len(owed)
