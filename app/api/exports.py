"""Exports (managers): the inventory list as filtered, the ledger, an item's history, stock per location."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, stream_with_context

from app.api.blueprint import Blueprint
from app.models.base import utcnow
from app.permissions import Permission, require
from app.schemas.exports import (
    FormatQuerySchema,
    ItemExportQuerySchema,
    LogExportQuerySchema,
    StockExportQuerySchema,
)
from app.services import exports

bp = Blueprint("api_exports", __name__, url_prefix="/api/v1", description="CSV and XLSX exports, streamed.")

_FILE = {"schema": {"type": "string", "format": "binary"}}
FILE_DOC = {
    "responses": {
        "200": {
            "description": "The file (CSV or XLSX, as `format` asks), streamed.",
            "content": {exports.MIME[fmt].split(";")[0]: _FILE for fmt in exports.FORMATS},
        }
    }
}


@bp.get("/items/export")
@require(Permission.DATA_EXPORT)
@bp.arguments(ItemExportQuerySchema, location="query")
@bp.doc(**FILE_DOC)
def export_items(query: dict):
    """The inventory list exactly as filtered and sorted (every page), as CSV or XLSX."""
    fmt = query.pop("format")
    query.pop("page", None)
    query.pop("per_page", None)
    return _file("items", fmt, exports.ITEM_HEADERS, exports.item_rows(**query))


@bp.get("/logs/export")
@require(Permission.DATA_EXPORT)
@bp.arguments(LogExportQuerySchema, location="query")
@bp.doc(**FILE_DOC)
def export_logs(query: dict):
    """The ledger from `from` to `to` (days or date-times), oldest first."""
    fmt = query.pop("format")
    return _file("activity", fmt, exports.LOG_HEADERS, exports.log_rows(**query))


@bp.get("/items/<int:item_id>/history/export")
@require(Permission.DATA_EXPORT)
@bp.arguments(FormatQuerySchema, location="query")
@bp.doc(**FILE_DOC)
def export_item_history(query: dict, item_id: int):
    """One item's ledger, oldest first."""
    return _file(f"item-{item_id}-history", query["format"], exports.LOG_HEADERS, exports.item_history_rows(item_id))


@bp.get("/stock/export")
@require(Permission.DATA_EXPORT)
@bp.arguments(StockExportQuerySchema, location="query")
@bp.doc(**FILE_DOC)
def export_stock(query: dict):
    """Stock per location (one location when `location_id` is given)."""
    fmt = query.pop("format")
    return _file("stock", fmt, exports.STOCK_HEADERS, exports.stock_rows(**query))


def _file(kind: str, fmt: str, headers: list[str], rows: Iterator) -> Response:
    name = exports.filename(kind, fmt, utcnow())
    return Response(
        stream_with_context(exports.render(fmt, headers, rows, sheet=kind)),
        content_type=exports.MIME[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
