"""Which database the suite runs on, and an admin connection to the PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2

PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("TEST_PG_USER", "postgres")
BACKEND = os.environ.get("TEST_DB", "postgresql")


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
