"""Reports (managers): stored valuation reports to download, and alert emails that failed."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from app.permissions import Permission, require
from app.services import notifications, reports
from app.services.spreadsheets import neutralise_csv

bp = Blueprint("reports", __name__)


@bp.get("/reports")
@require(Permission.ALERTS_READ)
def index():
    return render_template(
        "reports/index.html", reports=reports.list_reports(), undelivered=notifications.undelivered_alerts()
    )


@bp.get("/reports/<int:report_id>.csv")
@require(Permission.ALERTS_READ)
def download(report_id: int):
    report = reports.get_report(report_id)
    return Response(
        neutralise_csv(report.content),  # reports stored before cells were neutralised, too
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{report.filename}"'},
    )
