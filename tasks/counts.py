"""Cycle counting: beat enqueues this daily; it opens the stock counts that fell due."""

from __future__ import annotations

from celery import shared_task

from app import jobs
from app.services.counts import schedule as count_schedule


@shared_task(name=jobs.OPEN_DUE_COUNTS)
def open_due_counts() -> list[int]:
    """Open a scheduled count for each location whose date has come; idempotent (never two per location)."""
    return count_schedule.open_due_counts()
