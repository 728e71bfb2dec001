"""The flask commands: create-user, seed-demo, and the default admin made at start-up."""

from __future__ import annotations

import sqlalchemy as sa


def _count(app, model):
    from app.extensions import db

    with app.app_context():
        try:
            return db.session.scalar(sa.select(sa.func.count()).select_from(model))
        finally:
            db.session.remove()


def test_create_user_prompts_and_creates_an_account_that_can_log_in(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-user"], input="Ops@Example.com\nOps Person\nmanager\npassword123\npassword123\n"
    )
    assert result.exit_code == 0, result.output
    assert "Created manager ops@example.com" in result.output
    assert "password123" not in result.output  # the password prompt does not echo
    login = client.post("/api/v1/auth/login", json={"email": "ops@example.com", "password": "password123"})
    assert login.status_code == 200 and login.get_json()["user"]["role"] == "manager"


def test_create_user_with_options_refuses_duplicate_and_short_password(app):
    from app.models import User

    runner = app.test_cli_runner()
    args = ["create-user", "--email", "a@example.com", "--name", "A", "--role", "staff", "--password", "password123"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(
        args=["create-user", "--email", "b@example.com", "--name", "B", "--role", "staff", "--password", "short"]
    )
    assert short.exit_code != 0 and "too short" in short.output
    bad_role = runner.invoke(
        args=["create-user", "--email", "c@example.com", "--name", "C", "--role", "king", "--password", "password123"]
    )
    assert bad_role.exit_code != 0
    assert _count(app, User) == 1


def test_seed_demo_creates_data_once(app):
    from app.models import Category, InventoryLog, Item, Location, User

    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--items", "12", "--days", "2"])
    assert first.exit_code == 0, first.output
    assert "Seeded" in first.output and "12 items" in first.output
    assert _count(app, Item) == 12
    assert _count(app, Location) >= 3 and _count(app, Category) >= 10 and _count(app, User) >= 3
    assert _count(app, InventoryLog) > 12  # creations plus days of movements

    second = runner.invoke(args=["seed-demo", "--items", "12", "--days", "2"])
    assert second.exit_code == 0 and "nothing done" in second.output
    assert _count(app, Item) == 12


def test_seed_demo_users_can_log_in(app, client):
    from app.services.demo.seed import DEMO_PASSWORD

    app.test_cli_runner().invoke(args=["seed-demo", "--items", "3", "--days", "1"])
    response = client.post("/api/v1/auth/login", json={"email": "manager@example.com", "password": DEMO_PASSWORD})
    assert response.status_code == 200


def _app_with_default_admin(app, email="root@example.com"):
    from app import create_app
    from app.config import TestingConfig

    settings = TestingConfig()
    settings.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
    settings.DEFAULT_ADMIN_EMAIL = email
    settings.DEFAULT_ADMIN_PASSWORD = "root-password-1"
    settings.DEFAULT_ADMIN_NAME = "Root Admin"
    return create_app(settings)


def test_default_admin_is_created_at_start_when_no_user_exists(app, client):
    from app.models import User

    _app_with_default_admin(app)
    assert _count(app, User) == 1
    login = client.post("/api/v1/auth/login", json={"email": "root@example.com", "password": "root-password-1"})
    assert login.status_code == 200
    user = login.get_json()["user"]
    assert (user["role"], user["full_name"]) == ("admin", "Root Admin")


def test_default_admin_is_not_created_when_users_exist(app):
    from app.models import User

    app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "first@example.com",
            "--name",
            "F",
            "--role",
            "staff",
            "--password",
            "password123",
        ]
    )
    _app_with_default_admin(app, email="second@example.com")
    assert _count(app, User) == 1


def test_seed_demo_is_refused_in_production_with_a_clear_message(app):
    from app.models import Item, User

    app.config["ENV_NAME"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["seed-demo", "--items", "3", "--days", "1"])
    finally:
        app.config["ENV_NAME"] = "testing"
    assert result.exit_code != 0
    assert "Refusing to load demo data in production" in result.output
    assert _count(app, Item) == 0 and _count(app, User) == 0


def test_default_admin_check_leaves_no_connection_for_forked_children(app):
    """The Celery parent and a preloading gunicorn master fork after create_app: no socket to share."""
    from app.extensions import db

    other = _app_with_default_admin(app, email="fork@example.com")
    with other.app_context():
        pool = db.engine.pool
        assert pool.checkedin() == 0 and pool.checkedout() == 0
