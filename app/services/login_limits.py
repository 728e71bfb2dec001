"""Login limits, shared by the API and the login page: they stop guessing, not shifts.

Only failed attempts count, in four buckets (docs/login-limits.md):
- the (account, client address) pair: LOGIN_RATE_LIMIT, default 10 per minute;
- the account, from every address: LOGIN_ACCOUNT_RATE_LIMIT, default 50 per hour;
- the client address, across accounts: LOGIN_ADDRESS_RATE_LIMIT, default 30 per minute,
  filled by failures on unknown or deactivated accounts and by repeated failures of one pair;
- the client address, first slips: LOGIN_ADDRESS_FIRST_FAILURE_RATE_LIMIT, default 60 per
  minute, filled by an active account's first failure from that address in the pair's window.
A shift of staff who each mistype once from the shop's one address fills only the larger
bucket, so 40 of them all log in; spraying one password over many accounts is refused after 60
known or 30 unknown ones a minute. A successful login clears its pair's and its account's
failures. So somebody guessing from one address uses up that address's allowance only; the
owner, elsewhere, still logs in unless the account's slower limit is exhausted.

The counters live in RATELIMIT_STORAGE_URI (Redis in production, so every web process
shares them). When that store does not answer, the counting goes on in this process's
memory (logged once per outage) and Redis is tried again after STORE_RETRY_SECONDS: an
outage weakens the limits to per-process ones, it never locks anybody out.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from app.errors import AuthenticationRequired, TooManyAttempts
from app.models import User
from app.services import users

log = logging.getLogger(__name__)

STORE_RETRY_SECONDS = 15.0


class LoginLimits:
    """The three buckets of one app, over its shared store with an in-process fallback."""

    def __init__(self, storage_uri: str) -> None:
        self.storage_uri = storage_uri
        self._shared: Storage | None = None  # connected on first use, never at start-up
        self._local = MovingWindowRateLimiter(MemoryStorage())
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _strategy(self) -> MovingWindowRateLimiter:
        if self._shared is None:
            options = {"socket_connect_timeout": 1, "socket_timeout": 1} if "redis" in self.storage_uri else {}
            self._shared = storage_from_string(self.storage_uri, **options)
        return MovingWindowRateLimiter(self._shared)

    def _run(self, action: Callable[[MovingWindowRateLimiter], Any]) -> Any:
        if time.monotonic() >= self._down_until:
            try:
                result = action(self._strategy())
            except Exception as exc:  # the store is down: count in this process instead
                with self._lock:
                    if time.monotonic() >= self._down_until:
                        log.warning(
                            "login limits: %s unreachable (%s: %s); counting in this process for now",
                            self.storage_uri.split("@")[-1],
                            type(exc).__name__,
                            exc,
                        )
                    self._down_until = time.monotonic() + STORE_RETRY_SECONDS
            else:
                return result
        return action(self._local)

    def buckets(self, email: str, address: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        cfg = current_app.config
        return [
            (parse(cfg["LOGIN_RATE_LIMIT"]), ("login-pair", email, address)),
            (parse(cfg["LOGIN_ADDRESS_RATE_LIMIT"]), ("login-address", address)),
            (parse(cfg["LOGIN_ADDRESS_FIRST_FAILURE_RATE_LIMIT"]), ("login-address-first", address)),
            (parse(cfg["LOGIN_ACCOUNT_RATE_LIMIT"]), ("login-account", email)),
        ]

    def check(self, email: str, address: str) -> None:
        """Raises TooManyAttempts when any bucket of this email and address is used up."""
        for item, keys in self.buckets(email, address):
            if not self._run(lambda s, item=item, keys=keys: s.test(item, *keys)):
                reset_at = self._run(lambda s, item=item, keys=keys: s.get_window_stats(item, *keys).reset_time)
                wait = max(1, int(reset_at - time.time() + 0.999))
                raise TooManyAttempts(
                    "Too many failed login attempts. Please wait a minute and try again.", retry_after=wait
                )

    def failed(self, email: str, address: str, *, known: bool) -> None:
        """Count a failure: in the larger address bucket when it is an active account's first
        slip from this address (the pair has no failure yet), else in the strict one."""
        buckets = self.buckets(email, address)
        pair_item, pair_keys = buckets[0]
        first = known and self._run(lambda s: s.get_window_stats(pair_item, *pair_keys).remaining >= pair_item.amount)
        skipped = "login-address" if first else "login-address-first"
        for item, keys in buckets:
            if keys[0] != skipped:
                self._run(lambda s, item=item, keys=keys: s.hit(item, *keys))

    def succeeded(self, email: str, address: str) -> None:
        """The account's failures are forgiven (the pair's and the account-wide ones); the address's stay."""
        for item, keys in self.buckets(email, address):
            if not keys[0].startswith("login-address"):
                self._run(lambda s, item=item, keys=keys: s.clear(item, *keys))

    def reset(self) -> None:
        """Forget every count (tests)."""
        self._local = MovingWindowRateLimiter(MemoryStorage())
        self._down_until = 0.0
        if self._shared is not None:
            self._run(lambda s: s.storage.reset())


def authenticate(email: str, password: str, address: str | None) -> User:
    """users.authenticate behind the shared login limits. Raises TooManyAttempts, AuthenticationRequired."""
    limits: LoginLimits = current_app.extensions["login_limits"]
    account = User.normalize_email(email or "")
    where = address or "unknown"
    limits.check(account, where)
    try:
        user = users.authenticate(email, password)
    except AuthenticationRequired:
        known = users.find_by_email(account)
        limits.failed(account, where, known=known is not None and known.is_active)
        raise
    limits.succeeded(account, where)
    return user


def reset(app: Flask) -> None:
    """Forget every count of this app (tests)."""
    app.extensions["login_limits"].reset()


def init_app(app: Flask) -> None:
    app.extensions["login_limits"] = LoginLimits(app.config["RATELIMIT_STORAGE_URI"])
