"""The page budget (issue 32): every GET page of the page-role table, as each role that may open
it, on the bench's data. Each (page, role) is requested REPEATS times over one kept-alive
connection after one untimed warm-up; the figures are the HTML's size and the latency seen over
loopback (server time plus a loopback round trip). Targets: at most 150 KB and p95 at most 100 ms.

The table comes from tests/web/test_page_roles.py (PAGE_MATRIX), so a new page is measured as soon
as it has a row there; rules needing ids take them from the loaded data (bench/load_data.py).
"""

from __future__ import annotations

import statistics
import time

import requests

from bench import load_data
from bench.server import page_cookie

MAX_BYTES = 150 * 1024
MAX_P95_MS = 100.0
EMAILS = {"staff": "staff@bench.example", "manager": "manager@bench.example", "admin": "admin@bench.example"}


def _ids(items: int) -> dict[str, int]:
    """Ids in the bench's data for each rule's argument (see bench/load_data.py for the shapes)."""
    return {
        "item_id": min(items, load_data.HOT_ITEMS + 1),  # an ordinary item, not one the movements drain
        "request_id": 1,
        "user_id": 3,  # the staff user
        "report_id": 1,
        "location_id": load_data.FIRST_BIN,
        "import_id": 1,
        "supplier_id": 1,
        "order_id": 16,  # a sent order: the receiving table is shown
        "count_id": 8,  # an open count
        "submitted_count_id": 9,
        "category_id": 1,  # the largest category
    }


def urls(items: int) -> list[tuple[str, str, tuple]]:
    """(label, path, expected per role) for every GET row; a rule with several interesting
    arguments (a location's page at each level of the tree) gives one row per argument."""
    from tests.web.test_page_roles import FILENAMES, PAGE_MATRIX

    ids = _ids(items)
    site, aisle, shelf = load_data.site_ids()[0], load_data.aisle_ids()[0], load_data.shelf_ids()[0]
    variants = {
        "/locations/<int:obj_id>": [("site", site), ("aisle", aisle), ("shelf", shelf), ("bin", load_data.FIRST_BIN)],
        "/locations/<int:obj_id>/children": [("site", site), ("shelf", shelf)],
        "/locations/<int:obj_id>/edit": [("bin", load_data.FIRST_BIN)],
        "/categories/<int:obj_id>/edit": [("largest", ids["category_id"])],
        "/counts/<int:count_id>/review": [("submitted", ids["submitted_count_id"])],
    }
    extra = {  # the lists' heavy variants, on the same row's roles
        "/items": ["/items?location=1", "/items?page=100", "/items?q=bolt", "/items?sort=quantity&page=1000"],
        # Page 200 by offset, and by key (the Next link's after=: the last id of page 199).
        "/purchasing/orders": [
            "/purchasing/orders?page=200",
            f"/purchasing/orders?page=200&after={load_data.ORDERS - 199 * 25 + 1}",
        ],
        "/requests": ["/requests?view=all&page=40"],
        "/counts": ["/counts?page=50"],
    }
    rows = []
    for method, rule, expected in PAGE_MATRIX:
        if method != "GET":
            continue
        path = rule.replace("<path:filename>", FILENAMES.get(rule, ""))
        for label, value in variants.get(rule, [("", None)]):
            concrete = path.replace("<int:obj_id>", str(value)) if value is not None else path
            concrete = concrete.replace("<int:count_id>", str(value if value is not None else ids["count_id"]))
            for name, number in ids.items():
                concrete = concrete.replace(f"<int:{name}>", str(number))
            rows.append((f"{rule}{f' ({label})' if label else ''}", concrete, expected))
        rows += [(url, url, expected) for url in extra.get(rule, [])]
    return rows


def _sessions(base: str) -> dict[str | None, requests.Session]:
    sessions: dict[str | None, requests.Session] = {None: requests.Session()}
    for role, email in EMAILS.items():
        cookie = page_cookie(base, email)
        if cookie is None:
            raise RuntimeError(f"the bench's {role} could not sign in")
        sessions[role] = requests.Session()
        sessions[role].headers["Cookie"] = cookie
    return sessions


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(base: str, items: int, repeats: int = 20) -> dict:
    """Every (page, role) that role may open: status, bytes, p50 and p95 in ms, met or missed."""
    from tests.web.test_page_roles import OK, ROLES

    sessions = _sessions(base)
    rows = []
    try:
        for label, path, expected in urls(items):
            for role, outcome in zip(ROLES, expected, strict=True):
                if outcome != OK:
                    continue
                session = sessions[role]
                session.get(base + path, allow_redirects=False, timeout=60).close()  # warm-up
                times, answer = [], None
                for _ in range(repeats):
                    began = time.perf_counter()
                    answer = session.get(base + path, allow_redirects=False, timeout=60)
                    size = len(answer.content)
                    times.append((time.perf_counter() - began) * 1000)
                p50, p95 = statistics.median(times), _percentile(times, 0.95)
                ok = answer.status_code < 400 and size <= MAX_BYTES and p95 <= MAX_P95_MS
                rows.append(
                    {
                        "page": label,
                        "url": path,
                        "role": role or "anonymous",
                        "status": answer.status_code,
                        "bytes": size,
                        "p50_ms": round(p50, 2),
                        "p95_ms": round(p95, 2),
                        "met": ok,
                    }
                )
                print(_line(rows[-1]), flush=True)
    finally:
        for session in sessions.values():
            session.close()
    missed = [r for r in rows if not r["met"]]
    return {
        "repeats": repeats,
        "max_bytes": MAX_BYTES,
        "max_p95_ms": MAX_P95_MS,
        "rows": rows,
        "summary": {
            "measured": len(rows),
            "missed": len(missed),
            "largest_bytes": max((r["bytes"] for r in rows), default=0),
            "slowest_p95_ms": max((r["p95_ms"] for r in rows), default=0),
        },
    }


def _line(r: dict) -> str:
    verdict = "met" if r["met"] else "MISSED"
    return (
        f"  {verdict:<7}{r['url'][:52]:<53}{r['role']:<10}{r['status']:>4}{r['bytes'] / 1024:>9.1f} KB"
        f"{r['p50_ms']:>8.1f}{r['p95_ms']:>8.1f} ms"
    )


def summary_line(pages: dict) -> str:
    s = pages["summary"]
    return (
        f"Page budget: {s['measured'] - s['missed']} of {s['measured']} (page, role) pairs within "
        f"{pages['max_bytes'] // 1024} KB and p95 {pages['max_p95_ms']:.0f} ms; largest {s['largest_bytes'] / 1024:.1f} KB, "
        f"slowest p95 {s['slowest_p95_ms']:.1f} ms"
    )


def markdown(pages: dict) -> list[str]:
    lines = [
        "| page | role | status | KB | p50 ms | p95 ms | verdict |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in pages["rows"]:
        verdict = "met" if r["met"] else "**missed**"
        lines.append(
            f"| `{r['url']}` | {r['role']} | {r['status']} | {r['bytes'] / 1024:.1f} | {r['p50_ms']:.1f} | "
            f"{r['p95_ms']:.1f} | {verdict} |"
        )
    return lines
