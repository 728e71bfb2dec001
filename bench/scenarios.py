"""The benchmark's scenarios (request lists) and the wrk runner that plays them."""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from bench.load_data import CATEGORIES, HOT_ITEMS, NOUNS, aisle_ids, shelf_ids, site_ids

LUA = Path(__file__).resolve().parent / "wrk_scenario.lua"


@dataclass
class Scenario:
    name: str
    lines: list[str]  # METHOD \t PATH [\t BODY]
    auth: str = "token"  # "token", "cookie" or "none"
    saturation_clients: int = 16
    low_clients: int = 1
    notes: str = ""
    results: dict = field(default_factory=dict)


def sku_of(item_id: int) -> str:
    return hashlib.md5(str(item_id).encode()).hexdigest()[:4].upper() + f"-{item_id}"


def build(items: int, *, with_page: bool, seed: int = 7) -> list[Scenario]:
    rng = random.Random(seed)
    get = lambda path: f"GET\t{path}"  # noqa: E731
    page = "&per_page=50"
    deep = min(2000, max(2, items // 500))
    # "bolt m12": a noun and a model number, about 1 item in 4,850 (206 at a million).
    names = [f"{rng.choice(NOUNS).lower()} m{rng.randint(10, 97)}" for _ in range(300)]
    skus = [sku_of(rng.randint(1, items))[2:8] for _ in range(300)]
    cats = [rng.randint(1, 20) for _ in range(300)]  # the largest categories
    ids = [rng.randint(HOT_ITEMS + 1, items) for _ in range(500)]
    hot = list(range(1, HOT_ITEMS + 1))
    scenarios = [
        Scenario("hello_world", [get("/bench/hello")], auth="none", notes="framework ceiling (BENCH_HELLO=1)"),
        Scenario(
            "search_name",
            [get(f"/api/v1/items?search={quote(n)}{page}") for n in names],
            notes="partial name, e.g. 'bolt m12' (~1 in 4,850 items match)",
        ),
        Scenario(
            "search_sku",
            [get(f"/api/v1/items?search={quote(s)}{page}") for s in skus],
            notes="6 characters from inside a SKU",
        ),
        Scenario(
            "search_broad",
            [get(f"/api/v1/items?search={quote(n.split()[0])}{page}") for n in names],
            notes="one noun, e.g. 'bolt' (~2% of items match): exact total counts every match",
        ),
        Scenario(
            "filtered_p1",
            [get(f"/api/v1/items?category_id={c}&below_threshold=true&sort_by=quantity{page}&page=1") for c in cats],
            notes="category + below_threshold + sort_by=quantity, page 1",
        ),
        Scenario(
            "filtered_p2000",
            [get(f"/api/v1/items?category_id={c}&below_threshold=true&sort_by=quantity{page}&page=2000") for c in cats],
            notes="same at page 2,000 (past the end: ~10% of a category is low)",
        ),
        Scenario(
            "sorted_deep",
            [
                get(f"/api/v1/items?sort_by=quantity&order=desc{page}&page={deep - rng.randint(0, 9)}")
                for _ in range(50)
            ],
            notes=f"all items by quantity, page ~{deep} (offset ~{(deep - 1) * 50:,})",
        ),
        Scenario(
            "category_deep",
            [
                get(f"/api/v1/items?category_id=1&sort_by=quantity{page}&page={max(1, deep // 2 - rng.randint(0, 9))}")
                for _ in range(50)
            ],
            notes=f"largest category by quantity, page ~{max(1, deep // 2)}",
        ),
        Scenario("item_detail", [get(f"/api/v1/items/{i}") for i in ids]),
        # Scanning (issue 15): our short codes, a SKU typed in another case, a manufacturer's barcode.
        Scenario(
            "scan",
            [
                get(f"/api/v1/scan?code={code}")
                for i in ids
                for code in (
                    f"I{i}",
                    sku_of(i).lower(),
                    f"MFR{(i // 10 * 10 or 10):09d}",
                    f"L{rng.choice(shelf_ids())}",
                )
            ],
            notes="GET /api/v1/scan: short item and location codes, a lower-cased SKU, a barcode",
        ),
        # Location tree (issue 13): inventory filtered by a subtree, and a location's subtree totals.
        Scenario(
            "subtree_items_shelf",
            [get(f"/api/v1/items?location_id={rng.choice(shelf_ids())}{page}") for _ in range(300)],
            notes="inventory filtered by a shelf: its 24 bins (~1 in 400 items)",
        ),
        Scenario(
            "subtree_items_aisle",
            [get(f"/api/v1/items?location_id={rng.choice(aisle_ids())}{page}") for _ in range(100)],
            notes="inventory filtered by an aisle: 480 bins (~5% of items)",
        ),
        Scenario(
            "subtree_items_site",
            [get(f"/api/v1/items?location_id={s}{page}") for s in site_ids()],
            notes="inventory filtered by a site: half of all items",
        ),
        Scenario(
            "location_totals_shelf",
            [get(f"/api/v1/locations/{rng.choice(shelf_ids())}") for _ in range(300)],
            notes="a shelf with children and subtree totals",
        ),
        Scenario(
            "location_totals_aisle",
            [get(f"/api/v1/locations/{rng.choice(aisle_ids())}") for _ in range(100)],
            notes="an aisle with its 20 shelves and subtree totals",
        ),
        Scenario(
            "location_totals_site",
            [get(f"/api/v1/locations/{s}") for s in site_ids()],
            notes="a site: totals over half of all stock levels",
        ),
        Scenario("dashboard_summary", [get("/api/v1/dashboard/summary")]),
        Scenario("category_breakdown", [get("/api/v1/dashboard/category-breakdown")], notes=f"{CATEGORIES} categories"),
    ]
    if with_page:
        scenarios.append(
            Scenario(
                "items_page_html",
                [get(f"/items?page={rng.randint(1, 50)}") for _ in range(100)],
                auth="cookie",
                notes="the inventory list page (HTML), 20 per page",
            )
        )
    withdraw_once = [f'POST\t/api/v1/items/{rng.choice(hot)}/withdraw\t{{"quantity": 1}}' for _ in range(3000)]
    mixed = [
        f'POST\t/api/v1/items/{rng.choice(hot)}/{"withdraw" if rng.random() < 0.6 else "restock"}\t{{"quantity": 1}}'
        for _ in range(5000)
    ]
    scenarios.append(
        Scenario("withdraw_1", withdraw_once, saturation_clients=0, notes="one-unit withdrawal, hot set of 100")
    )
    scenarios.append(
        Scenario("movements_mixed", mixed, low_clients=0, notes="60% withdraw / 40% restock of 1 unit, hot set of 100")
    )
    return scenarios


def run_wrk(url: str, scenario: Scenario, clients: int, seconds: float, header: tuple[str, str] | None) -> dict:
    """Play the scenario for `seconds` with `clients` keep-alive connections; wrk's figures as a dict."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(scenario.lines) + "\n")
        path = handle.name
    env = {
        **os.environ,
        "BENCH_REQUESTS": path,
        "BENCH_HEADER_NAME": header[0] if header else "",
        "BENCH_HEADER_VALUE": header[1] if header else "",
    }
    threads = 1 if clients == 1 else 2
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(clients),
        "-d",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        url,
    ]
    try:
        out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False)
    finally:
        os.unlink(path)
    for line in out.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            result = json.loads(line[len("BENCH_JSON ") :])
            result["clients"] = clients
            return result
    raise RuntimeError(f"wrk gave no result for {scenario.name}: {out.stdout[-500:]} {out.stderr[-500:]}")
