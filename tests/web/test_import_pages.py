"""The import pages: upload -> mapping -> preview with bad cells marked -> run -> result with the ledger link."""

from __future__ import annotations

import io
import re


def _run_now(app, import_id: int) -> None:
    from app.extensions import db
    from app.services.imports import runs as imports

    with app.app_context():
        imports.run(import_id)
        db.session.remove()


def _upload(client, text: str, **form):
    return client.post(
        "/imports", {"file": (io.BytesIO(text.encode()), "stock.csv"), **form}, content_type="multipart/form-data"
    )


def test_upload_map_preview_run_and_result(app, as_role, factory):
    factory.location("Store")
    client = as_role("manager")
    assert "Upload" in client.get("/imports").text
    response = _upload(client, "Code,Label,Qty,Where\nP-1,Pliers,3,Store\nP-2,Pincers,x,Store\n")
    assert response.status_code == 302
    import_id = int(re.search(r"/imports/(\d+)", response.headers["Location"]).group(1))

    page = client.get(f"/imports/{import_id}").text
    assert "Map the SKU and Name columns" in page  # "Label" is not a name it knows
    assert '<option value="sku" selected>' in page
    mapped = client.post(
        f"/imports/{import_id}/mapping",
        {f"columns-{n}-target": field for n, field in enumerate(("sku", "name", "quantity", "location"))},
    )
    assert mapped.status_code == 302

    preview = client.get(f"/imports/{import_id}").text
    assert 'data-count="created">1<' in preview and 'data-count="errors">1<' in preview
    assert 'class="cell-bad"' in preview and "&#39;x&#39; is not a number." in preview
    assert "Download the rows with errors" in preview

    refused = client.post(f"/imports/{import_id}/run", {"on_error": "stop"}, follow_redirects=True).text
    assert "1 row(s) have errors" in refused
    assert client.post(f"/imports/{import_id}/run", {"on_error": "skip"}).status_code == 302
    running = client.get(f"/imports/{import_id}").text
    assert 'id="import-progress"' in running and "You can leave this page" in running

    _run_now(app, import_id)
    result = client.get(f"/imports/{import_id}").text
    assert 'data-applied="created">1<' in result and 'data-applied="skipped">1<' in result
    ledger = re.search(r'id="ledger-link"|href="([^"]*request=import-\d+)"', result)
    assert ledger is not None
    activity = client.get(f"/activity?request=import-{import_id}").text
    assert "P-1" in activity or "Pliers" in activity


def test_upload_errors_show_next_to_the_file_field(as_role):
    client = as_role("manager")
    response = _upload(client, "")
    assert response.status_code == 422
    assert 'id="file-error"' in response.text and "empty" in response.text


def test_staff_cannot_open_the_import_pages(as_role):
    assert as_role("staff").get("/imports").status_code == 403


def test_a_file_over_a_megabyte_uploads_from_the_page(as_role, factory):
    factory.location("Store")
    rows = "\n".join(f"BIG-{n:06d},A rather long item name number {n},Store,1" for n in range(40_000))
    text = "SKU,Name,Location,Quantity\n" + rows
    assert len(text) > 1_500_000
    response = _upload(as_role("manager"), text)
    assert response.status_code == 302, response.text[:500]


def test_the_preview_marks_a_bad_barcode_in_its_cell(as_role, factory):
    factory.location("Store")
    client = as_role("manager")
    response = _upload(client, "SKU,Name,Location,EAN\nP-1,Pliers,Store,4006381333932\nP-2,Pincers,Store,ACME-1\n")
    page = client.get(response.headers["Location"]).text
    assert 'data-count="created">1<' in page and 'data-count="errors">1<' in page
    cell = re.search(r'<td class="cell-bad"[^>]*>([^<]*)<small class="cell-error">([^<]*)</small></td>', page)
    assert cell is not None
    assert cell.group(1) == "4006381333932"
    assert cell.group(2) == "4006381333932: not a valid EAN-13 (the check digit should be 1)."
    assert '<option value="barcode" selected>' in page
