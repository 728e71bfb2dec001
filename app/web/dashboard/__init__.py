"""The dashboard: headline figures, charts and the recent activity feed."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for

from app.permissions import Permission, require
from app.services import dashboard, locations, logs
from app.services.counts import schedule as count_schedule
from app.web.common import int_arg

bp = Blueprint("dashboard", __name__)

FEED_ROWS = 10


def _figures() -> dict:
    recent = logs.list_logs(page=1, per_page=FEED_ROWS).items
    site = int_arg("site", minimum=1)
    sites = {loc.id: loc.name for loc in locations.children(None)}
    if site not in sites:
        site = None
    return {
        "summary": dashboard.summary(site_id=site),
        "counts": count_schedule.due_summary(),
        "recent": recent,
        "labels": logs.labels_for(recent),
        "sites": sites,
        "site": site,
    }


def _charts() -> dict:
    return {"categories": dashboard.category_breakdown(), "movements": dashboard.movement_series(days=30)}


@bp.get("/")
def root():
    return redirect(url_for("dashboard.index"))


@bp.get("/dashboard")
@require(Permission.DASHBOARD_READ)
def index():
    return render_template("dashboard/index.html", charts=_charts(), **_figures())


@bp.get("/dashboard/figures")
@require(Permission.DASHBOARD_READ)
def figures():
    """The cards and the feed, polled by the page every 30 seconds."""
    return render_template("dashboard/_figures.html", **_figures())


@bp.get("/dashboard/charts")
@require(Permission.DASHBOARD_READ)
def charts():
    return jsonify(_charts())
