"""Cycle counting: locations counted every N days, the job that opens the counts that fall
due, what the dashboard shows as due and overdue, and the record-accuracy report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.errors import Conflict
from app.extensions import db
from app.models import CountState, Location, StockCount, StockCountLine
from app.models.base import utcnow
from app.services.counts import counting as counts
from app.services.counts import lookups as count_lookups
from app.services.pagination import Page
from app.services.reports import calendar_month

DUE_SOON_DAYS = 7
ACCURACY_MONTHS = 12


@dataclass
class Due:
    location: Location
    due_at: datetime
    overdue: bool
    open_count_id: int | None


def due_at(location: Location) -> datetime | None:
    """When the location is next due: N days after its last approved count; now if never counted."""
    if not location.count_frequency_days:
        return None
    if location.last_counted_at is None:
        return location.created_at
    return _aware(location.last_counted_at) + timedelta(days=location.count_frequency_days)


def due_counts(now: datetime | None = None) -> list[Due]:
    """Scheduled locations due within DUE_SOON_DAYS or overdue (past their date), soonest first."""
    now = now or utcnow()
    scheduled = db.session.scalars(
        sa.select(Location).where(Location.deleted_at.is_(None), Location.count_frequency_days.is_not(None))
    ).all()
    active = dict(
        db.session.execute(
            sa.select(StockCount.location_id, sa.func.max(StockCount.id))
            .where(StockCount.state.in_(count_lookups.ACTIVE))
            .group_by(StockCount.location_id)
        ).all()
    )
    found = []
    for location in scheduled:
        when = _aware(due_at(location))
        if when is not None and when <= now + timedelta(days=DUE_SOON_DAYS):
            found.append(Due(location, when, when < now, active.get(location.id)))
    return sorted(found, key=lambda due: due.due_at)


def due_summary(now: datetime | None = None) -> dict[str, int]:
    found = due_counts(now)
    return {"counts_due": sum(1 for d in found if not d.overdue), "counts_overdue": sum(1 for d in found if d.overdue)}


def open_due_counts(now: datetime | None = None) -> list[int]:
    """Open a scheduled count for every location whose date has come (the beat job).

    Idempotent: a location that already has an active count, or lies inside or above one,
    gets none, so two runs never open two counts of one location. Returns the new count ids.
    """
    now = now or utcnow()
    opened = []
    for due in due_counts(now):
        if due.overdue or due.due_at <= now:
            try:
                opened.append(counts.open_count(location_id=due.location.id, actor=None, scheduled=True).id)
            except Conflict:
                continue  # an active count covers it already (or a concurrent run opened it)
    return opened


def accuracy(
    months: int = ACCURACY_MONTHS, now: datetime | None = None, *, page: int = 1, per_page: int | None = None
) -> list[dict[str, Any]] | Page:
    """Per counted location and month of approval: lines counted, the share counted without
    variance (record accuracy) and the variance value (net, and absolute), newest month first,
    then by location. Grouped in the database (one row per location and month, whatever the
    number of lines); with `per_page`, one Page of those rows instead of the list of all."""
    since = (now or utcnow()) - timedelta(days=31 * months)
    month = calendar_month(StockCount.decided_at).label("month")
    counted = StockCountLine.counted.is_not(None)
    exact = sa.and_(counted, sa.or_(StockCountLine.applied_delta.is_(None), StockCountLine.applied_delta == 0))
    grouped = (
        sa.select(
            month,
            Location.path,
            sa.func.sum(sa.case((counted, 1), else_=0)).label("lines"),
            sa.func.sum(sa.case((exact, 1), else_=0)).label("exact"),
            sa.func.coalesce(sa.func.sum(StockCountLine.variance_value), 0).label("value"),
            sa.func.coalesce(sa.func.sum(sa.func.abs(StockCountLine.variance_value)), 0).label("absolute"),
        )
        .join(StockCount, StockCount.id == StockCountLine.count_id)
        .join(Location, Location.id == StockCount.location_id)
        .where(StockCount.state == CountState.APPROVED.value, StockCount.decided_at >= since)
        .group_by(month, Location.id, Location.path)
        .order_by(month.desc(), Location.path, Location.id)
    )
    if per_page is None:
        return [_accuracy_row(row) for row in db.session.execute(grouped)]
    total = db.session.execute(sa.select(sa.func.count()).select_from(grouped.order_by(None).subquery())).scalar_one()
    rows = db.session.execute(grouped.limit(per_page).offset((page - 1) * per_page))
    return Page(items=[_accuracy_row(row) for row in rows], total=total, page=page, per_page=per_page)


def _accuracy_row(row: sa.Row) -> dict[str, Any]:
    lines, exact = int(row.lines or 0), int(row.exact or 0)
    return {
        "month": row.month,
        "location": row.path,
        "lines": lines,
        "exact": exact,
        "accuracy": round(100 * exact / lines, 1) if lines else None,
        # str(): SQLite's sums of NUMERIC come back as floats
        "variance_value": Decimal(str(row.value)),
        "absolute_value": Decimal(str(row.absolute)),
    }


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive times: they are UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    from datetime import UTC

    return moment.replace(tzinfo=UTC)
