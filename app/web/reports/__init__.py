"""Reports (managers): stored valuation reports to download, and alert emails that failed."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from app import jobs
from app.models.base import utcnow
from app.permissions import Permission, require
from app.services import notifications, reports
from app.services.counts import schedule as count_schedule
from app.services.pagination import page_of
from app.services.purchasing import reports as purchase_reports
from app.services.spreadsheets import neutralise_csv
from app.web.common import int_arg, page_links
from app.web.forms import EmptyForm

bp = Blueprint("reports", __name__)
PER_PAGE = 50


@bp.get("/reports")
@require(Permission.ALERTS_READ)
def index():
    # Both tables grow with the sites (a row per location, or supplier, and month): paged apart.
    accuracy = count_schedule.accuracy(page=int_arg("page", 1, minimum=1), per_page=PER_PAGE)
    spend = page_of(
        purchase_reports.spend_by_supplier_month(), page=int_arg("spend_page", 1, minimum=1), per_page=PER_PAGE
    )
    return render_template(
        "reports/index.html",
        reports=reports.list_reports(),
        undelivered=notifications.undelivered_alerts(),
        accuracy=accuracy,
        accuracy_links=page_links(accuracy),
        form=EmptyForm(),
        started=request.args.get("started") == "1",
        open_orders=purchase_reports.open_orders(),
        late_count=purchase_reports.late_count(),
        today=utcnow().date(),
        spend=spend,
        spend_links=page_links(spend),
    )


@bp.post("/reports/generate")
@require(Permission.REPORTS_GENERATE)
def generate():
    """Build a valuation report of the last 7 days up to now, in the worker; the page shows it live."""
    if not EmptyForm().validate_on_submit():
        flash("The form expired; press “Generate now” again.", "error")
        return redirect(url_for("reports.index"))
    if not jobs.start(jobs.GENERATE_VALUATION_REPORT, utcnow().isoformat()):
        flash("The report could not start: the job queue is not reachable. Try again in a minute.", "error")
        return redirect(url_for("reports.index"))
    return redirect(url_for("reports.index", started=1))


@bp.get("/reports/<int:report_id>.csv")
@require(Permission.ALERTS_READ)
def download(report_id: int):
    report = reports.get_report(report_id)
    return Response(
        neutralise_csv(report.content),  # reports stored before cells were neutralised, too
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{report.filename}"'},
    )
