"""Spreadsheet reading bounded by columns, not only bytes (issue 35, finding 3).

A file wider than IMPORT_MAX_COLUMNS is refused at upload with a 422 naming the first column
beyond the limit, before openpyxl reads it (a column past ZZZ made openpyxl raise: a 500), and
the width is checked in a streamed pass that never holds a wide row.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from tests.api.test_imports import HEADER, upload
from tests.helpers.api import db_scalar, error_of

pytestmark = pytest.mark.core


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_cell_at(content: bytes, column: str, dimension: bool = True) -> bytes:
    """`content` with its last cell of row 2 moved to `column` (openpyxl refuses to write past ZZZ)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'r="C2"', f'r="{column}2"'.encode(), data)
                written = f'<dimension ref="A1:{column}2"/>' if dimension else ""
                data = re.sub(rb'<dimension ref="[^"]*"/>', written.encode(), data)
            target.writestr(member, data)
    return out.getvalue()


def test_defaults_to_200_columns(app):
    assert app.config["IMPORT_MAX_COLUMNS"] == 200


@pytest.mark.parametrize(("column", "dimension"), [("AAAA", True), ("AAAA", False), ("XFD", True), ("GS", False)])
def test_xlsx_with_a_column_beyond_the_limit_is_a_422_naming_it(api, app, factory, column, dimension):
    factory.location("Store")
    content = _with_cell_at(_xlsx([["SKU", "Name", "Extra"], ["W-1", "Wide", "x"]]), column, dimension)
    refused = upload(api, content, "wide.xlsx")
    assert refused.status_code == 422, refused.data[:300]
    message = error_of(refused)["message"]
    assert column in message and "200" in message and "row 2" in message, message
    assert db_scalar(app, sa.text("SELECT count(*) FROM imports")) == 0


def test_xlsx_at_the_limit_is_read(api, factory):
    factory.location("Store")
    header = ["SKU", "Name", "Location"] + [f"Extra {n}" for n in range(197)]
    ok = upload(api, _xlsx([header, ["W-2", "Just wide enough", "Store"] + [""] * 196 + ["last"]]), "ok.xlsx")
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["counts"]["created"] == 1


def test_csv_wider_than_the_limit_is_a_422_naming_the_column(api, app, factory):
    factory.location("Store")
    refused = upload(api, HEADER + "C-1,Wide row,,Store,1,pcs,1" + ",x" * 200 + "\n")
    assert refused.status_code == 422
    message = error_of(refused)["message"]
    assert "GS" in message and "row 2" in message, message
    app.config["IMPORT_MAX_COLUMNS"] = 5
    try:
        narrow = upload(api, HEADER + "C-2,Seven,,Store,1,pcs,1\n")
    finally:
        app.config["IMPORT_MAX_COLUMNS"] = 200
    assert narrow.status_code == 422 and "F" in error_of(narrow)["message"]


def test_a_small_xlsx_holding_more_cells_than_the_inline_bound_is_dry_run_by_a_worker(api, app, factory):
    factory.location("Store")
    rows = [["SKU", "Name", "Location", "Note"]] + [
        [f"X-{n}", f"Row {n}", "Store", "same text " * 8] for n in range(600)
    ]
    content = _xlsx(rows)
    unpacked = sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(content)).infolist())
    app.config["IMPORT_INLINE_BYTES"] = (len(content) + unpacked) // 2  # the file fits, its cells do not
    try:
        body = upload(api, content, "packed.xlsx").get_json()
    finally:
        app.config["IMPORT_INLINE_BYTES"] = 2 * 1024 * 1024
    assert body["state"] == "validating", body  # queued for tasks.imports.validate_import
