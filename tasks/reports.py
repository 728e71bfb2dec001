"""Report tasks: the daily low-stock digest and the weekly valuation report."""

from __future__ import annotations

from celery import shared_task

from app import jobs
from app.services import reports
from tasks.retry import with_retries


@shared_task(bind=True, name=jobs.SEND_LOW_STOCK_DIGEST, max_retries=None)
def send_low_stock_digest(self) -> int:
    """Email today's low-stock digest to managers and admins (skipped when nothing is low)."""
    return with_retries(self, reports.send_low_stock_digest)


@shared_task(bind=True, name=jobs.SEND_VALUATION_REPORT, max_retries=None)
def send_valuation_report(self) -> int:
    """Build and store this week's valuation report (once per period), then email it as a CSV attachment."""
    report_id = reports.create_valuation_report().id
    return with_retries(self, lambda: reports.send_valuation_report(report_id))


@shared_task(name=jobs.GENERATE_VALUATION_REPORT)
def generate_valuation_report(period_end: str | None = None) -> int:
    """Build and store a valuation report for the 7 days up to `period_end` (ISO time) now; no email."""
    from datetime import datetime

    end = datetime.fromisoformat(period_end) if period_end else None
    return reports.create_valuation_report(end, announce=True).id
