"""Import and export figures: `python -m bench.imports --rows 100000` (PostgreSQL on 127.0.0.1).

Builds a throwaway database, writes a CSV of ROWS new items with stock, then, each in a
child process whose peak memory is read back (the worker's share):
  1. the dry run and the run of that file (imports.validate, imports.run: what the Celery
     tasks call), with their wall times;
  2. the same file imported again: its time, and the ledger rows it added (zero expected);
then streams the CSV export of every item through the app, timing the first byte and the
whole file. Prints the figures; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
import uuid
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG = "postgresql://postgres@127.0.0.1:5432"


def _app():
    from app import create_app
    from app.config import TestingConfig

    settings = TestingConfig()
    settings.IMPORT_INLINE_BYTES = 1 << 40
    settings.IMPORT_MAX_BYTES = 1 << 30
    return create_app(settings)


def _import_once(content: bytes, user_id: int, out) -> None:
    """Child process: upload, dry run and run one file; send back (validate s, run s, counts, applied)."""
    from app.extensions import db
    from app.models import User
    from app.services.imports import runs as imports

    app = _app()
    with app.app_context():
        started = time.perf_counter()
        record = imports.upload("bench.csv", content, actor=db.session.get(User, user_id))
        validated = time.perf_counter()
        counts = dict(record.counts)
        imports.start(record.id, "stop")
        imports.run(record.id)
        finished = time.perf_counter()
        applied = dict(imports.get_import(record.id).applied)
        out.send((validated - started, finished - validated, counts, applied))


def _child(content: bytes, user_id: int) -> tuple:
    reader, writer = multiprocessing.Pipe(duplex=False)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = multiprocessing.get_context("fork").Process(target=_import_once, args=(content, user_id, writer))
    proc.start()
    result = reader.recv()
    proc.join()
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (*result, max(peak_kb, before) / 1024)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    name = f"inventory_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = psycopg2.connect(f"{PG}/postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    os.environ["TEST_DATABASE_URL"] = f"{PG}/{name}"
    os.environ.pop("REDIS_URL", None)
    try:
        _run(args.rows)
    finally:
        cur = admin.cursor()
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _run(rows: int) -> None:
    from flask_migrate import upgrade

    from app.extensions import db
    from app.services import catalog, locations, users

    app = _app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
        locations.create_location({"name": "Store"})
        catalog.create_category({"name": "Tools"})
        user_id = users.create_user(
            email="bench@example.com", password="bench-password-1", full_name="Bench", role="manager"
        ).id
        db.session.remove()
        db.engine.dispose()
    lines = ["SKU,Name,Category,Location,Quantity,Unit,Price"]
    lines += [f"BN-{n:07d},Bench item {n},Tools,Store,{n % 50 + 1},pcs,{n % 997 / 10:.2f}" for n in range(rows)]
    content = ("\n".join(lines) + "\n").encode()
    print(f"file: {rows:,} rows, {len(content) / 1e6:.1f} MB")

    validate_s, run_s, counts, applied, peak = _child(content, user_id)
    print(
        f"first import: dry run {validate_s:.1f} s, apply {run_s:.1f} s, total {validate_s + run_s:.1f} s "
        f"({rows / (validate_s + run_s):,.0f} rows/s); counts {counts}; applied {applied}"
    )
    print(f"  worker peak RSS {peak:.0f} MB")

    ledger = _ledger_rows(app)
    validate_s, run_s, counts, applied, peak = _child(content, user_id)
    print(
        f"re-import: dry run {validate_s:.1f} s, apply {run_s:.1f} s, total {validate_s + run_s:.1f} s; "
        f"counts {counts}; ledger rows added {_ledger_rows(app) - ledger}"
    )
    print(f"  worker peak RSS {peak:.0f} MB")

    _export(app, user_id, rows)


def _ledger_rows(app) -> int:
    import sqlalchemy as sa

    from app.extensions import db

    with app.app_context():
        try:
            return db.session.execute(sa.text("SELECT count(*) FROM inventory_logs")).scalar()
        finally:
            db.session.remove()


def _export(app, user_id: int, rows: int) -> None:
    import tracemalloc

    from app.auth import issue_tokens
    from app.extensions import db
    from app.models import User

    with app.app_context():
        token = issue_tokens(db.session.get(User, user_id))["access_token"]
        db.session.remove()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    first, total, size = _stream(client, headers)
    tracemalloc.start()  # a second pass for the heap peak: tracing slows Python several times over
    _stream(client, headers)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"CSV export of {rows:,} items: first byte {first * 1000:.0f} ms, whole file {total:.1f} s "
        f"({rows / total:,.0f} rows/s), {size / 1e6:.1f} MB; Python heap peak while streaming {peak / 1e6:.1f} MB"
    )


def _stream(client, headers) -> tuple[float, float, int]:
    started = time.perf_counter()
    response = client.get("/api/v1/items/export?format=csv", headers=headers, buffered=False)
    first, size = None, 0
    for chunk in response.response:
        if first is None:
            first = time.perf_counter() - started
        size += len(chunk)
    total = time.perf_counter() - started
    response.close()
    return first or total, total, size


if __name__ == "__main__":
    main()
