"""Backup task: beat enqueues it; a failure is recorded and emailed to the admins."""

from __future__ import annotations

from celery import shared_task

from app import jobs
from app.services import backups


@shared_task(name=jobs.RUN_BACKUP)
def run_backup() -> dict:
    """Back up the database now; returns the recorded outcome."""
    record = backups.run_backup()
    if record.outcome == "failure":
        jobs.enqueue(jobs.SEND_BACKUP_FAILURE, record.id)
    return {"id": record.id, "outcome": record.outcome, "location": record.location, "error": record.error}
