"""A realistic demo data set, made through the same services as real use."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from app.errors import InsufficientStock, PermissionDenied
from app.extensions import db
from app.models import Item, Role
from app.models.base import clock_at
from app.services import catalog, items, locations, stock, users
from app.services.demo.purchasing import seed_purchasing
from app.services.requests import carts
from app.services.requests import workflow as requests

DEMO_PASSWORD = "demo-password"
DEMO_USERS = [
    ("admin@example.com", "Ada Admin", Role.ADMIN),
    ("manager@example.com", "Morgan Manager", Role.MANAGER),
    ("staff@example.com", "Sam Staff", Role.STAFF),
    ("john@example.com", "John Picker", Role.STAFF),
]
# The demo's location tree: (name, description, address, structural, children).
LOCATION_TREE = [
    (
        "Main Warehouse",
        "Bulk storage and receiving",
        "12 Dock Road",
        True,
        [
            (
                f"Aisle {aisle}",
                None,
                None,
                True,
                [
                    (
                        f"Shelf {shelf:02d}",
                        None,
                        None,
                        True,
                        [(f"Bin {aisle}{shelf}-{b}", None, None, False, []) for b in (1, 2, 3)],
                    )
                    for shelf in (1, 2, 3)
                ],
            )
            for aisle in ("A", "B")
        ]
        + [("Receiving", "Goods in, before put-away", None, False, [])],
    ),
    (
        "Downtown Store",
        "Retail floor and back room",
        "5 Market Street",
        True,
        [
            ("Retail Floor", "Customer-facing shelves", None, False, []),
            ("Back Room", None, None, True, [(f"Shelf {n:02d}", None, None, False, []) for n in (1, 2, 3)]),
        ],
    ),
    ("Returns Bay", "Items awaiting inspection", "12 Dock Road, bay 4", False, []),
]
# Units sold by measure take decimal places: cable by the metre, paint by the litre.
DECIMALS = {"m": 2, "l": 2, "kg": 3}
# Category -> products: (name, the unit it is counted in, its sizes or kinds, price range in
# the shop's currency per unit, low-stock threshold). Names are "product kind", each once.
CATEGORIES: dict[str, list[tuple[str, str, list[str], tuple[float, float], int]]] = {
    "Fasteners": [
        ("Hex Bolt", "box", ["M6 x 30 mm", "M8 x 40 mm", "M10 x 50 mm", "M12 x 60 mm"], (6, 24), 10),
        ("Wood Screw", "box", ["3.5 x 30 mm", "4 x 40 mm", "5 x 60 mm", "5 x 80 mm"], (4, 15), 10),
        ("Wall Plug", "pack", ["5 mm yellow", "6 mm red", "7 mm brown"], (2, 6), 10),
        ("Washer", "box", ["M6", "M8", "M10"], (3, 9), 5),
    ],
    "Hand Tools": [
        ("Claw Hammer", "pcs", ["16 oz", "20 oz"], (12, 35), 3),
        ("Screwdriver Set", "set", ["6-piece", "12-piece"], (10, 40), 3),
        ("Tape Measure", "pcs", ["5 m", "8 m"], (6, 20), 5),
        ("Utility Knife", "pcs", ["snap-off", "retractable"], (4, 15), 5),
    ],
    "Power Tools": [
        ("Cordless Drill", "pcs", ["18 V", "12 V compact"], (60, 220), 2),
        ("Angle Grinder", "pcs", ["115 mm", "125 mm"], (40, 150), 2),
        ("Jigsaw", "pcs", ["650 W"], (50, 130), 1),
    ],
    "Electrical": [
        ("Twin and Earth Cable", "m", ["1.5 mm²", "2.5 mm²", "6 mm²"], (0.6, 3.5), 50),
        ("Extension Lead", "pcs", ["4-way 2 m", "6-way 5 m"], (8, 25), 5),
        ("Cable Ties", "pack", ["100 mm", "200 mm", "300 mm"], (2, 7), 10),
        ("LED Bulb", "pcs", ["E27 warm white", "GU10 cool white", "B22 warm white"], (2, 8), 20),
    ],
    "Plumbing": [
        ("Copper Pipe", "m", ["15 mm", "22 mm"], (3, 9), 30),
        ("Pipe Elbow", "pcs", ["15 mm", "22 mm"], (1, 4), 20),
        ("PTFE Tape", "roll", ["12 mm"], (0.5, 2), 20),
    ],
    "Paint": [
        ("Emulsion Paint", "l", ["white", "magnolia", "grey"], (4, 12), 20),
        ("Gloss Paint", "l", ["white", "black"], (8, 18), 10),
        ("Paint Roller", "pcs", ["9 inch", "4 inch mini"], (4, 12), 5),
        ("Masking Tape", "roll", ["25 mm", "50 mm"], (2, 6), 10),
    ],
    "Safety": [
        ("Safety Gloves", "pair", ["size M", "size L", "size XL"], (2, 9), 20),
        ("Safety Glasses", "pcs", ["clear", "tinted"], (3, 10), 10),
        ("Hard Hat", "pcs", ["white", "yellow"], (8, 20), 5),
    ],
    "Garden": [
        ("Compost", "bag", ["40 l", "60 l"], (5, 12), 10),
        ("Garden Hose", "m", ["12 mm"], (0.8, 2), 30),
        ("Plant Pot", "pcs", ["15 cm", "25 cm", "40 cm"], (1, 15), 10),
    ],
    "Packaging": [
        ("Cardboard Box", "pcs", ["small", "medium", "large"], (0.5, 3), 50),
        ("Bubble Wrap", "roll", ["500 mm x 10 m", "1 m x 50 m"], (5, 30), 5),
        ("Packing Tape", "roll", ["48 mm brown", "48 mm clear"], (1, 4), 20),
    ],
    "Office": [
        ("Printer Paper", "ream", ["A4 80 gsm", "A3 80 gsm"], (4, 12), 10),
        ("Label Roll", "roll", ["38 x 90 mm", "25 x 54 mm"], (6, 15), 5),
        ("Marker Pen", "pcs", ["black", "red", "blue"], (1, 3), 20),
    ],
    "Cleaning": [
        ("Floor Cleaner", "l", ["citrus", "unscented"], (2, 6), 10),
        ("Microfibre Cloth", "pack", ["10 pack"], (4, 9), 5),
        ("Bin Bags", "roll", ["60 l", "120 l"], (3, 8), 10),
    ],
    "Lighting": [
        ("Work Light", "pcs", ["20 W LED", "50 W LED"], (15, 60), 2),
        ("Head Torch", "pcs", ["300 lumen"], (10, 30), 3),
        ("Floodlight", "pcs", ["30 W", "50 W"], (20, 55), 2),
    ],
}
# When more items are asked for than there are product kinds, lines from these (made-up) makers follow.
BRANDS = ["Northway", "Apex", "Trident", "Harbour", "Greystone", "Kestrel", "Millbrook", "Oakline"]


def refuse_in_production() -> None:
    """Demo data (known accounts, a published password) never enters a production database."""
    if current_app.config.get("ENV_NAME") == "production":
        raise PermissionDenied(
            "Refusing to load demo data in production (APP_ENV=production): its accounts share a published "
            "password. Use `create-user` for real accounts."
        )


def seed(*, item_count: int = 300, days: int = 42, random_seed: int = 7) -> list[str] | None:
    """Create users, locations, categories, items and weeks of movements; None if items exist.

    Raises PermissionDenied in production: the demo accounts share one published password.
    """
    refuse_in_production()
    if db.session.execute(sa.select(Item.id).limit(1)).first() is not None:
        return None
    rng = random.Random(random_seed)
    start = datetime.now(UTC) - timedelta(days=days)
    people = []
    for email, name, role in DEMO_USERS:
        people.append(
            users.find_by_email(email)
            or users.create_user(email=email, password=DEMO_PASSWORD, full_name=name, role=role)
        )
    manager = people[1]
    placed = _plant(LOCATION_TREE, None)
    bins = [loc for loc in placed if not loc.is_structural]
    categories = {
        name: catalog.create_category({"name": name, "description": f"{name} and related supplies"})
        for name in CATEGORIES
    }

    catalogue = _catalogue(item_count)
    created = []
    for index, (category_name, name, unit, (low, high), threshold) in enumerate(catalogue):
        decimals = DECIMALS.get(unit, 0)
        with clock_at(start + timedelta(minutes=index)):
            item = items.create_item(
                {
                    "sku": f"{category_name[:3].upper()}-{index + 1:05d}",
                    "name": name,
                    "description": f"{name}, sold per {unit}.",
                    "category_id": categories[category_name].id,
                    "location_id": rng.choice(bins).id,
                    "unit": unit,
                    "decimals": decimals,
                    "price": Decimal(str(round(rng.uniform(low, high), 2))),
                    "low_stock_threshold": threshold,
                    "quantity": _amount(rng, threshold + 2, threshold * 4 + 20, decimals),
                },
                actor=manager,
            )
        created.append(item.id)

    movements = 0
    for day in range(days):
        for _ in range(rng.randint(15, 40)):
            item_id = rng.choice(created)
            actor = rng.choice(people)
            moment = start + timedelta(days=day, hours=rng.randint(7, 18), minutes=rng.randint(0, 59))
            with clock_at(moment):
                try:
                    roll = rng.random()
                    if roll < 0.55:
                        stock.withdraw(
                            item_id,
                            _amount(rng, 1, 8, db.session.get(Item, item_id).decimals),
                            actor=actor,
                            note=rng.choice([None, "Customer order", "Site job"]),
                        )
                    elif roll < 0.9:
                        stock.restock(
                            item_id, rng.randint(10, 60), actor=actor, note=rng.choice([None, "Supplier delivery"])
                        )
                    else:
                        src = db.session.get(Item, item_id).location_id
                        dst = rng.choice([loc.id for loc in bins if loc.id != src])
                        stock.transfer(item_id, src, dst, rng.randint(1, 5), actor=actor, note="Rebalancing")
                    movements += 1
                except InsufficientStock:
                    continue
    decided, pending = _requests(rng, people, created, start + timedelta(days=days))
    supplier_count, policies, purchase_orders = seed_purchasing(rng, manager, created, start + timedelta(days=days))
    return [
        f"Seeded {len(people)} users, {len(placed)} locations, {len(categories)} categories, "
        f"{len(created)} items, {movements} movements over {days} days, "
        f"{decided} decided and {pending} pending stock requests, {supplier_count} suppliers, "
        f"{policies} items with a reorder policy and an offer, {purchase_orders} purchase orders.",
        f"Demo logins (password {DEMO_PASSWORD!r}): " + ", ".join(email for email, _n, _r in DEMO_USERS),
    ]


def _plant(tree: list, parent_id: int | None) -> list:
    """Create a list of (name, description, address, structural, children) under `parent_id`."""
    made = []
    for name, description, address, structural, kids in tree:
        location = locations.create_location(
            {
                "name": name,
                "description": description,
                "address": address,
                "parent_id": parent_id,
                "is_structural": structural,
            }
        )
        made.append(location)
        made.extend(_plant(kids, location.id))
    return made


def _amount(rng: random.Random, low: int, high: int, decimals: int) -> Decimal | int:
    """A random quantity with the item's decimal places (2.75 m of cable, 3 pieces)."""
    if decimals == 0:
        return rng.randint(low, high)
    return Decimal(rng.randint(low * 10**decimals, high * 10**decimals)).scaleb(-decimals)


def _catalogue(count: int) -> list[tuple[str, str, str, tuple[float, float], int]]:
    """`count` distinct products: every kind once, then the same kinds from each maker in turn."""
    kinds = [
        (category, f"{product} {kind}", unit, prices, threshold)
        for category, products in CATEGORIES.items()
        for product, unit, kinds_of, prices, threshold in products
        for kind in kinds_of
    ]
    result = list(kinds[:count])
    for brand in BRANDS:
        if len(result) >= count:
            break
        result += [(c, f"{brand} {n}", u, p, t) for c, n, u, p, t in kinds[: count - len(result)]]
    return result


def _requests(rng: random.Random, people: list, item_ids: list[int], now: datetime) -> tuple[int, int]:
    """A history of decided requests for the reports and a few pending ones for the approval queue."""
    staff = [person for person in people if person.role == Role.STAFF]
    manager = people[1]
    decided = pending = 0
    plan = ["approve", "approve", "fulfil", "reject", "approve", "fulfil"] + ["pending"] * 4
    for index, outcome in enumerate(plan):
        author = staff[index % len(staff)]
        moment = now - timedelta(days=len(plan) - index, hours=rng.randint(1, 6))
        with clock_at(moment):
            for item_id in rng.sample(item_ids, k=min(len(item_ids), rng.randint(1, 3))):
                item = db.session.get(Item, item_id)
                wanted = max(1, min(int(item.quantity) // 4, rng.randint(1, 6)))
                carts.add_line(author, item_id, wanted)
            req = requests.submit(author, kind="pick", note=rng.choice(["Site job", "Customer order", None]))
        with clock_at(moment + timedelta(hours=1)):
            try:
                if outcome == "reject":
                    requests.reject(req.id, actor=manager, reason="Ordered from the supplier directly instead.")
                elif outcome in ("approve", "fulfil"):
                    requests.approve(req.id, actor=manager)
                    if outcome == "fulfil":
                        requests.fulfil(req.id, actor=author, note="Collected")
                else:
                    pending += 1
                    continue
            except InsufficientStock:
                pending += 1  # stays in the queue, its short lines shown
                continue
        decided += 1
    return decided, pending
