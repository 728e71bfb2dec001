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
from app.services import catalog, items, stock, users

DEMO_PASSWORD = "demo-password"
DEMO_USERS = [
    ("admin@example.com", "Ada Admin", Role.ADMIN),
    ("manager@example.com", "Morgan Manager", Role.MANAGER),
    ("staff@example.com", "Sam Staff", Role.STAFF),
    ("john@example.com", "John Picker", Role.STAFF),
]
LOCATIONS = [
    ("Main Warehouse", "Bulk storage and receiving", "12 Dock Road"),
    ("Downtown Store", "Retail floor and back room", "5 Market Street"),
    ("North Depot", "Overflow and seasonal stock", "88 Ring Road"),
    ("Returns Bay", "Items awaiting inspection", "12 Dock Road, bay 4"),
]
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
UNITS = ["pcs", "pcs", "pcs", "box", "pack", "roll", "m", "l"]


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
    locations = [catalog.create_location({"name": n, "description": d, "address": a}) for n, d, a in LOCATIONS]
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
        with clock_at(start + timedelta(minutes=index)):
            item = items.create_item(
                {
                    "sku": f"{category_name[:3].upper()}-{index + 1:05d}",
                    "name": f"{base} {variant}",
                    "description": f"{variant} {base.lower()} for trade and retail customers.",
                    "category_id": categories[category_name].id,
                    "location_id": rng.choice(locations).id,
                    "unit": rng.choice(UNITS),
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
                            rng.randint(1, 8),
                            actor=actor,
                            note=rng.choice([None, "Customer order", "Site job"]),
                        )
                    elif roll < 0.9:
                        stock.restock(
                            item_id, rng.randint(10, 60), actor=actor, note=rng.choice([None, "Supplier delivery"])
                        )
                    else:
                        src = db.session.get(Item, item_id).location_id
                        dst = rng.choice([loc.id for loc in locations if loc.id != src])
                        stock.transfer(item_id, src, dst, rng.randint(1, 5), actor=actor, note="Rebalancing")
                    movements += 1
                except InsufficientStock:
                    continue
    return [
        f"Seeded {len(people)} users, {len(locations)} locations, {len(categories)} categories, "
        f"{len(created)} items and {movements} movements over {days} days.",
        f"Demo logins (password {DEMO_PASSWORD!r}): " + ", ".join(email for email, _n, _r in DEMO_USERS),
    ]
