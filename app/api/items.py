"""/api/v1/items: items (list, create, edit, delete) and their stock movements, once per Idempotency-Key;
/api/v1/logs/item: an item's history."""

from collections.abc import Callable

from flask import jsonify, request

from app.api.blueprint import Blueprint
from app.auth import current_actor
from app.errors import ValidationFailed
from app.permissions import Permission, require
from app.schemas.common import PageQuerySchema
from app.schemas.item import (
    AdjustSchema,
    ItemCreateSchema,
    ItemDetailSchema,
    ItemListQuerySchema,
    ItemPageSchema,
    ItemPatchSchema,
    ItemPutSchema,
    ItemView,
    MovementSchema,
    RestockSchema,
    TransferSchema,
    WithdrawSchema,
    dump_item_detail,
    dump_item_page,
    dump_movement,
)
from app.schemas.log import LogPageSchema
from app.services import barcodes, idempotency, item_list, items, stock
from app.services.idempotency import IdempotencyKey
from app.services.stock import Movement

bp = Blueprint("api_items", __name__, url_prefix="/api/v1/items", description="Items and their stock movements.")
logs_bp = Blueprint("api_item_logs", __name__, url_prefix="/api/v1/logs/item", description="An item's history.")

IDEMPOTENCY_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            "description": "Retrying with the same key returns the first answer instead of moving stock twice.",
        }
    ]
}


@bp.get("")
@require(Permission.ITEMS_READ)
@bp.arguments(ItemListQuerySchema, location="query")
@bp.response(200, ItemPageSchema)
def list_items(query: dict):
    """Search, filter, sort and page through active items."""
    # Serialized by hand (identical to ItemPageSchema, which documents it): the hot path.
    return jsonify(dump_item_page(item_list.list_items(**query)))


@bp.post("")
@require(Permission.ITEMS_CREATE)
@bp.arguments(ItemCreateSchema)
@bp.response(201, ItemDetailSchema)
def create_item(body: dict):
    """Create an item; an initial `quantity` is placed (and logged) at its home location."""
    return _detail(items.create_item(body, actor=current_actor()))


@bp.get("/<int:item_id>")
@require(Permission.ITEMS_READ)
@bp.response(200, ItemDetailSchema)
def get_item(item_id: int):
    """An item with its stock per location."""
    item, stock_rows = stock.item_with_stock(item_id)
    # Serialized by hand (identical to ItemDetailSchema, which documents it): a hot read.
    return jsonify(dump_item_detail(item, stock_rows, barcodes.codes_of(item.id)))


@bp.put("/<int:item_id>")
@require(Permission.ITEMS_EDIT)
@bp.arguments(ItemPutSchema)
@bp.response(200, ItemDetailSchema)
def replace_item(body: dict, item_id: int):
    """Edit an item (manager). Never changes stock; send the `version` you read."""
    return _update(item_id, body, partial=False)


@bp.patch("/<int:item_id>")
@require(Permission.ITEMS_EDIT_BASIC)
@bp.arguments(ItemPatchSchema)
@bp.response(200, ItemDetailSchema)
def patch_item(body: dict, item_id: int):
    """Edit some fields: staff may change description, home location, unit and threshold."""
    return _update(item_id, body, partial=True)


@bp.delete("/<int:item_id>")
@require(Permission.ITEMS_DELETE)
@bp.response(204)
def delete_item(item_id: int):
    """Soft-delete an item; its history stays readable."""
    items.delete_item(item_id, actor=current_actor())


@bp.post("/<int:item_id>/restock")
@require(Permission.STOCK_MOVE)
@bp.arguments(RestockSchema)
@bp.response(200, MovementSchema)
@bp.doc(**IDEMPOTENCY_DOC)
def restock(body: dict, item_id: int):
    """Add units (at the home location unless `location_id` is given)."""
    return _move(body, lambda actor: stock.restock(item_id, actor=actor, **body))


@bp.post("/<int:item_id>/withdraw")
@require(Permission.STOCK_MOVE)
@bp.arguments(WithdrawSchema)
@bp.response(200, MovementSchema)
@bp.doc(**IDEMPOTENCY_DOC)
def withdraw(body: dict, item_id: int):
    """Take units out; 409 with the quantity available when there are not enough."""
    return _move(body, lambda actor: stock.withdraw(item_id, actor=actor, **body))


@bp.post("/<int:item_id>/transfer")
@require(Permission.STOCK_MOVE)
@bp.arguments(TransferSchema)
@bp.response(200, MovementSchema)
@bp.doc(**IDEMPOTENCY_DOC)
def transfer(body: dict, item_id: int):
    """Move units from one location to another."""
    return _move(
        body,
        lambda actor: stock.transfer(
            item_id, body.pop("from_location_id"), body.pop("to_location_id"), actor=actor, **body
        ),
    )


@bp.post("/<int:item_id>/adjust")
@require(Permission.STOCK_ADJUST)
@bp.arguments(AdjustSchema)
@bp.response(200, MovementSchema)
@bp.doc(**IDEMPOTENCY_DOC)
def adjust(body: dict, item_id: int):
    """Set a location's quantity to what was counted (manager)."""
    return _move(
        body,
        lambda actor: stock.adjust(item_id, body.pop("location_id"), _counted(body), actor=actor, **body),
    )


@logs_bp.get("/<int:item_id>")
@require(Permission.LOGS_READ_ITEM)
@logs_bp.arguments(PageQuerySchema, location="query")
@logs_bp.response(200, LogPageSchema)
def item_logs(query: dict, item_id: int):
    """An item's history, newest first (deleted items included)."""
    return items.item_history(item_id, **query)


def _counted(body: dict):
    """An adjust's counted quantity: for a serial item, the number of units found when left out."""
    counted = body.pop("counted_quantity", None)
    return len(body.get("serials") or []) if counted is None else counted


def _detail(item) -> ItemView:
    return ItemView(item, stock=stock.stock_of(item), barcodes=barcodes.codes_of(item.id))


def _update(item_id: int, body: dict, *, partial: bool) -> ItemView:
    version = body.pop("version", None)
    if version is None and request.if_match:
        tags = list(request.if_match.as_set())
        try:
            version = int(tags[0].strip('"W/')) if tags else None
        except ValueError:
            raise ValidationFailed(
                "If-Match must carry the item's version number.", fields={"If-Match": ["Not a version."]}
            ) from None
    item = items.update_item(item_id, body, actor=current_actor(), expected_version=version, partial=partial)
    return _detail(item)


def _move(body: dict, run: Callable) -> object:
    """Run a movement once per Idempotency-Key (app/services/idempotency.py), answering retries with the first result."""
    actor = current_actor()
    key = IdempotencyKey.from_request(request.headers.get("Idempotency-Key"), request.method, request.path, body)
    answer = idempotency.run_once(actor.id, key, lambda: run(actor), _movement_body)
    response = jsonify(answer.body)
    response.status_code = answer.status_code
    if answer.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _movement_body(movement: Movement) -> dict:
    """The answer (identical to MovementSchema's dump, which documents it; by hand: the busiest write)."""
    alert_id = movement.alert.id if movement.alert else None
    return dump_movement(movement.item, movement.stock, movement.logs, alert_id, movement.lots, movement.serials)
