"""Which database the suite runs on, an admin connection to the PostgreSQL server, and the
empty databases (with an app on each) that the migration tests start from."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2

PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("TEST_PG_USER", "postgres")
BACKEND = os.environ.get("TEST_DB", "postgresql")
MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


def pg_admin():
    """An autocommit connection to the server's `postgres` database (create and drop test databases)."""
    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=3)
    conn.autocommit = True
    return conn


def create_database(name: str) -> str:
    """A new empty database on the test server; returns its name."""
    admin = pg_admin()
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return name


def drop_database(name: str) -> None:
    """Drop a test database, closing whatever is still connected to it."""
    admin = pg_admin()
    with admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


@contextmanager
def throwaway_database(prefix: str, beside_url: str) -> Iterator[str]:
    """The URL of a new empty database on the same server as `beside_url`, dropped afterwards."""
    name = create_database(f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}")
    try:
        yield beside_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        drop_database(name)


@contextmanager
def blank_database(prefix: str, tmp_path: Path, beside_url: str) -> Iterator[str]:
    """The URL of an empty database of the backend under test: a file under `tmp_path` on
    SQLite, a throwaway database beside `beside_url` on PostgreSQL."""
    if BACKEND == "sqlite":
        yield f"sqlite:///{tmp_path / f'{prefix}.db'}"
        return
    with throwaway_database(prefix, beside_url) as url:
        yield url


def app_on(url: str, instance_path: Path):
    """The testing app on a database of its own (not the suite's), e.g. one a migration test fills."""
    from app import create_app
    from app.config import TestingConfig, database_url

    settings = TestingConfig()
    settings.SQLALCHEMY_DATABASE_URI = database_url(url)
    app = create_app(settings)
    app.instance_path = str(instance_path)
    return app
