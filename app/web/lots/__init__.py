"""A lot's page, the recall page (issue 27): its trace (received, every movement, on hand, where it
went) as GET /api/v1/lots/{id}/trace answers it, "Block lot" (managers), the trace as CSV and the
lot's label. Reads and the block go through app.services.traceability."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, url_for

from app.auth import current_actor
from app.models import LotStatus
from app.permissions import Permission, require
from app.services import traceability
from app.services.scanning import codes, labels
from app.services.spreadsheets import csv_writer
from app.web.common import attempt
from app.web.forms import EmptyForm

bp = Blueprint("lots", __name__, url_prefix="/lots")

CSV_COLUMNS = ("at", "action", "user", "location", "change", "after", "note", "order", "request", "count")


def _listed(value: Any) -> list[dict[str, Any]]:
    """A trace list: on PostgreSQL it arrives as JSON text (jsonio.raw) for the API to splice in."""
    encoded = getattr(value, "encoded_json", None)
    return json.loads(encoded) if encoded is not None else list(value)


def _trace(lot_id: int) -> dict[str, Any]:
    trace = traceability.lot_trace(lot_id)
    return trace | {name: _listed(trace[name]) for name in ("received", "movements", "withdrawn")}


@bp.get("/<int:lot_id>")
@require(Permission.LOGS_READ_ITEM)
def detail(lot_id: int):
    trace = _trace(lot_id)
    return render_template("lots/detail.html", trace=trace, lot=trace["lot"], item=trace["item"], form=EmptyForm())


@bp.post("/<int:lot_id>/block")
@require(Permission.ITEMS_EDIT)
def block(lot_id: int):
    form = EmptyForm()
    if form.validate_on_submit():
        blocked = attempt(lambda: traceability.update_lot(lot_id, {"status": LotStatus.BLOCKED}, actor=current_actor()))
        if blocked.ok:
            flash(f"Lot {blocked.value['code']} is blocked: it is never picked or withdrawn.", "success")
    else:
        flash("The form expired: try again.", "error")
    return redirect(url_for("lots.detail", lot_id=lot_id))


@bp.get("/<int:lot_id>/trace.csv")
@require(Permission.LOGS_READ_ITEM)
def trace_csv(lot_id: int):
    """Every ledger row of the lot, oldest first: where it came from and where it went."""
    trace = _trace(lot_id)
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(CSV_COLUMNS)
    for m in trace["movements"]:
        writer.writerow(
            (
                m["at"],
                m["action"],
                m["user"] or "",
                m["path"] or "",
                m["delta"],
                m["quantity_after"],
                m["note"] or "",
                m["purchase_order_id"] or "",
                m["stock_request_id"] or "",
                m["count_id"] or "",
            )
        )
    filename = f"lot-{trace['item']['sku']}-{trace['lot']['code']}-trace.csv"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in filename)
    return Response(
        out.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{safe}"'}
    )


@bp.get("/<int:lot_id>/label.pdf")
@require(Permission.ITEMS_READ)
def label(lot_id: int):
    """The lot's label: a GS1 DataMatrix of the item's GTIN, the lot and its expiry."""
    summary = traceability.lot_summary(lot_id)
    lot, item = summary["lot"], summary["item"]
    gtin = codes.item_gtin(item["id"])
    if gtin is None:
        flash("This item has no GTIN barcode: add one to print lot labels.", "error")
        return redirect(url_for("lots.detail", lot_id=lot_id))
    expires = date.fromisoformat(lot["expires_on"]) if lot["expires_on"] else None
    made = attempt(
        lambda: labels.render([labels.lot_label(gtin, lot["code"], expires, title=item["name"], detail=lot["code"])])
    )
    if not made.ok:
        return redirect(url_for("lots.detail", lot_id=lot_id))
    response = Response(made.value, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="lot-{lot_id}-label.pdf"'
    return response
