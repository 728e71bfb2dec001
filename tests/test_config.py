"""Configuration from the environment; production refuses to start without real secrets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import config as app_config
from app import create_app
from app.config import get_config

GOOD_SECRET = "a-long-random-value-used-only-by-this-test-0123456789"


@pytest.fixture()
def production_env(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    for name in ("REDIS_URL", "DEFAULT_ADMIN_EMAIL", "DEFAULT_ADMIN_PASSWORD", "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("JWT_SECRET", GOOD_SECRET + "-jwt")
    return monkeypatch


@pytest.mark.parametrize(
    ("secret_key", "jwt_secret", "named", "not_named"),
    [
        (None, GOOD_SECRET, ["SECRET_KEY"], ["JWT_SECRET"]),
        (GOOD_SECRET, None, ["JWT_SECRET"], ["SECRET_KEY"]),
        ("change-me", GOOD_SECRET, ["SECRET_KEY"], ["JWT_SECRET"]),
        (GOOD_SECRET, "change-me", ["JWT_SECRET"], ["SECRET_KEY"]),
        ("change-me", "", ["SECRET_KEY", "JWT_SECRET"], []),
    ],
)
def test_production_refuses_missing_or_default_secrets_naming_which(
    production_env, secret_key, jwt_secret, named, not_named
):
    for env_name, value in (("SECRET_KEY", secret_key), ("JWT_SECRET", jwt_secret)):
        if value is None:
            production_env.delenv(env_name, raising=False)
        else:
            production_env.setenv(env_name, value)
    with pytest.raises(RuntimeError) as err:
        create_app("production")
    message = str(err.value)
    for env_name in named:
        assert env_name in message
    for env_name in not_named:
        assert env_name not in message


def test_production_with_real_secrets_starts_with_secure_cookies(production_env):
    app = create_app("production")
    assert app.config["SECRET_KEY"] == GOOD_SECRET
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.debug is False and app.testing is False


def test_token_lifetimes_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ACCESS_TOKEN_EXPIRE_MINUTES", "5")
    monkeypatch.setenv("REFRESH_TOKEN_EXPIRE_DAYS", "2")
    settings = app_config.TestingConfig()
    assert timedelta(minutes=5) == settings.JWT_ACCESS_TOKEN_EXPIRES
    assert timedelta(days=2) == settings.JWT_REFRESH_TOKEN_EXPIRES


def test_token_lifetime_defaults(monkeypatch):
    monkeypatch.delenv("ACCESS_TOKEN_EXPIRE_MINUTES", raising=False)
    monkeypatch.delenv("REFRESH_TOKEN_EXPIRE_DAYS", raising=False)
    settings = app_config.TestingConfig()
    assert timedelta(minutes=60) == settings.JWT_ACCESS_TOKEN_EXPIRES
    assert timedelta(days=7) == settings.JWT_REFRESH_TOKEN_EXPIRES


def test_non_numeric_expiry_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.setenv("ACCESS_TOKEN_EXPIRE_MINUTES", "soon")
    with pytest.raises(RuntimeError, match="ACCESS_TOKEN_EXPIRE_MINUTES"):
        app_config.TestingConfig()


def test_database_url_defaults_to_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = get_config("development").SQLALCHEMY_DATABASE_URI
    assert url.startswith("sqlite:///") and url.endswith("instance/inventory.db")


@pytest.mark.parametrize("scheme", ["postgres://", "postgresql://"])
def test_postgres_urls_use_the_shipped_driver(monkeypatch, scheme):
    monkeypatch.setenv("DATABASE_URL", scheme + "u:p@db.internal:5432/inventory")
    assert get_config("development").SQLALCHEMY_DATABASE_URI == "postgresql+psycopg2://u:p@db.internal:5432/inventory"


def test_unknown_app_env_is_refused(monkeypatch):
    monkeypatch.setenv("APP_ENV", "staging-ish")
    with pytest.raises(RuntimeError, match="APP_ENV"):
        get_config()


def test_settings_named_in_the_issue_are_read(monkeypatch):
    values = {
        "REDIS_URL": "redis://127.0.0.1:6379/9",
        "DEFAULT_ADMIN_EMAIL": "root@example.com",
        "DEFAULT_ADMIN_PASSWORD": "s3cret-pass",
        "DEFAULT_ADMIN_NAME": "Root",
        "SENDGRID_API_KEY": "SG.test",
        "ALERT_FROM_EMAIL": "alerts@example.com",
        "PRIMARY_REGION": "ams",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = get_config("development")
    assert values["REDIS_URL"] == settings.REDIS_URL
    assert (settings.DEFAULT_ADMIN_EMAIL, settings.DEFAULT_ADMIN_PASSWORD, settings.DEFAULT_ADMIN_NAME) == (
        "root@example.com",
        "s3cret-pass",
        "Root",
    )
    assert settings.SENDGRID_API_KEY == "SG.test" and settings.ALERT_FROM_EMAIL == "alerts@example.com"
    assert settings.PRIMARY_REGION == "ams"


def test_web_process_serves_without_the_migration_commands(production_env):
    """gunicorn.conf.py sets APP_PROCESS=web: the worker leaves Flask-Migrate out; the CLI keeps it."""
    cli_app = create_app("production")
    assert "migrate" in cli_app.extensions and "db" in cli_app.cli.commands
    production_env.setenv("APP_PROCESS", "web")
    web_app = create_app("production")
    assert "migrate" not in web_app.extensions and "db" not in web_app.cli.commands
    assert web_app.test_client().get("/health/live").status_code == 200
