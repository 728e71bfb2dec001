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

For the page budget (bench/pages.py): 200 suppliers, 20,000 purchase orders of 3 lines each
(mostly received, some sent and late, some drafts), 5,000 counts of one bin each (lines for
the items homed there), 1,000 stock requests of 2 lines, one stored report and one import.
These add no ledger rows: stock levels and the ledger stay as above.
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
SUPPLIERS, ORDERS, LINES_PER_ORDER, COUNTS, REQUESTS = 200, 20_000, 3, 5_000, 1_000
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
    step("purchasing", *_purchasing_sql(items))
    step("counts_requests_reports", *_counts_requests_sql(items))
    step("counters", "DELETE FROM category_stats", *_rebuild_sql())
    conn.autocommit = True
    start = time.perf_counter()
    cur.execute(
        "VACUUM (ANALYZE) "
        + ", ".join((*TABLES, *PAGE_TABLES, "category_stats", "location_stats", "users", "locations", "categories"))
    )
    timings["vacuum_analyze"] = round(time.perf_counter() - start, 2)
    conn.autocommit = False
    cur.execute("SELECT count(*) FROM inventory_logs")
    assert cur.fetchone()[0] == logs
    return timings


PAGE_TABLES = (
    "suppliers",
    "purchase_orders",
    "purchase_order_lines",
    "stock_counts",
    "stock_count_lines",
    "stock_requests",
    "stock_request_lines",
)


def _purchasing_sql(items: int) -> list[str]:
    """Suppliers and orders: of every 20 orders, 15 received, 2 sent (one of them late), 1
    partially received, 1 cancelled, 1 draft; lines on pseudo-random items."""
    state = """CASE g % 20 WHEN 15 THEN 'sent' WHEN 16 THEN 'sent' WHEN 17 THEN 'partially_received'
                            WHEN 18 THEN 'cancelled' WHEN 19 THEN 'draft' ELSE 'received' END"""
    return [
        f"""INSERT INTO suppliers (id, name, contact, email, lead_time_days, created_at, updated_at)
            SELECT g, 'Supplier ' || lpad(g::text, 3, '0'), 'Contact ' || g, 'orders' || g || '@supplier.example',
                   1 + g % 21, now(), now()
            FROM generate_series(1, {SUPPLIERS}) g""",
        f"SELECT setval('suppliers_id_seq', {SUPPLIERS})",
        f"""INSERT INTO purchase_orders (id, supplier_id, state, expected_date, allow_over_receipt, note, created_by_id,
                                        sent_at, sent_by_id, sent_to, closed_at, created_at, updated_at)
            SELECT g, 1 + g % {SUPPLIERS}, {state},
                   current_date + (CASE WHEN g % 20 = 15 THEN -5 ELSE 10 END) - (({ORDERS} - g) / 60),
                   false, NULL, 2,
                   CASE WHEN g % 20 < 18 THEN now() - ({ORDERS} - g) * interval '26 minutes' END,
                   CASE WHEN g % 20 < 18 THEN 2 END,
                   CASE WHEN g % 20 < 18 THEN 'orders' || (1 + g % {SUPPLIERS}) || '@supplier.example' END,
                   CASE WHEN g % 20 < 15 OR g % 20 = 18 THEN now() - ({ORDERS} - g) * interval '25 minutes' END,
                   now() - ({ORDERS} - g) * interval '26 minutes', now() - ({ORDERS} - g) * interval '25 minutes'
            FROM generate_series(1, {ORDERS}) g""",
        f"SELECT setval('purchase_orders_id_seq', {ORDERS})",
        f"""INSERT INTO purchase_order_lines (order_id, item_id, quantity, unit_price, received)
            SELECT o.id, 1 + (o.id * 7919 + k * 104729) % {items}, 10 * k, 1.25 * k,
                   CASE WHEN o.state = 'received' THEN 10 * k WHEN o.state = 'partially_received' AND k = 1 THEN 10
                        ELSE 0 END
            FROM purchase_orders o, generate_series(1, {LINES_PER_ORDER}) k""",
    ]


def _counts_requests_sql(items: int) -> list[str]:
    """Counts of one bin each (of every 10: 8 approved, 1 open, 1 submitted; lines for the items
    homed in the bin, counted where the count is past open), stock requests by the staff user
    (submitted, approved or fulfilled), one stored valuation report and one uploaded import."""
    return [
        f"""INSERT INTO stock_counts (id, location_id, state, blind, scheduled, zero_uncounted, opened_by_id,
                                     submitted_by_id, submitted_at, decided_by_id, decided_at, created_at, updated_at)
            SELECT g, {FIRST_BIN} + (g * 37) % {BINS},
                   CASE g % 10 WHEN 8 THEN 'open' WHEN 9 THEN 'submitted' ELSE 'approved' END,
                   false, false, false, 2,
                   CASE WHEN g % 10 <> 8 THEN 3 END, CASE WHEN g % 10 <> 8 THEN now() - ({COUNTS} - g) * interval '2 hours' END,
                   CASE WHEN g % 10 < 8 THEN 2 END, CASE WHEN g % 10 < 8 THEN now() - ({COUNTS} - g) * interval '2 hours' END,
                   now() - ({COUNTS} - g) * interval '2 hours', now() - ({COUNTS} - g) * interval '2 hours'
            FROM generate_series(1, {COUNTS}) g""",
        f"SELECT setval('stock_counts_id_seq', {COUNTS})",
        """INSERT INTO stock_count_lines (count_id, item_id, location_id, expected, counted, counted_by_id, counted_at,
                                          unexpected, recount)
           SELECT c.id, i.id, c.location_id, i.quantity,
                  CASE WHEN c.state <> 'open' THEN i.quantity END, CASE WHEN c.state <> 'open' THEN 3 END,
                  CASE WHEN c.state <> 'open' THEN c.submitted_at END, false, false
           FROM stock_counts c JOIN items i ON i.location_id = c.location_id""",
        f"""INSERT INTO stock_requests (id, kind, state, author_id, destination_location_id, note, created_at, updated_at,
                                       decided_by_id, decided_at)
            SELECT g, CASE WHEN g % 2 = 0 THEN 'pick' ELSE 'transfer' END,
                   CASE g % 4 WHEN 0 THEN 'submitted' WHEN 1 THEN 'submitted' WHEN 2 THEN 'approved' ELSE 'fulfilled' END,
                   3, CASE WHEN g % 2 = 1 THEN {FIRST_BIN} + g % {BINS} END, 'Bench request ' || g,
                   now() - ({REQUESTS} - g) * interval '3 hours', now() - ({REQUESTS} - g) * interval '3 hours',
                   CASE WHEN g % 4 >= 2 THEN 2 END, CASE WHEN g % 4 >= 2 THEN now() - ({REQUESTS} - g) * interval '3 hours' END
            FROM generate_series(1, {REQUESTS}) g""",
        f"SELECT setval('stock_requests_id_seq', {REQUESTS})",
        f"""INSERT INTO stock_request_lines (request_id, item_id, location_id, quantity)
            SELECT r.id, i.id, i.location_id, 1
            FROM stock_requests r CROSS JOIN generate_series(1, 2) k
            JOIN items i ON i.id = {HOT_ITEMS} + 1 + (r.id * 31 + k * 7919) % greatest({items} - {HOT_ITEMS}, 1)""",
        """INSERT INTO reports (kind, period_start, period_end, filename, content, summary, created_at)
           VALUES ('valuation', now() - interval '7 days', now(), 'valuation-bench.csv', 'sku,name,value
', 'Bench report', now())""",
        """INSERT INTO imports (kind, state, user_id, filename, file_format, size, content, columns, sheets, mapping, options,
                               on_error, total_rows, processed_rows, applied_through, counts, applied, errors, preview,
                               created_at, updated_at)
           VALUES ('items', 'uploaded', 2, 'bench.csv', 'csv', 14, convert_to('sku,name
A-1,One
', 'UTF8'),
                   '["sku", "name"]', '[]', '{}', '{}', 'stop', 1, 0, 0, '{}', '{}', '{}', '[]', now(), now())""",
    ]


def _rebuild_sql() -> tuple[str, str, str]:
    """The maintained figures from scratch: per category, then per location subtree."""
    sys.path.insert(0, str(ROOT))
    from app.services import counters, location_counters

    return counters.REBUILD_SQL, "DELETE FROM location_stats", location_counters.REBUILD_SQL
