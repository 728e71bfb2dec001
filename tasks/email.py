"""Email tasks: low-stock alerts, request decisions, backup failures."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from app.services import notifications
from tasks.retry import with_retries


@shared_task(bind=True, name="tasks.email.send_low_stock_alert", max_retries=None)
def send_low_stock_alert(self, alert_id: int) -> int:
    """Email the alert to managers and admins once each; a permanent failure lands on alert.send_error."""
    return with_retries(
        self,
        lambda: notifications.send_low_stock_alert(alert_id),
        lambda error: notifications.record_alert_failure(alert_id, error),
    )


@shared_task(bind=True, name="tasks.email.send_request_decided", max_retries=None)
def send_request_decided(self, payload: dict[str, Any]) -> int:
    """Tell the request's author about the decision (works from the event payload alone)."""
    return with_retries(self, lambda: notifications.send_request_decided(payload))


@shared_task(bind=True, name="tasks.email.send_backup_failure", max_retries=None)
def send_backup_failure(self, backup_id: int) -> int:
    """Tell the admins a backup failed."""
    return with_retries(self, lambda: notifications.send_backup_failure(backup_id))
