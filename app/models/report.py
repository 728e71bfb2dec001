"""Report: a stored report (the weekly valuation), one per kind and period, with its CSV."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow


class Report(db.Model):
    """A generated report, stored with its CSV so it can be downloaded later."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)  # "valuation"
    period_start: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    period_end: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    filename: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    content: Mapped[str] = mapped_column(sa.Text, nullable=False)  # the CSV
    summary: Mapped[str | None] = mapped_column(sa.Text)  # one line for lists and the email
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, nullable=False, index=True)

    __table_args__ = (sa.UniqueConstraint("kind", "period_end", name="uq_reports_kind_period_end"),)
