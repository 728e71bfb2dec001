"""Every export opens, whatever control characters the data holds (issue 35, finding 1).

Names and notes accept control characters (they are data), but XML 1.0 cannot hold most of
C0, so openpyxl refused to write the file. Each one is written as U+FFFD in every export and
every format, so the file opens and the reader sees where a character could not be shown.
"""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from app.services.exports import FORMATS
from app.services.spreadsheets import REPLACEMENT, safe_cell

pytestmark = pytest.mark.core

# Every C0 character but tab, newline and carriage return (which XML allows), and NUL (refused on
# input: PostgreSQL text cannot hold it), plus the two non-characters XML refuses.
CONTROLS = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r") + "\ufffe\uffff"
TEXT = "A" + CONTROLS + "Z"
SHOWN = "A" + REPLACEMENT * len(CONTROLS) + "Z"


def _rows(response, fmt: str) -> list[list]:
    assert response.status_code == 200, response.data[:300]
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.fixture()
def dirty(api, factory):
    """An item whose every text field, and a movement note, hold every control character."""
    where = factory.location("Shelf " + TEXT)
    item = factory.item(
        sku="CC-1",
        name="Name " + TEXT,
        description="Description " + TEXT,
        location=where,
        category_id=factory.category("Category " + TEXT).id,
        quantity=1,
    )
    moved = api.post(f"/api/v1/items/{item.id}/restock", {"quantity": 1, "note": "Note " + TEXT})
    assert moved.status_code in (200, 201), moved.get_json()
    return item


def _kinds(item_id: int) -> dict[str, tuple[str, list[str]]]:
    """Each export's URL and the cells that hold the dirty text (by its prefix)."""
    return {
        "items": ("/api/v1/items/export", ["Name ", "Description ", "Category ", "Shelf "]),
        "ledger": ("/api/v1/logs/export", ["Name ", "Shelf ", "Note "]),
        "item history": (f"/api/v1/items/{item_id}/history/export", ["Name ", "Shelf ", "Note "]),
        "stock": ("/api/v1/stock/export", ["Name ", "Shelf "]),
    }


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["items", "ledger", "item history", "stock"])
def test_every_export_opens_with_control_characters_shown_replaced(api, dirty, kind, fmt):
    url, prefixes = _kinds(dirty.id)[kind]
    rows = _rows(api.get(f"{url}?format={fmt}"), fmt)
    cells = [c for row in rows[1:] for c in row if isinstance(c, str)]
    for prefix in prefixes:
        assert prefix + SHOWN in cells, (prefix, cells)
    assert not any(set(c) & set(CONTROLS) for c in cells)


def test_import_errors_csv_shows_control_characters_replaced(api, factory):
    from tests.api.test_imports import HEADER, upload

    factory.location("Store")
    body = upload(api, HEADER + f"BAD SKU {TEXT},{TEXT},,Store,x,pcs,1\n").get_json()
    rows = _rows(api.get(f"/api/v1/imports/{body['id']}/errors.csv"), "csv")
    assert TEXT not in str(rows) and SHOWN in rows[1]


def test_safe_cell_replaces_then_neutralises():
    assert safe_cell("\x1b=1+1") == REPLACEMENT + "=1+1"  # no longer starts a formula
    assert safe_cell("=1+1\x07") == "'=1+1" + REPLACEMENT
    assert safe_cell("tab\tnew\nline\r") == "tab\tnew\nline\r"
    assert safe_cell(5) == 5
