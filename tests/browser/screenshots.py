"""Regenerate docs/screenshots/*.png from demo data: `make screenshots`.

Builds a throwaway SQLite database, loads the demo data set, serves the app on a
loopback port and photographs the dashboard, the inventory list, an item page and the
location tree as the demo manager. Name some to take only those:
`python tests/browser/screenshots.py locations`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(ROOT))


def serve_demo(db_path: Path):
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.pop("REDIS_URL", None)
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from app import create_app
    from app.services import demo

    app = create_app("development")
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        demo.seed(item_count=120, days=35, random_seed=7)
        _take_some_below_threshold()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def _take_some_below_threshold(count: int = 4) -> None:
    """Real withdrawals by the demo staff user, so the low-stock highlight shows up."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Item
    from app.services import stock, users

    staff = users.find_by_email("staff@example.com")
    candidates = db.session.execute(
        sa.select(Item.id, Item.quantity, Item.low_stock_threshold)
        .where(Item.low_stock_threshold > 0, Item.quantity >= Item.low_stock_threshold)
        .order_by(Item.quantity)
        .limit(count)
    ).all()
    for item_id, quantity, threshold in candidates:
        needed = quantity - threshold + 1
        for row in stock.stock_by_location(item_id):
            take = min(needed, row["quantity"])
            if take > 0:
                stock.withdraw(item_id, take, actor=staff, location_id=row["location_id"], note="Site job")
                needed -= take


def _dashboard(page, base: str) -> None:
    page.wait_for_timeout(500)  # let Chart.js draw
    page.screenshot(path=str(OUT / "dashboard.png"), full_page=True)


def _inventory(page, base: str) -> None:
    page.goto(base + "/items?sort=quantity")
    page.wait_for_timeout(300)
    page.screenshot(path=str(OUT / "inventory.png"))


def _item(page, base: str) -> None:
    page.goto(base + "/items?sort=quantity")
    page.click("#inventory-results tbody tr:nth-child(3) a.item-name")
    page.wait_for_selector("main[data-item-id]")
    page.screenshot(path=str(OUT / "item.png"), full_page=True)


def _locations(page, base: str) -> None:
    """The location tree, with Aisle B and the store's back room folded."""
    page.goto(base + "/locations")
    for name in ("Aisle B", "Back Room"):
        page.locator("summary", has_text=name).first.click()
    page.screenshot(path=str(OUT / "locations.png"), full_page=True)


SHOTS = {"dashboard": _dashboard, "inventory": _inventory, "item": _item, "locations": _locations}


def main(names: list[str]) -> None:
    """Photograph the named pages (all by default)."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from launch import launch

    OUT.mkdir(parents=True, exist_ok=True)
    names = names or list(SHOTS)
    with tempfile.TemporaryDirectory() as tmp:
        server, base = serve_demo(Path(tmp) / "demo.db")
        try:
            with sync_playwright() as p:
                browser = launch(p)
                page = browser.new_page(viewport={"width": 1360, "height": 900}, device_scale_factor=1)
                page.goto(base + "/login")
                page.fill("#email", "manager@example.com")
                page.fill("#password", "demo-password")
                page.click("button[type=submit]")
                page.wait_for_url("**/dashboard")
                for name in names:
                    SHOTS[name](page, base)
                browser.close()
        finally:
            server.shutdown()
    for name in names:
        print(OUT / f"{name}.png")


if __name__ == "__main__":
    main(sys.argv[1:])
