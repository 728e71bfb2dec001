"""Background jobs wiring: which events enqueue which task, the beat schedule, queue options.

The web process never imports tasks/: it enqueues by task name on its own Celery
instance (app.extensions["celery"]), so a second app in the same process (tests) or
a process without a worker enqueues to the right broker.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from celery.schedules import crontab
from flask import Flask, current_app

from app import events

log = logging.getLogger(__name__)

SEND_LOW_STOCK_ALERT = "tasks.email.send_low_stock_alert"
SEND_REQUEST_DECIDED = "tasks.email.send_request_decided"
RUN_BACKUP = "tasks.backups.run_backup"
SEND_LOW_STOCK_DIGEST = "tasks.reports.send_low_stock_digest"
SEND_VALUATION_REPORT = "tasks.reports.send_valuation_report"
SEND_BACKUP_FAILURE = "tasks.email.send_backup_failure"
SWEEP_PENDING_EMAILS = "tasks.email.sweep_pending_emails"


def enqueue(task_name: str, *args: Any) -> None:
    """Send a task by name through this app's broker.

    No result is kept: sending by name would otherwise subscribe to the result backend,
    which retries for ~20 s when Redis is down, holding the request that enqueued.
    """
    current_app.extensions["celery"].send_task(task_name, args=list(args), ignore_result=True)


def on_event(name: str, payload: dict[str, Any]) -> None:
    """After-commit subscriber: turn domain events into tasks."""
    if name == "low_stock_alert":
        enqueue(SEND_LOW_STOCK_ALERT, payload["alert_id"])
    elif name == "request_decided":
        fields = ("request_id", "author_email", "state", "reason")
        enqueue(SEND_REQUEST_DECIDED, {key: payload.get(key) for key in fields})


def schedule(spec: str) -> crontab | timedelta:
    """A crontab line ("0 2 * * *"), or a number of seconds ("5")."""
    spec = spec.strip()
    try:
        return timedelta(seconds=float(spec))
    except ValueError:
        pass
    parts = spec.split()
    if len(parts) != 5:
        raise RuntimeError(f"Schedule {spec!r} is neither a crontab line (5 fields) nor a number of seconds")
    minute, hour, day_of_month, month_of_year, day_of_week = parts
    return crontab(minute, hour, day_of_week, day_of_month, month_of_year)


def beat_schedule(config: Mapping[str, Any]) -> dict[str, dict]:
    """Beat only enqueues these; workers do the work."""
    return {
        "nightly-backup": {"task": RUN_BACKUP, "schedule": schedule(config["BACKUP_SCHEDULE"])},
        "low-stock-digest": {"task": SEND_LOW_STOCK_DIGEST, "schedule": schedule(config["LOW_STOCK_DIGEST_SCHEDULE"])},
        "weekly-valuation": {"task": SEND_VALUATION_REPORT, "schedule": schedule(config["VALUATION_REPORT_SCHEDULE"])},
        # Emails whose enqueue was lost (app/services/pending_email.py).
        "email-sweep": {"task": SWEEP_PENDING_EMAILS, "schedule": schedule(config["EMAIL_SWEEP_SCHEDULE"])},
    }


def celery_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """Queue name, redelivery timing and the schedule, from the settings."""
    transport: dict[str, Any] = {}
    if config.get("REDIS_URL"):
        visibility = config["CELERY_VISIBILITY_TIMEOUT"]
        transport = {
            # A task whose worker died is handed out again after this many seconds.
            "visibility_timeout": visibility,
            "unacked_restore_interval": max(1, min(10, visibility // 2)),
            "unacked_restore_throttle": 1,
        }
        if config.get("CELERY_REDIS_KEY_PREFIX"):
            transport["global_keyprefix"] = config["CELERY_REDIS_KEY_PREFIX"]
    return {
        "task_default_queue": config["CELERY_TASK_DEFAULT_QUEUE"],
        "broker_transport_options": transport,
        "beat_schedule": beat_schedule(config),
    }


def init_app(app: Flask) -> None:
    events.subscribe(app, on_event)
