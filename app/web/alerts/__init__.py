"""Low-stock alerts, with acknowledge (managers)."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.auth import current_actor
from app.permissions import Permission, require
from app.services import alerts
from app.services.locations import paths_of
from app.services.logs import labels_for
from app.web.common import attempt, int_arg, page_links
from app.web.forms import EmptyForm

bp = Blueprint("alerts", __name__, url_prefix="/alerts")

# Tab -> (resolved, acknowledged) filters. "Open": not yet resolved, whether or not someone has seen it.
SHOW = {"open": (False, None), "acknowledged": (False, True), "resolved": (True, None), "all": (None, None)}


@bp.get("")
@require(Permission.ALERTS_READ)
def index():
    show = request.args.get("show", "open")
    show = show if show in SHOW else "open"
    resolved, acknowledged = SHOW[show]
    page = alerts.list_alerts(
        page=int_arg("page", 1, minimum=1), per_page=25, acknowledged=acknowledged, resolved=resolved
    )
    # The ack'ing and resolving users and the items (with their quantity now), named like ledger rows are.
    refs = [
        SimpleNamespace(user_id=user_id, item_id=a.item_id, location_id=a.location_id)
        for a in page.items
        for user_id in (a.acknowledged_by_id, a.resolved_by_id)
    ]
    return render_template(
        "alerts/index.html",
        page=page,
        show=show,
        links=page_links(page),
        labels=labels_for(refs),
        locations=paths_of({a.location_id for a in page.items}),  # this page's places only
        form=EmptyForm(),
    )


@bp.post("/<int:alert_id>/acknowledge")
@require(Permission.ALERTS_ACK)
def acknowledge(alert_id: int):
    alerts.get_alert(alert_id)  # a missing alert is the 404 page; "already acknowledged" is a note
    if attempt(lambda: alerts.acknowledge(alert_id, actor=current_actor()), category="info").ok:
        flash("Alert acknowledged.", "success")
    return redirect(
        request.referrer
        if request.referrer and request.referrer.startswith(request.host_url)
        else url_for("alerts.index")
    )
