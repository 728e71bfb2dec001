"""Backups and restores for real: pg_dump/pg_restore on PostgreSQL, the online backup API on SQLite."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import psycopg2
import pytest
import sqlalchemy as sa

from tests.helpers.database import BACKEND, throwaway_database

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="the suite's database is PostgreSQL here")


def _pg_fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Row count and an md5 of every row (ordered) for each table."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://"), poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        tables = [t for t in sa.inspect(conn).get_table_names()]
        result = {
            t: tuple(
                conn.execute(
                    sa.text(
                        f"SELECT count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM \"{t}\" x"
                    )
                ).one()
            )
            for t in tables
        }
    engine.dispose()
    return result


def _sqlite_fingerprint(path: str) -> dict[str, tuple[int, int]]:
    conn = sqlite3.connect(path)
    tables = [
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
    ]
    result = {}
    for t in tables:
        rows = sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{t}"'))
        result[t] = (len(rows), hash("|".join(rows)))
    conn.close()
    return result


def _some_data(factory) -> None:
    boss = factory.user("manager", email="boss@example.com")
    store = factory.location("Store")
    for n in range(3):
        factory.item(quantity=5 + n, low_stock_threshold=2, actor=boss, location=store, name=f"Thing {n}")


@pytest.fixture()
def fresh_pg_database(database_url):
    with throwaway_database("inventory_restore", database_url) as url:
        yield url


def test_postgres_backup_restores_into_fresh_database_with_identical_tables(
    app, factory, tmp_path, database_url, fresh_pg_database
):
    from app.services import backups

    _some_data(factory)
    app.config["BACKUP_DIR"] = str(tmp_path / "backups")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup", "now"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        record = backups.list_backups()[0]
        assert record.outcome == "success" and record.file.endswith(".dump")
        assert record.size_bytes == Path(record.location).stat().st_size and len(record.checksum_sha256) == 64
    before = _pg_fingerprint(database_url)

    refused = runner.invoke(args=["backup", "restore", record.file])
    assert refused.exit_code != 0 and "not empty" in refused.output

    with app.app_context():
        backups.restore(record.location, database_url=fresh_pg_database)
    after = _pg_fingerprint(fresh_pg_database)
    assert set(after) == set(before) - {"backups"} | {"backups"}
    for table, fingerprint in before.items():
        if table != "backups":  # the backup's own row is written after the dump
            assert after[table] == fingerprint, table
    assert after["items"][0] == 3 and after["users"][0] >= 1


def test_postgres_restore_with_force_overwrites_changed_data(app, factory, tmp_path, database_url):
    from app.services import backups

    _some_data(factory)
    app.config["BACKUP_DIR"] = str(tmp_path / "backups")
    with app.app_context():
        location = backups.run_backup().location
    before = _pg_fingerprint(database_url)
    conn = psycopg2.connect(database_url)
    with conn, conn.cursor() as cur:
        cur.execute("UPDATE users SET full_name = 'Changed' WHERE email = 'boss@example.com'")
    conn.close()
    result = app.test_cli_runner().invoke(args=["backup", "restore", location, "--force"])
    assert result.exit_code == 0, result.output
    after = _pg_fingerprint(database_url)
    assert after["users"] == before["users"]


def test_failed_backup_is_recorded_and_emailed_to_admins(app, factory, tmp_path):
    import tasks  # noqa: F401
    from app.services import backups, notifications
    from tests.helpers.tasks import outbox_rows

    factory.user("admin", email="root@example.com")
    factory.user("manager", email="boss@example.com")
    app.config["BACKUP_DIR"] = "/proc/not-writable"
    try:
        with app.app_context():
            record = backups.run_backup()
            assert record.outcome == "failure" and record.error
            notifications.send_backup_failure(record.id)
    finally:
        app.config["BACKUP_DIR"] = str(tmp_path)
    assert [(r.recipient, r.subject) for r in outbox_rows(app, "backup-failed:")] == [
        ("root@example.com", "Backup FAILED")
    ]
    page = app.test_client().get("/backups", headers=factory.headers("manager"))
    assert page.status_code == 200 and "Failed" in page.text and "No successful backup yet" in page.text


def test_sqlite_backup_restore_round_trip_and_keeps_newest(app, tmp_path):
    from flask_migrate import upgrade

    from app import create_app
    from app.config import TestingConfig
    from tests.helpers.factories import Factory

    def sqlite_app(path: Path):
        settings = TestingConfig()
        settings.SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"
        settings.BACKUP_DIR = str(tmp_path / "backups")
        settings.BACKUP_KEEP = 2
        sqlite = create_app(settings)
        sqlite.instance_path = str(tmp_path)
        return sqlite

    source_path = tmp_path / "source.db"
    source = sqlite_app(source_path)
    with source.app_context():
        upgrade(directory=str(Path(__file__).resolve().parents[2] / "migrations"))
    _some_data(Factory(source))
    runner = source.test_cli_runner()
    for _ in range(3):
        assert runner.invoke(args=["backup", "now"]).exit_code == 0
    files = sorted(os.listdir(tmp_path / "backups"))
    assert len(files) == 2  # BACKUP_KEEP
    listing = runner.invoke(args=["backup", "list"]).output
    assert listing.count("pruned") == 1 and listing.count("success") == 2
    before = _sqlite_fingerprint(str(source_path))

    target_path = tmp_path / "restored.db"
    target = sqlite_app(target_path)
    result = target.test_cli_runner().invoke(args=["backup", "restore", files[-1]])
    assert result.exit_code == 0, result.output
    after = _sqlite_fingerprint(str(target_path))
    # The last backup holds the rows of the two backups before it, not its own.
    assert after["backups"][0] == before["backups"][0] - 1
    assert {t: v for t, v in after.items() if t != "backups"} == {t: v for t, v in before.items() if t != "backups"}
    assert after["items"][0] == 3
    refused = source.test_cli_runner().invoke(args=["backup", "restore", files[-1]])
    assert refused.exit_code != 0 and "--force" in refused.output
    app.extensions["celery"].set_default()
