"""Which database the suite runs on, and an admin connection to the PostgreSQL server."""

from __future__ import annotations

import os

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
