"""Races: several calls released at the same moment, each from its own thread.

race          run callables behind one barrier (each in its own app context and database
              session when given the app); returns each result, or the exception it raised
post_together send HTTP requests at once, each on its own connection, to a live server (a base
              URL) or through the app's test client; returns the responses in order
Post          one request for post_together

Row locking is what these exercise, so the tests using them skip on SQLite.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

# Long enough for a loaded two-core machine; reaching it means a deadlock, not a slow answer.
HANG = 120


def race(calls: Sequence[Callable[[], Any]], app: Flask | None = None) -> list:
    """Call each of `calls` from its own thread, all released together by a barrier.

    With `app`, each call runs inside its own app context, so it has its own database session
    (removed afterwards). Returns, in order, what each call returned or the exception it raised:
    the outcome is what the test checks. A call still running after HANG seconds fails the test.
    """
    barrier = threading.Barrier(len(calls), timeout=HANG)
    results: list = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            with app.app_context() if app is not None else contextlib.nullcontext():
                try:
                    barrier.wait()
                    results[index] = call()
                finally:
                    if app is not None:
                        from app.extensions import db

                        db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=HANG)
    stuck = [i for i, thread in enumerate(threads) if thread.is_alive()]
    assert not stuck, f"calls {stuck} never finished: a deadlock?"
    return results


def failures(results: list) -> list[BaseException]:
    """The exceptions among race()'s results."""
    return [r for r in results if isinstance(r, BaseException)]


@dataclass(frozen=True)
class Post:
    """One request: a path (joined to the base URL), a JSON body or raw `data`, a bearer token."""

    path: str
    json: Any = None
    token: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    data: str | None = None  # sent as it is, with a JSON content type (exact decimal text)
    method: str = "POST"

    def all_headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.data is not None:
            headers.setdefault("Content-Type", "application/json")
        return headers


def post_together(target: str | Flask, posts: Sequence[Post]) -> list:
    """Send every post at the same moment, each from its own thread and connection.

    `target` is a live server's base URL (answers are `requests` responses) or the app (answers
    come from a test client per thread). Returns the answers in the order of `posts`; a request
    that could not be sent at all raises here.
    """
    if isinstance(target, Flask):
        calls = [_through_test_client(target, post) for post in posts]
    else:
        calls = [_over_http(target, post) for post in posts]
    answers = race(calls)
    broken = failures(answers)
    if broken:
        raise broken[0]
    return answers


def _over_http(base_url: str, post: Post) -> Callable[[], Any]:
    import requests

    def send():
        # A session each: its own connection, so a server with several workers may give each to any.
        with requests.Session() as session:
            return session.request(
                post.method,
                base_url + post.path,
                json=post.json,
                data=post.data,
                headers=post.all_headers(),
                timeout=60,
            )

    return send


def _through_test_client(app: Flask, post: Post) -> Callable[[], Any]:
    def send():
        return app.test_client().open(
            post.path, method=post.method, json=post.json, data=post.data, headers=post.all_headers()
        )

    return send
