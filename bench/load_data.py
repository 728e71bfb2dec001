"""Build the benchmark database: real migrations, then bulk data generated inside PostgreSQL.

Everything is made by INSERT ... SELECT generate_series (no rows cross the wire), with
the secondary indexes dropped during the load and rebuilt afterwards, then VACUUM
ANALYZE (the visibility map lets the list use index-only scans).

Shape (N = items): a location tree of 10,022 locations (2 structural sites, 10 aisles each,
20 shelves per aisle, 24 bins per shelf: 9,600 bins hold all the stock), 200 categories of skewed size (the largest holds about
17% of the items), 1 user per role plus the bench users, one stock level per item at its
home location (plus an empty second level for every fifth item), 5 ledger rows per item
whose deltas add up to the level (create, restock, three withdrawals), and a few
thousand alerts. Items 1..100 are the "hot set" for the movement scenario.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
# The location tree: sites > aisles > shelves > bins; ids are given level by level.
SITES, AISLES_PER_SITE, SHELVES_PER_AISLE, BINS_PER_SHELF = 2, 10, 20, 24
AISLES = SITES * AISLES_PER_SITE
SHELVES = AISLES * SHELVES_PER_AISLE
BINS = SHELVES * BINS_PER_SHELF
FIRST_AISLE, FIRST_SHELF, FIRST_BIN = SITES + 1, SITES + AISLES + 1, SITES + AISLES + SHELVES + 1
LOCATIONS = SITES + AISLES + SHELVES + BINS


def site_ids() -> list[int]:
    return list(range(1, SITES + 1))


def aisle_ids() -> list[int]:
    return list(range(FIRST_AISLE, FIRST_SHELF))


def shelf_ids() -> list[int]:
    return list(range(FIRST_SHELF, FIRST_BIN))


def _tree_sql() -> list[str]:
    """One INSERT per level, each child joined to its parent (ids, keys and paths made in SQL)."""
    level = """INSERT INTO locations (id, name, parent_id, path_key, path, depth, is_structural, created_at, updated_at)
        SELECT {first} + g - 1, {name}, p.id, p.path_key || ({first} + g - 1) || '/', p.path || ' / ' || {name},
               p.depth + 1, {structural}, now(), now()
        FROM generate_series(1, {count}) g JOIN locations p ON p.id = {parent}"""
    return [
        "INSERT INTO locations (id, name, path_key, path, depth, is_structural, created_at, updated_at) "
        f"SELECT g, 'Site ' || g, '/' || g || '/', 'Site ' || g, 0, true, now(), now() FROM generate_series(1, {SITES}) g",
        level.format(
            first=FIRST_AISLE,
            count=AISLES,
            structural="true",
            name=f"'Aisle ' || lpad((1 + (g - 1) % {AISLES_PER_SITE})::text, 2, '0')",
            parent=f"1 + (g - 1) / {AISLES_PER_SITE}",
        ),
        level.format(
            first=FIRST_SHELF,
            count=SHELVES,
            structural="true",
            name=f"'Shelf ' || lpad((1 + (g - 1) % {SHELVES_PER_AISLE})::text, 2, '0')",
            parent=f"{FIRST_AISLE} + (g - 1) / {SHELVES_PER_AISLE}",
        ),
        level.format(
            first=FIRST_BIN,
            count=BINS,
            structural="false",
            name=f"'Bin ' || lpad((1 + (g - 1) % {BINS_PER_SHELF})::text, 2, '0')",
            parent=f"{FIRST_SHELF} + (g - 1) / {BINS_PER_SHELF}",
        ),
        f"SELECT setval('locations_id_seq', {LOCATIONS})",
    ]


CATEGORIES = 200
HOT_ITEMS = 100
LOG_ROWS_PER_ITEM = 5
TABLES = ("items", "stock_levels", "inventory_logs", "alerts")

ADJECTIVES = [
    "Steel",
    "Brass",
    "Nylon",
    "Copper",
    "Zinc",
    "Plastic",
    "Rubber",
    "Oak",
    "Glass",
    "Carbon",
    "Heavy",
    "Light",
    "Mini",
    "Large",
    "Coated",
    "Galvanised",
    "Black",
    "White",
    "Red",
    "Blue",
]
NOUNS = [
    "Bolt",
    "Nut",
    "Washer",
    "Screw",
    "Hinge",
    "Bracket",
    "Cable",
    "Fuse",
    "Relay",
    "Switch",
    "Valve",
    "Gasket",
    "Spring",
    "Bearing",
    "Pulley",
    "Clamp",
    "Hose",
    "Pipe",
    "Elbow",
    "Flange",
    "Rivet",
    "Anchor",
    "Hook",
    "Chain",
    "Rope",
    "Tape",
    "Glue",
    "Brush",
    "Filter",
    "Lamp",
    "Socket",
    "Plug",
    "Sensor",
    "Motor",
    "Belt",
    "Gear",
    "Shaft",
    "Seal",
    "Panel",
    "Tile",
    "Board",
    "Drill",
    "Blade",
    "Wrench",
    "Hammer",
    "Pliers",
    "Level",
    "Ladder",
    "Bucket",
    "Glove",
]


def admin_connect(host: str, port: int, user: str):
    conn = psycopg2.connect(host=host, port=port, user=user, dbname="postgres", connect_timeout=5)
    conn.autocommit = True
    return conn


def recreate_database(host: str, port: int, user: str, name: str) -> None:
    conn = admin_connect(host, port, user)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
        # OLTP queries here are short; JIT compilation only adds latency to the few big ones.
        cur.execute(f'ALTER DATABASE "{name}" SET jit = off')
    conn.close()


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "APP_ENV": "development"}
    env.pop("DEFAULT_ADMIN_EMAIL", None)
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _sql_array(words: list[str]) -> str:
    return "ARRAY[" + ",".join(f"'{w}'" for w in words) + "]"


def load(conn, items: int, password_hash: str) -> dict[str, float]:
    """Fill an empty, migrated database; returns seconds per step."""
    timings: dict[str, float] = {}
    logs = items * LOG_ROWS_PER_ITEM
    cur = conn.cursor()

    def step(name: str, *statements: str) -> None:
        start = time.perf_counter()
        for statement in statements:
            cur.execute(statement)
        conn.commit()
        timings[name] = round(time.perf_counter() - start, 2)

    cur.execute("SET maintenance_work_mem = '512MB'")
    cur.execute(
        "SET session_replication_role = replica"
    )  # skip FK checks and triggers: the data is consistent by construction
    cur.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
           JOIN pg_class t ON t.oid = i.indrelid
           WHERE t.relname = ANY(%s) AND NOT i.indisprimary
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
        (list(TABLES),),
    )
    indexes = cur.fetchall()
    for name, _definition in indexes:
        cur.execute(f"DROP INDEX {name}")
    conn.commit()

    step(
        "users_locations_categories",
        "INSERT INTO users (email, password_hash, full_name, role, is_active, created_at, updated_at) "
        f"SELECT r || '@bench.example', '{password_hash}', 'Bench ' || r, r, true, now(), now() "
        "FROM unnest(ARRAY['admin','manager','staff']) r",
        *_tree_sql(),
        f"INSERT INTO categories (name, created_at, updated_at) SELECT 'Category ' || lpad(g::text, 3, '0'), now(), now() FROM generate_series(1, {CATEGORIES}) g",
    )
    step(
        "items",
        "SELECT setseed(0.42)",
        f"""INSERT INTO items (id, sku, name, description, category_id, location_id, unit, price, low_stock_threshold,
                              quantity, is_deleted, version, created_at, updated_at)
        SELECT g,
               upper(substr(md5(g::text), 1, 4)) || '-' || g,
               ({_sql_array(ADJECTIVES)})[1 + g % 20] || ' ' || ({_sql_array(NOUNS)})[1 + (g / 20) % 50]
                 || ' M' || (1 + g % 97) || '-' || substr(md5(g::text || 'n'), 1, 5),
               CASE WHEN g % 3 = 0 THEN 'Bench item ' || g END,
               1 + least({CATEGORIES} - 1, floor({CATEGORIES} * power(random(), 3))::int),
               {FIRST_BIN} + g % {BINS},
               'pcs',
               round((0.05 + random() * 500)::numeric, 2),
               CASE WHEN g <= {HOT_ITEMS} THEN 5 ELSE 10 + g % 20 END,
               CASE WHEN g <= {HOT_ITEMS} THEN 50 ELSE floor(random() * 200)::int END,
               false, 1,
               now() - interval '400 days' + (g::float / {items}) * interval '30 days',
               now() - interval '1 day' * (g % 300)
        FROM generate_series(1, {items}) g""",
        f"SELECT setval('items_id_seq', {items})",
    )
    step(
        "stock_levels",
        f"""INSERT INTO stock_levels (item_id, location_id, quantity, updated_at)
           SELECT id, location_id, quantity, updated_at FROM items
           UNION ALL
           SELECT id, {FIRST_BIN} + (location_id - {FIRST_BIN} + 1) % {BINS}, 0, updated_at FROM items WHERE id % 5 = 0""",
    )
    step(
        "inventory_logs",
        """INSERT INTO inventory_logs (item_id, location_id, user_id, action, quantity_before, quantity_after, delta,
                                        note, created_at)
        SELECT i.id, i.location_id, 1 + (i.id + m.k) % 3, m.action,
               CASE WHEN m.k = 1 THEN 0 ELSE i.quantity + m.before END, i.quantity + m.after,
               i.quantity + m.after - CASE WHEN m.k = 1 THEN 0 ELSE i.quantity + m.before END, NULL,
               i.created_at + (m.k * 60 + i.id % 50) * interval '1 day'
        FROM items i,
        LATERAL (VALUES (1, 'create', 0, 8), (2, 'restock', 8, 20), (3, 'withdraw', 20, 10),
                        (4, 'withdraw', 10, 3), (5, 'withdraw', 3, 0)) AS m(k, action, before, after)""",
    )
    step(
        "item_barcodes",  # one manufacturer's barcode on every tenth item (issue 15's scan look-ups)
        """INSERT INTO item_barcodes (item_id, code, created_at)
           SELECT id, 'MFR' || lpad(id::text, 9, '0'), now() FROM items WHERE id % 10 = 0""",
    )
    step(
        "alerts",
        """INSERT INTO alerts (item_id, location_id, message, quantity, threshold, created_at, acknowledged_at)
           SELECT id, location_id, name || ' is low', quantity, low_stock_threshold, updated_at,
                  CASE WHEN id % 4 = 0 THEN NULL ELSE updated_at + interval '1 hour' END
           FROM items WHERE quantity < low_stock_threshold AND id % 50 = 0""",
    )
    start = time.perf_counter()
    for _name, definition in indexes:
        cur.execute(definition)
    conn.commit()
    timings["indexes"] = round(time.perf_counter() - start, 2)
    step("counters", "DELETE FROM category_stats", *_rebuild_sql())
    conn.autocommit = True
    start = time.perf_counter()
    cur.execute(
        "VACUUM (ANALYZE) "
        + ", ".join((*TABLES, "category_stats", "location_stats", "users", "locations", "categories"))
    )
    timings["vacuum_analyze"] = round(time.perf_counter() - start, 2)
    conn.autocommit = False
    cur.execute("SELECT count(*) FROM inventory_logs")
    assert cur.fetchone()[0] == logs
    return timings


def _rebuild_sql() -> tuple[str, str, str]:
    """The maintained figures from scratch: per category, then per location subtree."""
    sys.path.insert(0, str(ROOT))
    from app.services import counters, location_counters

    return counters.REBUILD_SQL, "DELETE FROM location_stats", location_counters.REBUILD_SQL
