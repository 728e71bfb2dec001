"""Retry a provider call with capped exponential backoff; give up on permanent errors."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from celery import Task
from flask import current_app

from app.services.mailer import InFlight, SendError


def backoff(retries: int) -> float:
    """Seconds before the next attempt: base * 2**retries, capped, with jitter (50-100 %)."""
    cfg = current_app.config
    return min(cfg["SENDGRID_RETRY_BACKOFF_MAX"], cfg["SENDGRID_RETRY_BACKOFF"] * 2**retries) * random.uniform(0.5, 1.0)


def with_retries(task: Task, work: Callable[[], Any], on_give_up: Callable[[str], None] | None = None) -> Any:
    """Run `work`; retry transient SendError up to SENDGRID_MAX_RETRIES times, then give up; wait out InFlight."""
    try:
        return work()
    except InFlight as exc:
        # Another worker is sending this email: look again soon, never give up on it (the row
        # goes stale after SENDGRID_TIMEOUT, then this task takes it over). Short countdowns:
        # a task held longer than the broker's visibility timeout would be handed out again.
        raise task.retry(exc=exc, countdown=max(0.5, min(exc.retry_after, backoff(0))), max_retries=None) from exc
    except SendError as exc:
        if exc.transient and task.request.retries < current_app.config["SENDGRID_MAX_RETRIES"]:
            raise task.retry(exc=exc, countdown=backoff(task.request.retries), max_retries=None) from exc
        if on_give_up is not None:
            attempts = task.request.retries + 1
            on_give_up(f"{exc} (gave up after {attempts} attempt{'s' if attempts > 1 else ''})")
        raise
