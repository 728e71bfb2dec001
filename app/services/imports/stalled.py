"""Imports whose run stopped: a worker killed mid-import leaves it `running`, and nothing else
would look at it until the broker's visibility timeout (an hour) hands the task out again.

The run commits `applied_through` with every batch, and each commit moves the import's
`updated_at`; an import `running` with no commit for IMPORT_STALL_SECONDS has no live run
(a batch takes seconds). The beat's sweep (tasks/imports.py) hands such imports to a worker
again, which resumes after the last committed batch. Should the first run still be alive, the
twin check under the import's lock (runs._apply_batch) still applies each row once.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Import, ImportState
from app.models.base import utcnow
from app.services.uow import unit_of_work


def claim_stalled(stall: timedelta) -> list[int]:
    """The ids of running imports with no progress for `stall`, each marked as just swept (so
    the next sweep waits another `stall` before handing it out again)."""
    with unit_of_work():
        ids = list(
            db.session.scalars(
                sa.select(Import.id)
                .where(Import.state == ImportState.RUNNING, Import.updated_at < utcnow() - stall)
                .order_by(Import.id)
                .with_for_update(skip_locked=True)  # a live run holds its import's lock
            )
        )
        if ids:
            db.session.execute(sa.update(Import).where(Import.id.in_(ids)).values(updated_at=utcnow()))
    return ids
