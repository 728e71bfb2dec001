"""Raw SQL timings: the exact statements the app emits for a request, replayed with psycopg2.

The app is built in this process (same settings as the server) and asked for each
sample request through Flask's test client while a before_cursor_execute listener
records every statement with its parameters. Each recorded request is then replayed
statement by statement on a plain psycopg2 connection, and the per-request sum is
timed: the database's share of that request, wire round trips included. The server's
median minus this median is the application's own overhead.
"""

from __future__ import annotations

import statistics
import time

import psycopg2
from sqlalchemy import event


def capture(app, lines: list[str], headers: dict[str, str], samples: int = 20) -> list[list[tuple[str, object]]]:
    """The statements (with parameters) each of the first `samples` requests of a scenario runs."""
    from app.extensions import db

    recorded: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        recorded.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    client = app.test_client()
    requests = []
    event.listen(engine, "before_cursor_execute", record)
    try:
        for line in lines[:samples]:
            method, path, *body = line.split("\t")
            if method != "GET":
                continue
            recorded.clear()
            response = client.get(path, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code} in-process")
            requests.append(
                [s for s in recorded if not s[0].lstrip().upper().startswith(("BEGIN", "ROLLBACK", "COMMIT"))]
            )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return requests


def replay(dsn: str, requests: list[list[tuple[str, object]]], rounds: int = 5) -> dict:
    """Median/p95 (ms) of the summed statement times per request, and the statements per request."""
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    cur = conn.cursor()
    totals = []
    for _ in range(rounds):
        for statements in requests:
            start = time.perf_counter()
            for statement, parameters in statements:
                cur.execute(statement, parameters)
                cur.fetchall()
            totals.append((time.perf_counter() - start) * 1000)
    conn.close()
    totals.sort()
    return {
        "p50_ms": round(statistics.median(totals), 2),
        "p95_ms": round(totals[int(len(totals) * 0.95) - 1], 2),
        "statements_per_request": round(statistics.mean(len(s) for s in requests), 1),
        "requests_sampled": len(requests),
    }


def explain(dsn: str, statement: str, parameters: object) -> str:
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
    plan = "\n".join(row[0] for row in cur.fetchall())
    conn.close()
    return plan
