"""Backup: one recorded backup attempt (file, where it went, outcome, size, checksum)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow


class Backup(db.Model):
    """One backup attempt: where the file went, how big, its checksum, how long, and the outcome."""

    __tablename__ = "backups"

    id: Mapped[int] = mapped_column(primary_key=True)
    file: Mapped[str] = mapped_column(sa.String(255), nullable=False)  # the file name
    location: Mapped[str] = mapped_column(sa.String(1024), nullable=False)  # a path, or s3://bucket/key
    size_bytes: Mapped[int | None] = mapped_column(sa.BigInteger)
    checksum_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    duration_ms: Mapped[int | None] = mapped_column(sa.Integer)
    outcome: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    error: Mapped[str | None] = mapped_column(sa.Text)
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    # Set when the file was deleted to keep only the newest BACKUP_KEEP.
    pruned_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (sa.CheckConstraint("outcome IN ('success', 'failure')", name="outcome_valid"),)
