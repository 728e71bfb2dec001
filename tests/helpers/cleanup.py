"""Emptying the test database between tests (the `_clean_database` fixture in tests/conftest.py).

TRUNCATE costs 0.2 s or more per test on a busy machine (it swaps files on disk).
Deleting the rows with triggers off (the ledger's append-only triggers refuse DELETE)
and restarting the sequences ends in the same state: empty tables, ids from 1. SQLite
gets the migrated template's pages copied back in (SQLite's backup API).
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

_sequences: list[str] | None = None


def empty_database(app) -> None:
    from app.extensions import db, limiter
    from app.services import login_limits

    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            global _sequences
            with db.engine.begin() as conn:
                if _sequences is None:
                    _sequences = (
                        conn.execute(
                            sa.text(
                                "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public'"
                            )
                        )
                        .scalars()
                        .all()
                    )
                # One round trip: the database is busy enough with the tests themselves.
                statements = ["SET LOCAL session_replication_role = replica"]
                statements += [f'DELETE FROM "{table.name}"' for table in db.metadata.sorted_tables]
                statements += [f'ALTER SEQUENCE "{name}" RESTART' for name in _sequences]
                conn.exec_driver_sql("; ".join(statements))
        else:
            db.engine.dispose()
            path = db.engine.url.database
            # Through SQLite's backup API, not by swapping files: a connection some test left open
            # (a task run in-process, another engine) would otherwise hold the old WAL and shared
            # memory, and the next write here fails with "disk I/O error".
            template, live = sqlite3.connect(path + ".template"), sqlite3.connect(path)
            try:
                template.backup(live)
            finally:
                live.close()
                template.close()
    limiter.reset()
    login_limits.reset(app)
