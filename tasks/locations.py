"""Location tasks: count again the figures of the locations above a moved subtree."""

from __future__ import annotations

from celery import shared_task

from app import jobs
from app.services import location_recount


@shared_task(name=jobs.RECOUNT_LOCATIONS, acks_late=True)
def recount_locations() -> list[int]:
    """Count again every location a move queued (idempotent: a second run finds nothing queued)."""
    return location_recount.recount_pending()
