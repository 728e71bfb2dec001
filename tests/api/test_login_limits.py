"""Login limits shared by the API and the page: failures per (account, address), per account and
per address; successes never count; a Redis outage falls back to in-process counting."""

from __future__ import annotations

import functools
import logging

import pytest
import redis
from werkzeug.security import generate_password_hash

from tests.helpers.api import PASSWORD, error_of
from tests.helpers.pages import csrf_from
from tests.helpers.redis_server import OwnRedis

LOGIN = "/api/v1/auth/login"


def _login(client, email, password=PASSWORD, address="127.0.0.1", **extra):
    return client.post(
        LOGIN, json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}, **extra
    )


def _page_login(client, email, password=PASSWORD, address="127.0.0.1"):
    token = csrf_from(client.get("/login", environ_base={"REMOTE_ADDR": address}).text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture()
def quick_dummy_hash(monkeypatch):
    """Unknown addresses are checked against a dummy scrypt hash; keep the test quick."""
    import app.services.users as users_module

    monkeypatch.setattr(
        users_module, "_DUMMY_HASH", functools.partial(generate_password_hash, method="pbkdf2:sha256:1000")("x")
    )


@pytest.mark.core
def test_failures_on_api_and_page_share_one_count(app, client, factory):
    user = factory.user("staff", email="shared@example.com")
    statuses = [_login(client, user.email, "wrong").status_code for _ in range(5)]
    statuses += [_page_login(client, user.email, "wrong").status_code for _ in range(5)]
    assert statuses == [401] * 10  # LOGIN_RATE_LIMIT: 10 per minute per account and address
    api = _login(client, user.email)
    assert api.status_code == 429 and error_of(api)["code"] == "rate_limited"
    assert int(api.headers["Retry-After"]) >= 1
    page = _page_login(client, user.email)
    assert page.status_code == 429 and "Too many login attempts" in page.text


@pytest.mark.core
def test_guessing_from_one_address_does_not_lock_the_owner_out_elsewhere(client, factory):
    factory.user("staff", email="owner@example.com")
    guesses = [_login(client, "owner@example.com", "wrong", address="10.6.6.6").status_code for _ in range(11)]
    assert guesses == [401] * 10 + [429]
    assert _login(client, "owner@example.com", address="10.6.6.6").status_code == 429  # that address waits
    assert _login(client, "OWNER@example.com", address="10.7.7.7").status_code == 200  # the owner, elsewhere
    assert _page_login(client, "owner@example.com", address="10.8.8.8").status_code == 302


@pytest.mark.core
def test_account_limit_from_all_addresses_refuses_even_the_right_password(app, client, factory, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "12 per hour")  # 50 by default
    factory.user("staff", email="target@example.com")
    guesses = [_login(client, "target@example.com", "wrong", address=f"10.0.0.{n}").status_code for n in range(13)]
    assert guesses == [401] * 12 + [429]
    refused = _login(client, "target@example.com", address="10.9.9.9")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 60  # the hourly window
    assert _login(client, "other@example.com", "wrong", address="10.9.9.9").status_code == 401  # others unaffected


@pytest.mark.core
def test_address_limit_across_accounts(app, client, quick_dummy_hash, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_RATE_LIMIT", "5 per minute")
    statuses = [_login(client, f"guess{n}@example.com", "wrong", address="10.1.1.1").status_code for n in range(6)]
    assert statuses == [401] * 5 + [429]
    last = _login(client, "guess99@example.com", "wrong", address="10.1.1.1")
    assert last.status_code == 429 and error_of(last)["code"] == "rate_limited"
    assert _login(client, "guess0@example.com", "wrong", address="10.2.2.2").status_code == 401  # another address


@pytest.mark.core
def test_successful_logins_never_count_and_failures_still_do(client, factory):
    # A shift starting: a dozen staff log in from the shop's one address, one of them twice.
    staff = [factory.user("staff", email=f"shift{n}@example.com") for n in range(12)]
    statuses = [_login(client, user.email, address="10.5.5.5").status_code for user in staff]
    statuses.append(_login(client, staff[0].email, address="10.5.5.5").status_code)
    assert statuses == [200] * 13
    eleven = [_login(client, staff[1].email, address="10.5.5.5").status_code for _ in range(11)]
    assert eleven == [200] * 11  # issue 16: ten good logins, then an eleventh succeeds
    failures = [_login(client, staff[2].email, "wrong", address="10.5.5.5").status_code for _ in range(11)]
    assert failures == [401] * 10 + [429]


@pytest.mark.core
def test_successful_login_clears_the_accounts_failures(client, factory):
    user = factory.user("staff", email="typo@example.com")
    assert [_login(client, user.email, "wrong").status_code for _ in range(9)] == [401] * 9
    assert _login(client, user.email).status_code == 200
    assert [_login(client, user.email, "wrong").status_code for _ in range(10)] == [401] * 10
    assert _login(client, user.email).status_code == 429


@pytest.fixture()
def app_with(app):
    """Build a second app on the suite's database; its connections are closed afterwards and the
    one Flask-Limiter object (which the second app re-bound) gets back a memory store."""
    from flask import Flask

    from app import create_app
    from app.config import TestingConfig
    from app.extensions import db, limiter

    built = []

    def build(**settings):
        config = TestingConfig()
        config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        config.WTF_CSRF_ENABLED = False
        for key, value in settings.items():
            setattr(config, key, value)
        built.append(create_app(config))
        return built[-1]

    yield build
    for other in built:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    spare = Flask("restore-limiter")
    spare.config["RATELIMIT_STORAGE_URI"] = "memory://"
    limiter.init_app(spare)


def test_redis_outage_never_breaks_login_and_limits_go_on_in_process(app_with, factory, tmp_path, caplog, monkeypatch):
    # The suite's migration run (alembic's fileConfig) disables loggers that existed before it.
    monkeypatch.setattr(logging.getLogger("app.services.login_limits"), "disabled", False)
    own = OwnRedis(tmp_path)
    own.start()
    try:
        web = app_with(RATELIMIT_STORAGE_URI=own.url)
        # Set after create_app: with it at start the app would bind the one Socket.IO object of
        # the test run to this Redis. /health reads it per request.
        web.config["REDIS_URL"] = own.url
        client = web.test_client()
        factory.user("staff", email="shift@example.com")
        assert _login(client, "shift@example.com", "wrong", address="10.3.3.3").status_code == 401
        assert redis.Redis.from_url(own.url).keys("*LIMITER/login-*")  # counted in the shared store
        own.kill()

        with caplog.at_level(logging.WARNING, logger="app.services.login_limits"):
            assert _login(client, "shift@example.com", address="10.4.4.4").status_code == 200
            assert _page_login(client, "shift@example.com", address="10.4.4.4").status_code in (200, 302)
            guesses = [_login(client, "shift@example.com", "wrong", address="10.3.3.3").status_code for _ in range(11)]
        assert guesses == [401] * 10 + [429]  # counted in this process meanwhile
        assert "login limits" in caplog.text and "counting in this process" in caplog.text
        health = client.get("/health")
        assert health.status_code == 503 and health.get_json()["down"] == ["redis"]
    finally:
        own.kill()


def test_trusted_proxy_hop_gives_the_real_client_address(app_with, factory):
    behind_proxy = app_with(TRUSTED_PROXY_HOPS=1).test_client()
    proxy = "127.0.0.1"
    # /metrics allows loopback only: a remote client through the local proxy is refused.
    outside = behind_proxy.get(
        "/metrics", environ_base={"REMOTE_ADDR": proxy}, headers={"X-Forwarded-For": "203.0.113.9"}
    )
    assert outside.status_code == 403
    assert behind_proxy.get("/metrics", environ_base={"REMOTE_ADDR": proxy}).status_code == 200
    # Limits count each real client: one guessing does not use up another's allowance.
    factory.user("staff", email="proxied@example.com")
    spoof = {"X-Forwarded-For": "203.0.113.1"}
    for _ in range(10):
        assert _login(behind_proxy, "proxied@example.com", "wrong", address=proxy, headers=spoof).status_code == 401
    assert _login(behind_proxy, "proxied@example.com", address=proxy, headers=spoof).status_code == 429
    real = {"X-Forwarded-For": "203.0.113.2"}
    assert _login(behind_proxy, "proxied@example.com", address=proxy, headers=real).status_code == 200


def test_without_trusted_hops_a_client_cannot_choose_its_address(client, factory):
    factory.user("staff", email="direct@example.com")
    for n in range(10):
        forged = {"X-Forwarded-For": f"198.51.100.{n}"}
        assert _login(client, "direct@example.com", "wrong", address="10.4.4.4", headers=forged).status_code == 401
    forged = {"X-Forwarded-For": "198.51.100.99"}
    assert _login(client, "direct@example.com", address="10.4.4.4", headers=forged).status_code == 429
    assert (
        client.get(
            "/metrics", headers={"X-Forwarded-For": "127.0.0.1"}, environ_base={"REMOTE_ADDR": "203.0.113.5"}
        ).status_code
        == 403
    )


def _accounts(app, prefix: str, n: int) -> list[str]:
    """`n` active staff accounts with PASSWORD, hashed cheaply (a shift's worth of scrypt is slow)."""
    from app.extensions import db
    from app.models import User

    emails = [f"{prefix}{i}@example.com" for i in range(n)]
    hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    with app.app_context():
        db.session.add_all(User(email=e, password_hash=hashed, full_name=e, role="staff") for e in emails)
        db.session.commit()
        db.session.remove()
    return emails


def test_a_shift_mistyping_once_each_all_log_in_while_spraying_is_refused(app, app_with, tmp_path, quick_dummy_hash):
    """Issue 35, finding 5, with the default limits and the counters in a real Redis."""
    own = OwnRedis(tmp_path)
    own.start()
    try:
        client = app_with(RATELIMIT_STORAGE_URI=own.url).test_client()
        shift = _accounts(app, "shift", 40)
        assert [_login(client, e, "wrong", address="10.40.0.1").status_code for e in shift] == [401] * 40
        assert [_login(client, e, address="10.40.0.1").status_code for e in shift] == [200] * 40

        sprayed = _accounts(app, "spray", 200)
        statuses = [_login(client, e, "Summer2024!", address="10.66.0.1").status_code for e in sprayed]
        assert statuses == [401] * 60 + [429] * 140  # LOGIN_ADDRESS_FIRST_FAILURE_RATE_LIMIT
        unknown = [_login(client, f"nobody{n}@example.com", "x", address="10.67.0.1").status_code for n in range(200)]
        assert unknown == [401] * 30 + [429] * 170  # LOGIN_ADDRESS_RATE_LIMIT
        # A second slip of one account counts as strictly as an unknown account.
        again = [_login(client, shift[0], "wrong", address="10.68.0.1").status_code for _ in range(11)]
        assert again == [401] * 10 + [429]  # and the per-pair limit stays
        assert redis.Redis.from_url(own.url).keys("*LIMITER/login-address-first*")
    finally:
        own.kill()
