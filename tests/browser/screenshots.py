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


def _labels(page, base: str) -> None:
    """The first A4 sheet of item labels (QR code, name, SKU, price), as the printer gets it."""
    import subprocess

    pdf = page.request.get(base + "/api/v1/labels/items.pdf?layout=a4-3x8&price=true").body()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "labels.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", "1", "-l", "1", str(source), str(OUT / "labels")],
            check=True,
        )


def _scan(page, base: str) -> None:
    """The Scan page on a phone: a Move with a source, three items and a destination scanned."""
    browser = page.context.browser
    phone = browser.new_context(
        base_url=base, viewport={"width": 390, "height": 844}, device_scale_factor=2, has_touch=True, is_mobile=True
    )
    phone.add_cookies(page.context.cookies())
    scan = phone.new_page()
    items = scan.request.get(base + "/api/v1/items?per_page=3&sort_by=quantity&order=desc").json()["items"]
    source = items[0]["location_id"]
    places = [loc["id"] for loc in scan.request.get(base + "/api/v1/locations").json() if not loc["is_structural"]]
    scan.goto(base + "/scan")
    scan.get_by_text("Move", exact=True).click()
    codes = [f"L{source}"] + [f"I{item['id']}" for item in items] + [f"I{items[0]['id']}"]
    codes.append(f"L{next(p for p in places if p != source)}")
    for code in codes:
        scan.evaluate("document.activeElement && document.activeElement.blur()")
        scan.keyboard.type(code)
        scan.keyboard.press("Enter")
        scan.wait_for_timeout(400)
    scan.screenshot(path=str(OUT / "scan.png"), full_page=True)
    phone.close()


SHOTS = {
    "dashboard": _dashboard,
    "inventory": _inventory,
    "item": _item,
    "locations": _locations,
    "labels": _labels,
    "scan": _scan,
}


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
