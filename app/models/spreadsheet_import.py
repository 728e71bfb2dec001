"""A spreadsheet import: its file, mapping, state, counts and the rows already applied (resumable)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.extensions import db
from app.models.base import TimestampMixin


class ImportState(enum.StrEnum):
    UPLOADED = "uploaded"  # waiting for a mapping that names the required fields
    VALIDATING = "validating"
    VALIDATED = "validated"  # dry run done: counts and errors known, nothing changed
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Import(TimestampMixin, db.Model):
    """A spreadsheet of items (and stock) being loaded: the file, its mapping, the dry run and the run.

    `applied_through` is the last data row whose batch committed, written in that batch's
    transaction: a worker killed mid-import resumes after it, so every row applies once.
    """

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="items")
    state: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=ImportState.UPLOADED, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    file_format: Mapped[str] = mapped_column(sa.String(8), nullable=False)  # csv | xlsx
    sheet: Mapped[str | None] = mapped_column(sa.String(255))
    size: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    content: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary, nullable=False))
    columns: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    sheets: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    mapping: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    options: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    on_error: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="stop")
    message: Mapped[str | None] = mapped_column(sa.Text)  # why it waits or failed
    total_rows: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    processed_rows: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    applied_through: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    # The dry run's plan: {created, updated, unchanged, errors}; and what the run did.
    counts: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    applied: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    # {row number: [[column header, message], ...]} for every row with an error.
    errors: Mapped[dict] = deferred(mapped_column(sa.JSON, nullable=False, default=dict))
    # The first rows as read, with their cell errors, for the preview page.
    preview: Mapped[list] = deferred(mapped_column(sa.JSON, nullable=False, default=list))
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (
        sa.CheckConstraint(
            "state IN ('uploaded', 'validating', 'validated', 'running', 'done', 'failed', 'cancelled')",
            name="state_valid",
        ),
        sa.CheckConstraint("on_error IN ('stop', 'skip')", name="on_error_valid"),
    )
