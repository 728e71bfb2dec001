"""/api/v1/lots: a lot's edit (managers) and trace; /api/v1/items/{id}/lots and /serials (issue 27)."""

from flask import jsonify

from app.api.blueprint import Blueprint
from app.auth import current_actor
from app.permissions import Permission, require
from app.schemas.lot import (
    LotPatchSchema,
    LotSchema,
    LotTraceSchema,
    SerialHistorySchema,
    SerialQuerySchema,
    SerialSchema,
)
from app.services import traceability

bp = Blueprint("api_lots", __name__, url_prefix="/api/v1/lots", description="Lots: quarantine, expiry and trace.")
items_bp = Blueprint(
    "api_item_traces", __name__, url_prefix="/api/v1/items", description="An item's lots and serial numbers."
)


@items_bp.get("/<int:item_id>/lots")
@require(Permission.ITEMS_READ)
@items_bp.response(200, LotSchema(many=True))
def item_lots(item_id: int):
    """An item's lots, FEFO order, each with its quantity per location."""
    return traceability.item_lots(item_id)


@bp.patch("/<int:lot_id>")
@require(Permission.ITEMS_EDIT)
@bp.arguments(LotPatchSchema)
@bp.response(200, LotSchema)
def patch_lot(body: dict, lot_id: int):
    """Block (quarantine) or release a lot, or correct its expiry date (managers)."""
    return traceability.update_lot(lot_id, body, actor=current_actor())


@bp.get("/<int:lot_id>/trace")
@require(Permission.LOGS_READ_ITEM)
@bp.response(200, LotTraceSchema)
def lot_trace(lot_id: int):
    """A recall's answer: where the lot came from, every movement, where it is, where it went."""
    return jsonify(traceability.lot_trace(lot_id))  # JSON-ready (a big trace skips the schema's dump)


@items_bp.get("/<int:item_id>/serials")
@require(Permission.ITEMS_READ)
@items_bp.arguments(SerialQuerySchema, location="query")
@items_bp.response(200, SerialSchema(many=True))
def item_serials(query: dict, item_id: int):
    """An item's units, in one state when `state` is given."""
    return traceability.item_serials(item_id, **query)


@items_bp.get("/<int:item_id>/serials/<serial>")
@require(Permission.LOGS_READ_ITEM)
@items_bp.response(200, SerialHistorySchema)
def serial_history(item_id: int, serial: str):
    """One unit: where it is and its history, oldest first."""
    return jsonify(traceability.serial_history(item_id, serial))
