"""Regenerate docs/screenshots/*.png from demo data: `make screenshots`.

Builds a throwaway SQLite database, loads the demo data set, serves the app on a
loopback port and photographs the dashboard, the inventory list and an item page
and the location tree
and a stock count's review
as the demo manager at desktop size, and those and the login page at tablet (820 px)
and phone (390 px) size (files named *-tablet.png, *-phone.png).

`python tests/browser/screenshots.py /users /cart --out DIR [--size phone]` photographs the
first screenful of any pages at all (or the given) sizes instead, for judging a layout by eye.

`python tests/browser/screenshots.py --purchasing` photographs only the purchasing flow for the
README (purchasing-*.png): suggestions, the sent order, and receiving into a bin on a phone.
`--lots --database postgresql://…/EMPTY_DB` (lots-*.png): a lot line received on a phone.
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


def serve_demo(db_path: Path, database_url: str | None = None):
    # An empty PostgreSQL database when given: the lots migration alters constraints, which SQLite cannot.
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{db_path}"
    os.environ.pop("REDIS_URL", None)
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from app import create_app
    from app.services.demo import seed as demo

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


SIZES = {
    "desktop": {"width": 1360, "height": 900},
    "tablet": {"width": 820, "height": 1180},
    "phone": {"width": 390, "height": 844},
}


def log_in(page, base: str, email: str = "manager@example.com") -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", "demo-password")
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard")


def photograph_main_pages(browser, base: str, size: str) -> list[Path]:
    """The login page, dashboard, inventory list and an item page, as the demo manager."""
    suffix = "" if size == "desktop" else f"-{size}"
    # Phones and tablets render at twice the CSS pixels, as their screens do.
    scale = 1 if size == "desktop" else 2
    page = browser.new_page(viewport=SIZES[size], device_scale_factor=scale)
    shots = []

    def shot(name: str, full_page: bool = True) -> None:
        path = OUT / f"{name}{suffix}.png"
        page.screenshot(path=str(path), full_page=full_page)
        shots.append(path)

    if size != "desktop":
        page.goto(base + "/login")
        shot("login")
    log_in(page, base)
    page.wait_for_timeout(500)  # let Chart.js draw
    shot("dashboard")
    page.goto(base + "/items?sort=quantity")
    page.wait_for_timeout(300)
    shot("inventory", full_page=False)
    page.click("#inventory-results tbody tr:nth-child(3) a.item-name")
    page.wait_for_selector("main[data-item-id]")
    shot("item")
    if size == "desktop":  # the location tree, with Aisle B and the store's back room folded
        page.goto(base + "/locations")
        for name in ("Aisle B", "Back Room"):
            page.locator("summary", has_text=name).first.click()
        shot("locations")
        shots.append(photograph_labels(page, base))
        shots.append(photograph_count_review(page, base))
    if size == "phone":
        shots.append(photograph_scan(page, base))
    page.close()
    return shots


def photograph_labels(page, base: str) -> Path:
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
    return OUT / "labels.png"


def photograph_count_review(page, base: str) -> Path:
    """A manager's review of a counted shelf: variances first with their value, then lines not counted."""
    page.goto(base + "/counts")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    headers = {"X-CSRFToken": token}
    items = page.request.get(base + "/api/v1/items?per_page=100&sort_by=quantity&order=desc").json()["items"]
    shelf = items[0]["location_id"]
    count = page.request.post(base + "/api/v1/counts", data={"location_id": shelf}, headers=headers).json()
    lines = [line for line in count["lines"] if line["location_id"] == shelf]
    for index, line in enumerate(lines[:-2]):  # the last two are left for "not counted"
        found = max(0, line["expected"] - (3, 0, 1, 0, 0, 2)[index % 6]) if index % 7 != 5 else line["expected"] + 4
        body = {"item_id": line["item_id"], "location_id": shelf, "counted": found}
        page.request.put(base + f"/api/v1/counts/{count['id']}/lines", data=body, headers=headers)
    page.request.post(base + f"/api/v1/counts/{count['id']}/submit", headers=headers)
    page.goto(base + f"/counts/{count['id']}/review")
    page.screenshot(path=str(OUT / "count-review.png"), full_page=True)
    return OUT / "count-review.png"


def photograph_scan(page, base: str) -> Path:
    """The Scan page on a phone: a Move with a source, three items and a destination scanned by a USB scanner."""
    items = page.request.get(base + "/api/v1/items?per_page=3&sort_by=quantity&order=desc").json()["items"]
    source = items[0]["location_id"]
    places = [loc["id"] for loc in page.request.get(base + "/api/v1/locations").json() if not loc["is_structural"]]
    page.goto(base + "/scan")
    page.get_by_text("Move", exact=True).click()
    codes = [f"L{source}"] + [f"I{item['id']}" for item in items] + [f"I{items[0]['id']}"]
    codes.append(f"L{next(p for p in places if p != source)}")
    for code in codes:
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        page.wait_for_timeout(400)
    page.screenshot(path=str(OUT / "scan.png"), full_page=True)
    return OUT / "scan.png"


def seed_purchasing(app) -> None:
    """Suppliers with offers for the demo's low items, a reorder policy on them (as a buyer would set)."""
    from decimal import Decimal

    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Item
    from app.services import items, users
    from app.services.purchasing import suppliers

    with app.app_context():
        manager = users.find_by_email("manager@example.com")
        harbour = suppliers.create_supplier(
            {
                "name": "Harbour Tool Supply",
                "contact": "Ann Lee",
                "email": "orders@harbour-tools.example",
                "lead_time_days": 6,
            }
        )
        north = suppliers.create_supplier(
            {"name": "Northern Fasteners", "email": "sales@northern.example", "lead_time_days": 3}
        )
        low = (
            db.session.execute(
                sa.select(Item)
                .where(Item.quantity < Item.low_stock_threshold, Item.is_deleted.is_(False))
                .order_by(Item.sku)
            )
            .scalars()
            .all()
        )
        for n, item in enumerate(low):
            supplier = (harbour, north)[n % 2]
            pack = Decimal(12 if n % 2 else 6)
            suppliers.add_offer(
                item.id,
                {
                    "supplier_id": supplier.id,
                    "supplier_sku": f"{supplier.name[:2].upper()}-{item.sku}",
                    "pack_size": pack,
                    "unit_price": (item.price * Decimal("0.6")).quantize(Decimal("0.01")),
                    "min_order_quantity": pack * 2,
                },
            )
            policy = (
                {"max_stock": item.low_stock_threshold * 3}
                if n % 2
                else {"reorder_quantity": item.low_stock_threshold * 2}
            )
            items.update_item(item.id, policy, actor=manager, expected_version=item.version, partial=True)


def photograph_purchasing(browser, base: str) -> list[Path]:
    """Suggestions, a sent order received in part into a bin, and the receiving form on a phone."""
    page = browser.new_page(viewport=SIZES["desktop"], device_scale_factor=1)
    log_in(page, base)
    page.goto(base + "/purchasing/suggestions")
    page.screenshot(path=str(OUT / "purchasing-suggestions.png"), full_page=True)
    page.get_by_role("button", name="Create draft orders").click()
    page.wait_for_load_state()
    page.locator("#orders-table a").first.click()
    page.wait_for_load_state()
    page.locator("#send-form button").click()
    page.wait_for_load_state()
    first_line = page.locator(".po-receive input[name$=-quantity]").first
    first_line.fill("6")
    page.get_by_role("button", name="Receive these").click()
    page.wait_for_load_state()
    order_url = page.url.split("#")[0]
    page.goto(order_url)  # from the top: a full-page picture of a scrolled page repeats the sticky header
    page.screenshot(path=str(OUT / "purchasing-order.png"), full_page=True)
    page.close()
    phone = browser.new_page(viewport=SIZES["phone"], device_scale_factor=2)
    log_in(phone, base)
    phone.goto(order_url + "#receive")
    phone.wait_for_load_state()
    phone.locator("#receive").scroll_into_view_if_needed()
    phone.locator("#receive").screenshot(path=str(OUT / "purchasing-receive-phone.png"))
    phone.close()
    return [
        OUT / name for name in ("purchasing-suggestions.png", "purchasing-order.png", "purchasing-receive-phone.png")
    ]


def photograph_lots(browser, base: str, app) -> list[Path]:
    """A lot line received on a phone: the supplier's GS1 code typed into the code field fills in lot and expiry."""
    from decimal import Decimal

    import sqlalchemy as sa
    from playwright.sync_api import expect

    from app.extensions import db
    from app.models import Location
    from app.services import items, users
    from app.services.purchasing import orders, suppliers

    with app.app_context():
        manager = users.find_by_email("manager@example.com")
        bin_id = db.session.execute(sa.select(Location.id).where(Location.is_structural.is_(False)).limit(1)).scalar()
        oil = items.create_item(
            {"sku": "OIL-1L", "name": "Olive oil 1 l", "unit": "pcs", "price": Decimal("6.40"), "tracking": "lot"}
            | {"location_id": bin_id}
            | {"expiry_required": True, "barcodes": ["9506000134352"]},
            actor=manager,
        )
        supplier = suppliers.create_supplier({"name": "Olive Grove Foods", "email": "orders@olive.example"})
        made = orders.create_order(
            {"supplier_id": supplier.id, "lines": [{"item_id": oil.id, "quantity": Decimal(24)}]}, actor=manager
        )
        orders.send(made.id, actor=manager)
        order_id = made.id
    phone = browser.new_page(viewport=SIZES["phone"], device_scale_factor=2)
    log_in(phone, base)
    phone.goto(f"{base}/purchasing/orders/{order_id}#receive")
    phone.wait_for_load_state()
    phone.locator("#code").fill("]d20109506000134352172712311" + "0AB-12")
    phone.locator("#code").dispatch_event("change")
    expect(phone.locator("#lot")).to_have_value("AB-12")  # gs1.js asked the scan API
    phone.locator("#quantity").fill("24")
    target = OUT / "lots-receive-phone.png"
    phone.locator("#scan-receive-form").screenshot(path=str(target))
    phone.close()
    return [target]


def photograph(browser, base: str, paths: list[str], out: Path, email: str, sizes: list[str]) -> list[Path]:
    """Any pages (the first screenful of each) at the given sizes, for judging layouts by eye."""
    shots = []
    for size in sizes:
        page = browser.new_page(viewport=SIZES[size], device_scale_factor=1)
        log_in(page, base, email)
        for path in paths:
            page.goto(base + path)
            page.wait_for_timeout(300)
            name = path.strip("/").replace("/", "_").replace("?", "_").replace("&", "_").replace("=", "-") or "root"
            target = out / f"{name}-{size}.png"
            page.screenshot(path=str(target))
            shots.append(target)
        page.close()
    return shots


def main() -> None:
    import argparse

    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="photograph these pages at every size instead (e.g. /users)")
    parser.add_argument("--out", type=Path, default=None, help="folder for those pictures (default: a temp folder)")
    parser.add_argument("--as", dest="email", default="manager@example.com", help="demo user to log in as")
    parser.add_argument("--size", dest="sizes", action="append", choices=list(SIZES), help="only these sizes")
    parser.add_argument("--purchasing", action="store_true", help="only the purchasing flow (purchasing-*.png)")
    parser.add_argument("--lots", action="store_true", help="only receiving a lot line (lots-*.png)")
    parser.add_argument("--database", help="an empty PostgreSQL database URL to seed (default: SQLite)")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from launch import launch

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server, base = serve_demo(Path(tmp) / "demo.db", args.database)
        try:
            with sync_playwright() as p:
                browser = launch(p)
                if args.purchasing:
                    seed_purchasing(server.app)
                    shots = photograph_purchasing(browser, base)
                elif args.lots:
                    shots = photograph_lots(browser, base, server.app)
                elif args.paths:
                    out = args.out or Path(tempfile.mkdtemp(prefix="screens-"))
                    out.mkdir(parents=True, exist_ok=True)
                    shots = photograph(browser, base, args.paths, out, args.email, args.sizes or list(SIZES))
                else:
                    shots = [shot for size in SIZES for shot in photograph_main_pages(browser, base, size)]
                browser.close()
        finally:
            server.shutdown()
    for path in shots:
        print(path)


if __name__ == "__main__":
    main()
