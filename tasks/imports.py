"""Import tasks: the dry run of a large file, and the run in batches (resumable: see app/services/imports/runs.py)."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from flask import current_app

from app import jobs
from app.services.imports import runs as imports
from app.services.imports import stalled

log = logging.getLogger(__name__)


@shared_task(name=jobs.VALIDATE_IMPORT, acks_late=True)
def validate_import(import_id: int) -> str:
    """Validate every row of an import (changes nothing). Raises NotFound."""
    return imports.validate(import_id).state


@shared_task(name=jobs.RUN_IMPORT, acks_late=True, reject_on_worker_lost=True)
def run_import(import_id: int) -> str:
    """Apply an import's rows after the last committed batch; redelivered after a crash, it resumes. Raises NotFound."""
    return imports.run(import_id).state


@shared_task(name=jobs.SWEEP_STALLED_IMPORTS)
def sweep_stalled_imports() -> list[int]:
    """Hand every import whose run stopped (no batch for IMPORT_STALL_SECONDS) to a worker again."""
    ids = stalled.claim_stalled(timedelta(seconds=current_app.config["IMPORT_STALL_SECONDS"]))
    for import_id in ids:
        log.warning("import %s made no progress; resuming it after its last committed batch", import_id)
        jobs.enqueue(jobs.RUN_IMPORT, import_id)
    return ids
