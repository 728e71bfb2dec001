"""Exports as CSV or XLSX, streamed: rows come from a server-side cursor and leave in chunks.

A million items never sit in memory: the query is read `YIELD_PER` rows at a time and
each chunk of CSV text is handed to the response as soon as it is written, so the first
byte leaves before the query has finished. XLSX is written by openpyxl's write-only
workbook (rows go straight to a temporary file), then that file is streamed out.
Every text cell passes through app.services.spreadsheets.safe_cell (formula neutralisation, and
characters XML cannot hold written as U+FFFD, so the file always opens).
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from app.extensions import db
from app.models import Category, InventoryLog, Item, ItemBarcode, Location, StockLevel, User
from app.services.item_list import SORT_COLUMNS, item_filters
from app.services.lookup import get_or_404
from app.services.quantities import show
from app.services.spreadsheets import csv_writer, safe_cell

FORMATS = ("csv", "xlsx")
YIELD_PER = 2000
CHUNK_ROWS = 500  # CSV rows per chunk handed to the response
MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# The list export's headers are the import's field names, so an exported file imports back as an
# update. "Total quantity" (the sum over locations) is informative and maps to nothing on import.
# "Barcodes" holds an item's codes separated by a space, as the import's barcode field reads them.
ITEM_HEADERS = [
    "SKU",
    "Name",
    "Category",
    "Location",
    "Unit",
    "Decimals",
    "Price",
    "Low-stock threshold",
    "Description",
    "Barcodes",
    "Total quantity",
]
LOG_HEADERS = ["When", "SKU", "Item", "Action", "Location", "Before", "After", "Change", "User", "Note", "Request"]
STOCK_HEADERS = ["Location", "SKU", "Name", "Quantity", "Unit"]


def item_rows(*, sort_by: str = "name", order: str = "asc", **filters: Any) -> Iterator[list[Any]]:
    """The inventory list's rows, exactly as filtered and sorted on screen (every page)."""
    # The list sorts by category and location through subqueries; here those tables are joined.
    sort = {"category": Category.name, "location": Location.path}.get(sort_by, SORT_COLUMNS[sort_by])
    ordering = (sort.desc(), Item.id.desc()) if order == "desc" else (sort.asc(), Item.id.asc())
    query = (
        sa.select(
            Item.sku,
            Item.name,
            Category.name,
            Location.path,
            Item.unit,
            Item.decimals,
            Item.price,
            Item.low_stock_threshold,
            Item.description,
            _codes_column(),
            Item.quantity,
        )
        .outerjoin(Category, Category.id == Item.category_id)
        .outerjoin(Location, Location.id == Item.location_id)
        .where(*item_filters(**filters))
        .order_by(*ordering)
    )
    return (
        [
            sku,
            name,
            category or "",
            path or "",
            unit,
            decimals,
            price,
            threshold,
            description or "",
            codes or "",
            quantity,
        ]
        for sku, name, category, path, unit, decimals, price, threshold, description, codes, quantity in _stream(query)
    )


def _codes_column() -> sa.ScalarSelect:
    """An item's barcodes as one cell (oldest first, a space between): a correlated subquery, one
    probe of the (item_id, code) index per row, so the export still streams from its first row."""
    if db.session.get_bind().dialect.name == "postgresql":
        joined = sa.func.string_agg(ItemBarcode.code, aggregate_order_by(sa.literal_column("' '"), ItemBarcode.id))
    else:
        joined = sa.func.group_concat(ItemBarcode.code, " ")
    return sa.select(joined).where(ItemBarcode.item_id == Item.id).scalar_subquery()


def log_rows(
    *, since: datetime | None = None, until: datetime | None = None, item_id: int | None = None
) -> Iterator[list[Any]]:
    """Ledger rows, oldest first, within [since, until] (and for one item when given)."""
    conditions = []
    if since is not None:
        conditions.append(InventoryLog.created_at >= since)
    if until is not None:
        conditions.append(InventoryLog.created_at <= until)
    if item_id is not None:
        conditions.append(InventoryLog.item_id == item_id)
    query = (
        sa.select(
            InventoryLog.created_at,
            Item.sku,
            Item.name,
            InventoryLog.action,
            Location.path,
            InventoryLog.quantity_before,
            InventoryLog.quantity_after,
            InventoryLog.delta,
            User.email,
            InventoryLog.note,
            InventoryLog.request_id,
        )
        .join(Item, Item.id == InventoryLog.item_id)
        .outerjoin(Location, Location.id == InventoryLog.location_id)
        .outerjoin(User, User.id == InventoryLog.user_id)
        .where(*conditions)
        .order_by(InventoryLog.created_at, InventoryLog.id)
    )
    return (
        [
            when.isoformat(),
            sku,
            name,
            action,
            path or "",
            before,
            after,
            delta,
            email or "",
            note or "",
            request_id or "",
        ]
        for when, sku, name, action, path, before, after, delta, email, note, request_id in _stream(query)
    )


def item_history_rows(item_id: int) -> Iterator[list[Any]]:
    """One item's ledger, deleted item or not. Raises NotFound (before the first row)."""
    get_or_404(Item, item_id)
    return log_rows(item_id=item_id)


def stock_rows(*, location_id: int | None = None) -> Iterator[list[Any]]:
    """Stock per location: every non-zero level of an active item, by location path then SKU."""
    conditions = [StockLevel.quantity != 0, sa.not_(Item.is_deleted), Location.deleted_at.is_(None)]
    if location_id is not None:
        conditions.append(StockLevel.location_id == location_id)
    query = (
        sa.select(Location.path, Item.sku, Item.name, StockLevel.quantity, Item.unit)
        .join(Item, Item.id == StockLevel.item_id)
        .join(Location, Location.id == StockLevel.location_id)
        .where(*conditions)
        .order_by(Location.path, Item.sku)
    )
    return ([path, sku, name, quantity, unit] for path, sku, name, quantity, unit in _stream(query))


def _stream(query: sa.Select) -> Iterator[sa.Row]:
    """Rows from a server-side cursor, YIELD_PER at a time (never the whole result in memory).

    Run when the response starts reading: the request's own transaction has ended by then
    (a named cursor lives only inside a transaction), so this opens the one it reads in.
    """
    result = db.session.execute(query.execution_options(stream_results=True, yield_per=YIELD_PER))
    try:
        yield from result
    finally:
        result.close()


def render(fmt: str, headers: list[str], rows: Iterable[list[Any]], *, sheet: str = "Export") -> Iterator[bytes]:
    """The file as a stream of byte chunks: CSV (UTF-8 with BOM, for spreadsheets) or XLSX."""
    return _csv_chunks(headers, rows) if fmt == "csv" else _xlsx_chunks(headers, rows, sheet)


def _csv_chunks(headers: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    buffer.write("\ufeff")  # spreadsheet programs then read the file as UTF-8
    writer.writerow(headers)
    yield _drain(buffer)  # the first byte leaves before the query runs
    for count, row in enumerate(rows, start=1):
        writer.writerow([show(v, grouped=False) if isinstance(v, Decimal) else v for v in row])
        if count % CHUNK_ROWS == 0:
            yield _drain(buffer)
    tail = _drain(buffer)
    if tail:
        yield tail


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def _xlsx_chunks(headers: list[str], rows: Iterable[list[Any]], sheet: str) -> Iterator[bytes]:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    worksheet.append([safe_cell(value) for value in headers])
    for row in rows:
        worksheet.append([safe_cell(value) for value in row])
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
        out.seek(0)
        while chunk := out.read(256 * 1024):
            yield chunk


def filename(kind: str, fmt: str, when: datetime) -> str:
    return f"{kind}-{when:%Y%m%d-%H%M%S}.{fmt}"
