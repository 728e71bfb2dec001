"""Spreadsheet imports over HTTP: reading real files, mapping, the dry run's every error, and the run.

The run's apply step is called directly here (imports.run, the worker's function); a real
Celery worker killed mid-import is in tests/tasks/test_imports.py.
"""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from tests.helpers.api import db_scalar, error_of, multipart_csv
from tests.helpers.concurrency import failures, race

pytestmark = pytest.mark.core

HEADER = "SKU,Name,Category,Location,Quantity,Unit,Price\n"


def upload(api, content, name="items.csv", role="manager", **form):
    return api.call("POST", "/api/v1/imports", role, data=multipart_csv(content, name, **form))


def run_now(app, import_id: int) -> None:
    """What the worker does for a started import."""
    from app.extensions import db
    from app.services.imports import runs as imports

    with app.app_context():
        imports.run(import_id)
        db.session.remove()


def imported(api, app, content, **form) -> dict:
    created = upload(api, content, **form)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["state"] == "validated", body
    started = api.post(f"/api/v1/imports/{body['id']}/run", {"on_error": "skip"})
    assert started.status_code == 202, started.get_json()
    run_now(app, body["id"])
    return api.get(f"/api/v1/imports/{body['id']}").get_json()


def item_by_sku(api, sku):
    found = [i for i in api.get(f"/api/v1/items?search={sku}").get_json()["items"] if i["sku"] == sku]
    return found[0] if found else None


@pytest.fixture()
def store(factory):
    return factory.location("Store")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_reads_encodings_and_delimiters(api, app, store, encoding, delimiter):
    text = "\n".join(
        delimiter.join(row) for row in (["SKU", "Name", "Location", "Quantity"], ["CAF-1", "Café crème", "Store", "3"])
    )
    result = imported(api, app, text.encode(encoding))
    assert result["columns"] == ["SKU", "Name", "Location", "Quantity"]
    assert result["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "errors": 0}
    item = item_by_sku(api, "CAF-1")
    assert item["name"] == "Café crème" and Decimal(str(item["quantity"])) == 3


def test_xlsx_first_sheet_or_a_chosen_one(api, app, store):
    book = Workbook()
    first = book.active
    first.title = "Notes"
    first.append(["Nothing", "here"])
    second = book.create_sheet("Stock")
    second.append(["SKU", "Name", "Location", "Quantity", "Price"])
    second.append(["XL-1", "From a workbook", "Store", 4, 2.5])
    out = io.BytesIO()
    book.save(out)
    default = upload(api, out.getvalue(), "book.xlsx").get_json()
    assert default["sheets"] == ["Notes", "Stock"] and default["columns"] == ["Nothing", "here"]
    assert default["state"] == "uploaded"
    chosen = upload(api, out.getvalue(), "book.xlsx", sheet="Stock").get_json()
    assert chosen["state"] == "validated" and chosen["counts"]["created"] == 1
    api.post(f"/api/v1/imports/{chosen['id']}/run")
    run_now(app, chosen["id"])
    item = item_by_sku(api, "XL-1")
    assert item["price"] == 2.5 and Decimal(str(item["quantity"])) == 4
    missing = upload(api, out.getvalue(), "book.xlsx", sheet="Nope")
    assert missing.status_code == 422 and "Stock" in str(error_of(missing))


def test_mapping_proposed_adjusted_and_saved(api, app, store):
    body = upload(api, "Item code,Title,Qty,Where,Colour\nM-1,Mapped,2,Store,red\n").get_json()
    assert body["mapping"] == {"Item code": "sku", "Title": "name", "Qty": "quantity", "Where": "location"}
    assert body["state"] == "validated"
    adjusted = api.put(
        f"/api/v1/imports/{body['id']}/mapping",
        {"mapping": {"Item code": "sku", "Title": "name", "Where": "location", "Colour": "description"}},
    )
    assert adjusted.status_code == 200
    again = api.get(f"/api/v1/imports/{body['id']}").get_json()
    assert again["mapping"]["Colour"] == "description" and "Qty" not in again["mapping"]
    api.post(f"/api/v1/imports/{body['id']}/run")
    run_now(app, body["id"])
    item = item_by_sku(api, "M-1")
    assert item["description"] == "red" and Decimal(str(item["quantity"])) == 0


def test_waits_for_a_mapping_and_refuses_one_without_sku(api, store):
    body = upload(api, "Reference no,Label\nA-1,Thing\n").get_json()
    assert body["state"] == "uploaded" and "Map the SKU" in body["message"]
    refused = api.put(f"/api/v1/imports/{body['id']}/mapping", {"mapping": {"Label": "name"}})
    assert refused.status_code == 422 and "SKU" in error_of(refused)["message"]
    twice = api.put(f"/api/v1/imports/{body['id']}/mapping", {"mapping": {"Reference no": "sku", "Label": "sku"}})
    assert twice.status_code == 422 and "two columns" in error_of(twice)["message"]
    assert api.post(f"/api/v1/imports/{body['id']}/run").status_code == 409


def test_bad_files_refused_with_a_clear_message(api, app):
    empty = upload(api, b"")
    assert empty.status_code == 422 and "empty" in error_of(empty)["message"]
    image = upload(api, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "photo.png")
    assert image.status_code == 422 and "not a CSV or XLSX" in error_of(image)["message"]
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert upload(api, zipped.getvalue(), "fake.xlsx").status_code == 422
    app.config["IMPORT_MAX_BYTES"] = 100
    try:
        big = upload(api, HEADER + "B-1,Big,,Store,1,pcs,1\n" * 20)
    finally:
        app.config["IMPORT_MAX_BYTES"] = 50 * 1024 * 1024
    assert big.status_code == 413 and error_of(big)["code"] == "payload_too_large"
    assert db_scalar(app, sa.text("SELECT count(*) FROM imports")) == 0


def test_zip_bomb_refused_before_reading(api):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    assert len(bomb.getvalue()) < 1024 * 1024
    refused = upload(api, bomb.getvalue(), "bomb.xlsx")
    assert refused.status_code == 422 and "zip bomb" in str(error_of(refused))


def test_dry_run_names_every_error_and_changes_nothing(api, app, factory, store):
    factory.category("Tools")
    factory.item(sku="WHOLE-1", name="Bolts", location=store, quantity=5)
    rows = [
        "D-1,Dup one,Tools,Store,1,pcs,1",
        "D-1,Dup two,Tools,Store,1,pcs,1",
        "WHOLE-1,Bolts,Tools,Store,2.5,pcs,1",
        "N-1,Unknown cat,Gadgets,Store,1,pcs,1",
        "N-2,,Tools,Store,1,pcs,1",
        "N-3,Bad qty,Tools,Store,lots,pcs,-1",
        "bad sku!,Bad sku,Tools,Store,1,pcs,1",
        "N-4,Nowhere,Tools,Attic,1,pcs,1",
        "OK-1,Fine,Tools,Store,1,pcs,1",
    ]
    body = upload(api, HEADER + "\n".join(rows) + "\n").get_json()
    assert body["state"] == "validated"
    assert body["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "errors": 8}
    text = api.get(f"/api/v1/imports/{body['id']}/errors.csv").data.decode("utf-8-sig")
    errors = {row[0]: row[-1] for row in csv.reader(io.StringIO(text))}
    assert "appears more than once in the file (rows 2, 3)" in errors["2"] and "rows 2, 3" in errors["3"]
    assert "2.5 refused: this item takes whole numbers only" in errors["4"]
    assert "Unknown category 'Gadgets'" in errors["5"]
    assert "A new item needs a name" in errors["6"]
    assert "'lots' is not a number" in errors["7"] and "Price: Must not be negative" in errors["7"]
    assert "not a valid SKU" in errors["8"]
    assert "Unknown location 'Attic'" in errors["9"]
    assert "10" not in errors
    refused = api.post(f"/api/v1/imports/{body['id']}/run", {"on_error": "stop"})
    assert refused.status_code == 409 and "8 row(s) have errors" in error_of(refused)["message"]
    assert item_by_sku(api, "OK-1") is None
    assert db_scalar(app, sa.text("SELECT count(*) FROM items")) == 1


def test_creating_categories_and_locations_when_asked(api, app, store):
    result = imported(
        api,
        app,
        HEADER + "C-1,Made,Gadgets,Store / Shelf 2,1,pcs,1\n",
        create_categories="true",
        create_locations="true",
    )
    assert result["applied"]["created"] == 1
    item = item_by_sku(api, "C-1")
    location = api.get(f"/api/v1/locations/{item['location_id']}").get_json()
    assert location["path"] == "Store / Shelf 2"
    assert db_scalar(app, sa.text("SELECT name FROM categories")) == "Gadgets"


def test_create_update_unchanged_and_idempotent_reimport(api, app, factory, store):
    tools = factory.category("Tools")
    same = factory.item(sku="SAME-1", name="Same", location=store, quantity=4, category_id=tools.id, price=Decimal("1"))
    changed = factory.item(sku="CHG-1", name="Old name", location=store, quantity=4, price=Decimal("1"))
    text = (
        HEADER
        + "SAME-1,Same,Tools,Store,4,pcs,1\nCHG-1,New name,Tools,Store,9,pcs,1\nNEW-1,Brand new,Tools,Store,7,pcs,3.25\n"
    )
    first = imported(api, app, text)
    assert first["counts"] == {"created": 1, "updated": 1, "unchanged": 1, "errors": 0}
    assert first["state"] == "done" and first["processed_rows"] == 3 and first["total_rows"] == 3
    updated = api.get(f"/api/v1/items/{changed.id}").get_json()
    assert updated["name"] == "New name" and updated["category_id"] == tools.id and updated["version"] == 2
    assert Decimal(str(updated["quantity"])) == 9
    history = api.get(f"/api/v1/logs/item/{changed.id}").get_json()["items"]
    assert [h["action"] for h in history][:2] == ["adjust", "update"]
    assert history[0]["note"] == f"Import #{first['id']}, row 3"
    assert api.get(f"/api/v1/items/{same.id}").get_json()["version"] == 1
    new = item_by_sku(api, "NEW-1")
    assert new["price"] == 3.25 and Decimal(str(new["quantity"])) == 7

    ledger = db_scalar(app, sa.text("SELECT count(*) FROM inventory_logs"))
    tagged = db_scalar(app, sa.text(f"SELECT count(*) FROM inventory_logs WHERE request_id = 'import-{first['id']}'"))
    assert tagged == 3  # update + adjust + create
    second = imported(api, app, text)
    assert second["counts"] == {"created": 0, "updated": 0, "unchanged": 3, "errors": 0}
    assert second["applied"] == {"created": 0, "updated": 0, "unchanged": 3, "skipped": 0, "failed": 0}
    assert db_scalar(app, sa.text("SELECT count(*) FROM inventory_logs")) == ledger


def test_skip_imports_the_valid_rows(api, app, store):
    body = upload(
        api, HEADER + "S-1,Good,,Store,1,pcs,1\nS-2,Bad,,Store,x,pcs,1\nS-3,Good too,,Store,2,pcs,1\n"
    ).get_json()
    assert body["counts"]["errors"] == 1
    assert api.post(f"/api/v1/imports/{body['id']}/run", {"on_error": "skip"}).status_code == 202
    run_now(app, body["id"])
    result = api.get(f"/api/v1/imports/{body['id']}").get_json()
    assert result["state"] == "done" and result["applied"] == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "skipped": 1,
        "failed": 0,
    }
    assert item_by_sku(api, "S-2") is None and item_by_sku(api, "S-3") is not None
    assert api.post(f"/api/v1/imports/{body['id']}/run").status_code == 409  # done: never twice


def test_cancel_before_running(api, app, store):
    body = upload(api, HEADER + "X-1,Cancelled,,Store,1,pcs,1\n").get_json()
    cancelled = api.post(f"/api/v1/imports/{body['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["state"] == "cancelled"
    assert api.post(f"/api/v1/imports/{body['id']}/run").status_code == 409
    assert api.post(f"/api/v1/imports/{body['id']}/cancel").status_code == 409


def test_errors_csv_neutralises_formulas(api, store):
    body = upload(api, HEADER + '=HYPERLINK("http://x"),@evil,,Store,1,pcs,1\n').get_json()
    text = api.get(f"/api/v1/imports/{body['id']}/errors.csv").data.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[1] == '\'=HYPERLINK("http://x")' and row[2] == "'@evil"


def test_export_imports_back_as_an_update(api, app, factory, store):
    item = factory.item(sku="RT-1", name="Round trip", location=store, quantity=2)
    exported = api.get("/api/v1/items/export?format=csv").data.decode("utf-8-sig")
    edited = exported.replace("Round trip", "Round trip v2")
    result = imported(api, app, edited.encode("utf-8"))
    assert result["mapping"].get("Total quantity") is None
    assert result["counts"] == {"created": 0, "updated": 1, "unchanged": 0, "errors": 0}
    assert api.get(f"/api/v1/items/{item.id}").get_json()["name"] == "Round trip v2"


def test_staff_and_anonymous_refused(api, store):
    assert upload(api, HEADER, role="staff").status_code == 403
    assert upload(api, HEADER, role=None).status_code == 401


def test_a_large_file_is_dry_run_by_a_worker(api, app, store):
    from app.extensions import db
    from app.services.imports import runs as imports

    app.config["IMPORT_INLINE_BYTES"] = 10
    try:
        body = upload(api, HEADER + "L-1,Large,,Store,1,pcs,1\n").get_json()
    finally:
        app.config["IMPORT_INLINE_BYTES"] = 2 * 1024 * 1024
    assert body["state"] == "validating"
    assert api.post(f"/api/v1/imports/{body['id']}/run").status_code == 409
    with app.app_context():
        imports.validate(body["id"])  # what tasks.imports.validate_import does
        db.session.remove()
    assert api.get(f"/api/v1/imports/{body['id']}").get_json()["counts"]["created"] == 1


def test_cancel_while_running_stops_before_the_next_batch(api, app, store):
    from app.extensions import db
    from app.services.imports import runs as imports

    body = upload(api, HEADER + "".join(f"Q-{n},Row {n},,Store,1,pcs,1\n" for n in range(5))).get_json()
    assert api.post(f"/api/v1/imports/{body['id']}/run").status_code == 202
    cancelled = api.post(f"/api/v1/imports/{body['id']}/cancel").get_json()
    assert cancelled["state"] == "cancelled"
    with app.app_context():
        assert imports.run(body["id"]).state == "cancelled"  # the worker picks it up afterwards
        db.session.remove()
    assert item_by_sku(api, "Q-0") is None
    assert api.get(f"/api/v1/imports/{body['id']}").get_json()["processed_rows"] == 0


def test_nul_characters_are_refused_not_a_crash(api, store):
    binary = upload(api, HEADER + "NUL-1,Bad\x00name,,Store,1,pcs,1\n")
    assert binary.status_code == 422 and "not a CSV or XLSX" in error_of(binary)["message"]
    named = upload(api, HEADER + "NUL-2,Fine,,Store,1,pcs,1\n", name="we\x00ird.csv")
    assert named.status_code == 201 and named.get_json()["filename"] == "weird.csv"


def test_upload_fields_are_strict(api, store):
    refused = upload(api, HEADER, create_categories="1")
    assert refused.status_code == 422 and error_of(refused)["fields"]["create_categories"] == ["Must be true or false."]
    body = multipart_csv(HEADER)
    body["sheet"] = ["One", "Two"]
    twice = api.call("POST", "/api/v1/imports", "manager", data=body)
    assert twice.status_code == 422 and "sheet" in error_of(twice)["fields"]


def test_a_sku_in_another_letter_case_updates_the_existing_item(api, app, factory, store):
    item = factory.item(sku="CASE-1", name="Case item", location=store, quantity=4, price=Decimal("1"))
    result = imported(api, app, HEADER + "case-1,Case item,,Store,6,pcs,1\n")
    assert result["state"] == "done", result
    assert result["counts"]["created"] == 0 and result["counts"]["errors"] == 0, result["counts"]
    assert db_scalar(app, sa.text("SELECT count(*) FROM items WHERE lower(sku) = 'case-1'")) == 1
    assert Decimal(str(api.get(f"/api/v1/items/{item.id}").get_json()["quantity"])) == 6


def test_a_redelivered_run_beside_the_first_applies_each_row_once(api, app, factory, store):
    """acks_late: a long import outlives the broker's visibility timeout and a second worker starts
    the same run while the first is still going. Both apply batches; no row may be applied twice."""
    from app.services.imports import runs as imports

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("two runs at once need row locks: PostgreSQL only")
    existing = factory.item(sku="R-0", name="Row 0", location=store, quantity=1, price=Decimal("1"))
    rows = "".join(f"R-{n},Row {n},,Store,{n + 2},pcs,1\n" for n in range(120))
    body = upload(api, HEADER + rows).get_json()
    assert body["state"] == "validated", body
    app.config["IMPORT_BATCH_SIZE"] = 5
    try:
        assert api.post(f"/api/v1/imports/{body['id']}/run", {"on_error": "stop"}).status_code == 202
        runs = race([lambda: imports.run(body["id"])] * 2, app=app)
    finally:
        app.config["IMPORT_BATCH_SIZE"] = 500
    assert failures(runs) == []
    result = api.get(f"/api/v1/imports/{body['id']}").get_json()
    assert result["state"] == "done", result
    assert result["processed_rows"] == 120
    assert result["applied"] == {"created": 119, "updated": 1, "unchanged": 0, "skipped": 0, "failed": 0}
    assert db_scalar(app, sa.text("SELECT count(*) FROM items WHERE sku LIKE 'R-%'")) == 120
    tag = f"import-{body['id']}"
    # 119 creates, and for R-0 one adjust (1 -> 2): one ledger row per change, none twice.
    assert db_scalar(app, sa.text(f"SELECT count(*) FROM inventory_logs WHERE request_id = '{tag}'")) == 120
    assert Decimal(str(api.get(f"/api/v1/items/{existing.id}").get_json()["quantity"])) == 2


def test_a_run_the_queue_cannot_take_is_refused_and_changes_nothing(api, app, store, tmp_path):
    """Redis taken away: the run is refused with 503 and the import stays validated (it never
    waits for a job that was never queued); with Redis back, the same request queues it."""
    import redis
    from celery import Celery

    from tests.helpers.redis_server import OwnRedis

    body = upload(api, HEADER + "QU-1,Queued,,Store,1,pcs,1\n").get_json()
    assert body["state"] == "validated", body
    own = OwnRedis(tmp_path)
    own.start()
    broker = Celery("imports-queue-test", broker=own.url)
    saved = app.extensions["celery"]
    app.extensions["celery"] = broker  # this app's real enqueue path, to a Redis the test controls
    try:
        own.kill()
        refused = api.post(f"/api/v1/imports/{body['id']}/run", {"on_error": "stop"})
        assert refused.status_code == 503
        assert error_of(refused)["code"] == "queue_unavailable"
        assert "nothing was started" in error_of(refused)["message"]
        assert refused.headers["Retry-After"] == "60"
        assert api.get(f"/api/v1/imports/{body['id']}").get_json()["state"] == "validated"

        own.start()
        assert api.post(f"/api/v1/imports/{body['id']}/run", {"on_error": "stop"}).status_code == 202
        assert api.get(f"/api/v1/imports/{body['id']}").get_json()["state"] == "running"
        assert redis.Redis.from_url(own.url).llen("celery") == 1  # the job is really queued
    finally:
        app.extensions["celery"] = saved
        broker.close()
        own.kill()


def test_skus_differing_only_in_letter_case_are_both_refused(api, app, store):
    body = upload(
        api, HEADER + "abc-1,Lower,,Store,1,pcs,1\nOK-2,Fine,,Store,1,pcs,1\nABC-1,Upper,,Store,1,pcs,1\n"
    ).get_json()
    assert body["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "errors": 2}
    text = api.get(f"/api/v1/imports/{body['id']}/errors.csv").data.decode("utf-8-sig")
    errors = {row[0]: row[-1] for row in csv.reader(io.StringIO(text))}
    for row in ("2", "4"):
        assert "SKU abc-1 appears more than once in the file (rows 2, 4)" in errors[row]
        assert "written abc-1 and ABC-1" in errors[row]
    refused = api.post(f"/api/v1/imports/{body['id']}/run", {"on_error": "stop"})
    assert refused.status_code == 409 and "2 row(s) have errors" in error_of(refused)["message"]
    assert api.post(f"/api/v1/imports/{body['id']}/run", {"on_error": "skip"}).status_code == 202
    run_now(app, body["id"])
    result = api.get(f"/api/v1/imports/{body['id']}").get_json()
    assert result["applied"] == {"created": 1, "updated": 0, "unchanged": 0, "skipped": 2, "failed": 0}
    assert db_scalar(app, sa.text("SELECT count(*) FROM items WHERE lower(sku) = 'abc-1'")) == 0
    assert item_by_sku(api, "OK-2") is not None
