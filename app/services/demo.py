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
CATEGORIES = {
    "Fasteners": ["Hex Bolt", "Wood Screw", "Wall Plug", "Rivet", "Washer"],
    "Hand Tools": ["Claw Hammer", "Screwdriver Set", "Tape Measure", "Utility Knife", "Pliers"],
    "Power Tools": ["Cordless Drill", "Angle Grinder", "Jigsaw", "Impact Driver"],
    "Electrical": ["Extension Lead", "Cable Ties", "Wall Socket", "LED Bulb", "Fuse"],
    "Plumbing": ["Copper Pipe", "Pipe Elbow", "Tap Washer", "PTFE Tape"],
    "Paint": ["Emulsion Paint", "Gloss Paint", "Paint Roller", "Masking Tape"],
    "Safety": ["Safety Gloves", "Ear Defenders", "Hard Hat", "Safety Glasses"],
    "Garden": ["Hose Reel", "Pruning Shears", "Compost Bag", "Plant Pot"],
    "Packaging": ["Cardboard Box", "Bubble Wrap", "Packing Tape", "Pallet Wrap"],
    "Office": ["Printer Paper", "Label Roll", "Marker Pen", "Clipboard"],
    "Cleaning": ["Floor Cleaner", "Microfibre Cloth", "Bin Bags", "Mop Head"],
    "Lighting": ["Work Light", "Head Torch", "Batten Fitting", "Floodlight"],
}
VARIANTS = ["Small", "Medium", "Large", "Pro", "Value", "Heavy Duty", "Blue", "Black", "10-pack", "50-pack"]
UNITS = ["pcs", "pcs", "pcs", "box", "pack", "roll", "m", "l", "kg"]


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

    created = []
    for index in range(item_count):
        category_name = rng.choice(list(CATEGORIES))
        base = rng.choice(CATEGORIES[category_name])
        variant = rng.choice(VARIANTS)
        threshold = rng.choice([0, 5, 10, 20, 25, 50])
        unit = rng.choice(UNITS)
        with clock_at(start + timedelta(minutes=index)):
            item = items.create_item(
                {
                    "sku": f"{category_name[:3].upper()}-{index + 1:05d}",
                    "name": f"{base} {variant}",
                    "description": f"{variant} {base.lower()} for trade and retail customers.",
                    "category_id": categories[category_name].id,
                    "location_id": rng.choice(bins).id,
                    "unit": unit,
                    "decimals": DECIMALS.get(unit, 0),
                    "price": Decimal(rng.randint(49, 25000)) / 100,
                    "low_stock_threshold": threshold,
                    "quantity": rng.randint(threshold + 5, threshold * 4 + 60),
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
    return [
        f"Seeded {len(people)} users, {len(placed)} locations, {len(categories)} categories, "
        f"{len(created)} items and {movements} movements over {days} days.",
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
