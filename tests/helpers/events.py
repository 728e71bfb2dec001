"""Collect the events delivered to subscribers (only ever after a commit)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app import events


@contextmanager
def collecting(app, prefix: str = "") -> Iterator[list[tuple[str, dict]]]:
    """The (name, payload) of each event delivered while inside whose name starts with `prefix`."""
    seen: list[tuple[str, dict]] = []

    def collect(name: str, payload: dict) -> None:
        if name.startswith(prefix):
            seen.append((name, payload))

    events.subscribe(app, collect)
    try:
        yield seen
    finally:
        app.extensions["event_subscribers"].remove(collect)
