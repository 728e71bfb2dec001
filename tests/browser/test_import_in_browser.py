"""Upload -> mapping -> preview -> run with the progress bar -> result, in a real browser.

The run is applied by a thread of the test process calling imports.run (the worker's
function), in batches small enough that the page sees the bar move.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.launch import log_in

pytestmark = pytest.mark.browser
ROWS = 400
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _apply_when_started(app, stop: threading.Event) -> None:
    from app.extensions import db
    from app.services.imports import runs as imports

    with app.app_context():
        while not stop.is_set():
            found = db.session.execute(sa.text("SELECT id FROM imports WHERE state = 'running'")).scalar()
            db.session.rollback()
            if found:
                imports.run(found)
                break
            time.sleep(0.1)
        db.session.remove()


def _shot(page, name: str) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS"):
        page.screenshot(path=str(SHOTS / name), full_page=True)


def test_import_walkthrough(page, app, factory):
    factory.location("Store")
    factory.category("Tools")
    app.config["IMPORT_BATCH_SIZE"] = 10
    lines = ["Code,Label,Category,Qty,Where"] + [f"BR-{n:04d},Thing {n},Tools,{n % 5 + 1},Store" for n in range(ROWS)]
    lines[3] = "BR-0002,Broken,Tools,two,Store"
    stop = threading.Event()
    runner = threading.Thread(target=_apply_when_started, args=(app, stop), daemon=True)
    try:
        log_in(page, factory.user("manager"))
        page.goto("/imports")
        page.set_input_files(
            "#file", files=[{"name": "stock.csv", "mimeType": "text/csv", "buffer": "\n".join(lines).encode()}]
        )
        page.get_by_role("button", name="Upload").click()

        expect(page.locator("#import-message")).to_contain_text("Map the SKU and Name columns")
        page.get_by_label("Label").select_option("name")
        _shot(page, "import-mapping.png")
        page.get_by_role("button", name="Save mapping and check every row").click()

        expect(page.locator('[data-count="created"]')).to_have_text(str(ROWS - 1))
        expect(page.locator('[data-count="errors"]')).to_have_text("1")
        bad = page.locator("td.cell-bad")
        expect(bad).to_have_count(1)
        expect(bad).to_contain_text("'two' is not a number.")
        _shot(page, "import-preview.png")

        page.get_by_label("Import the valid rows, skip the others").check()
        runner.start()
        page.get_by_role("button", name=f"Import {ROWS - 1} changes").click()
        bar = page.locator("#import-progress")
        expect(bar).to_be_visible()
        page.wait_for_function(
            "() => { const b = document.getElementById('import-progress'); return !b || (b.value > 0); }"
        )
        _shot(page, "import-progress.png")

        expect(page.locator("#result")).to_be_visible(timeout=120_000)
        expect(page.locator('[data-applied="created"]')).to_have_text(str(ROWS - 1))
        expect(page.locator('[data-applied="skipped"]')).to_have_text("1")
        _shot(page, "import-result.png")
        page.locator("#ledger-link").click()
        expect(page.locator("#request-filter")).to_contain_text("import-")
    finally:
        stop.set()
        runner.join(timeout=60) if runner.is_alive() else None
        app.config["IMPORT_BATCH_SIZE"] = 500
