"""Fixtures: a fresh database per run (PostgreSQL by default, SQLite with TEST_DB=sqlite),
migrated with the real migrations, emptied after each test that used it; clients, factories.

Helpers the tests import live in tests/helpers/, never in a conftest.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
import uuid
from collections.abc import Iterator

import psycopg2
import pytest
from werkzeug.serving import make_server

from tests.helpers.cleanup import empty_database
from tests.helpers.database import BACKEND, MIGRATIONS, PG_HOST, PG_PORT, PG_USER, pg_admin
from tests.helpers.factories import Factory


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.db"
        yield f"sqlite:///{path}"
        return
    try:
        admin = pg_admin()
    except psycopg2.OperationalError as exc:
        pytest.exit(
            f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} as {PG_USER} ({exc}). "
            "Start it (`make services`) or point TEST_PG_HOST/TEST_PG_PORT at one.",
            returncode=3,
        )
    name = f"inventory_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
        # A throwaway database: commits need not wait for the disk (tests ran 3-4x slower on a busy machine).
        cur.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    yield f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    with admin.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory):
    os.environ["TEST_DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    from flask_migrate import upgrade

    from app import create_app
    from app.config import TestingConfig

    settings = TestingConfig()
    settings.WTF_CSRF_ENABLED = True
    # Tasks enqueued by the suite land in a broker under pytest's tmp dir (pruned by pytest).
    settings.CELERY_BROKER_DIR = str(tmp_path_factory.mktemp("celery-broker"))
    app = create_app(settings)
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        from app.extensions import db

        db.engine.dispose()  # closing the last connection checkpoints SQLite's WAL into the file
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        shutil.copyfile(path, path + ".template")
    yield app


@pytest.fixture(autouse=True)
def _clean_database(request) -> Iterator[None]:
    """The one cleanup: after a test that used the app, its rows are gone (tests/helpers/cleanup.py).

    A test that never touches the app (the deployment artefact checks) builds no app and
    needs no database at all.
    """
    app = request.getfixturevalue("app") if "app" in request.fixturenames else None
    yield
    if app is not None:
        empty_database(app)


@pytest.fixture(autouse=True)
def _quick_password_hashes(monkeypatch):
    """Real hashing and checking, with a cheap work factor: scrypt costs ~0.25 s per user."""
    from werkzeug.security import generate_password_hash

    import app.models.user as user_module

    monkeypatch.setattr(
        user_module, "generate_password_hash", functools.partial(generate_password_hash, method="pbkdf2:sha256:1000")
    )


@pytest.fixture()
def ctx(app):
    """An app context for calling services directly."""
    with app.app_context():
        yield
        from app.extensions import db

        db.session.remove()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def factory(app) -> Factory:
    return Factory(app)


@pytest.fixture()
def shelf(factory) -> dict:
    """Factory.shelf(): a shelf in a site holding bolts and nuts, what the count tests count."""
    return factory.shelf()


@pytest.fixture()
def live_server(app) -> Iterator[str]:
    """The app served on a loopback port by a threaded WSGI server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
