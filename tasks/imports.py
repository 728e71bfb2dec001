"""Import tasks: the dry run of a large file, and the run in batches (resumable: see app/services/imports/runs.py)."""

from __future__ import annotations

from celery import shared_task

from app import jobs
from app.services.imports import runs as imports


@shared_task(name=jobs.VALIDATE_IMPORT, acks_late=True)
def validate_import(import_id: int) -> str:
    """Validate every row of an import (changes nothing). Raises NotFound."""
    return imports.validate(import_id).state


@shared_task(name=jobs.RUN_IMPORT, acks_late=True, reject_on_worker_lost=True)
def run_import(import_id: int) -> str:
    """Apply an import's rows after the last committed batch; redelivered after a crash, it resumes. Raises NotFound."""
    return imports.run(import_id).state
